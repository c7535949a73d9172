"""No feature sees an outcome dated after the claim's submission (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest
from predict_support import Store
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import ClaimLine
from denialscope.predict.features import FEATURES, build_vocabulary, feature_frame
from denialscope.predict.filing import FilingLimits
from denialscope.predict.stored import load_history, load_outcome_history
from denialscope.scrub.packs import PayerLimits, RulePack
from denialscope.workqueue.config import load_workqueue_config
from factories.database import Db, Files
from factories.x12text import Cas, Clm, Clp, Line, x12_835, x12_837p

D = dt.date
PP_CLAIMS = FEATURES.index("payer_procedure_claims")
PP_RATE = FEATURES.index("payer_procedure_rate")
PATIENT = FEATURES.index("patient_prior_claims")
PROVIDER = FEATURES.index("provider_claims")


def _rows(session: Session) -> dict[str, np.ndarray]:
    history = load_history(session)
    labelled = history.labelled()
    frame = feature_frame(
        history.claims, history=labelled, vocabulary=build_vocabulary(history.claims)
    )
    return {c.control_number: frame.matrix[i] for i, c in enumerate(history.claims)}


def test_a_remit_after_submission_is_not_seen(session: Session) -> None:
    store = Store(session)
    # X is denied on 20 March: after A was submitted (15 March), before B (25 March).
    x = store.add(submitted=D(2025, 3, 10), remit=D(2025, 3, 20), denied=True, patient="p1")
    store.add(submitted=D(2025, 3, 15), remit=D(2025, 4, 1), patient="p1")  # A
    store.add(submitted=D(2025, 3, 25), remit=D(2025, 4, 10), patient="p1")  # B
    rows = _rows(session)
    a, b = rows["C00002"], rows["C00003"]
    assert a[PP_CLAIMS] == 0 and math.isnan(a[PP_RATE])
    assert a[PATIENT] == 0 and a[PROVIDER] == 0
    assert b[PP_CLAIMS] == 1 and b[PP_RATE] == 1.0  # X only: A's remit (1 April) is later
    assert b[PATIENT] == 1 and b[PROVIDER] == 1
    # Flip X's outcome: A's features do not move at all, B's do (the test can fail).
    payment = x.id
    from denialscope.remits.models import ClaimPayment

    session.query(ClaimPayment).filter(ClaimPayment.claim_id == payment).update(
        {"is_denial": False}
    )
    session.flush()
    again = _rows(session)
    np.testing.assert_array_equal(again["C00002"], a)
    assert again["C00003"][PP_RATE] == 0.0


def test_a_claim_never_counts_its_own_outcome(session: Session) -> None:
    store = Store(session)
    # Bad data: the remit is dated before the claim's own submission day.
    store.add(submitted=D(2025, 5, 10), remit=D(2025, 5, 1), denied=True)
    store.add(submitted=D(2025, 5, 15), remit=None)
    rows = _rows(session)
    assert rows["C00001"][PP_CLAIMS] == 0  # its own outcome taken back out
    assert rows["C00002"][PP_CLAIMS] == 1 and rows["C00002"][PP_RATE] == 1.0


def test_the_submission_day_itself_is_excluded(session: Session) -> None:
    store = Store(session)
    store.add(submitted=D(2025, 6, 1), remit=D(2025, 6, 10), denied=True)
    store.add(submitted=D(2025, 6, 10), remit=None)  # same day as that remit: not yet known
    store.add(submitted=D(2025, 6, 11), remit=None)
    rows = _rows(session)
    assert rows["C00002"][PP_CLAIMS] == 0
    assert rows["C00003"][PP_CLAIMS] == 1


PAST_LIMIT = FEATURES.index("days_past_filing_limit")
ELIGIBILITY = FEATURES.index("patient_payer_eligibility_denials")
LAST_ELIGIBILITY = FEATURES.index("patient_payer_last_eligibility")
DUPLICATES = FEATURES.index("same_service_prior_submissions")


def _rows_with(session: Session, limits: FilingLimits | None) -> dict[str, np.ndarray]:
    history = load_history(session, limits=limits)
    frame = feature_frame(
        history.claims, history=history.labelled(), vocabulary=build_vocabulary(history.claims)
    )
    return {c.control_number: frame.matrix[i] for i, c in enumerate(history.claims)}


def test_days_past_the_filing_limit_read_only_the_claims_own_dates(session: Session) -> None:
    store = Store(session)
    # Sent 400 days after the service; the pack gives payer P1 a 365-day limit: 35 days late.
    store.add(submitted=D(2025, 6, 5), served=D(2024, 5, 1), remit=D(2025, 6, 20), denied=True)
    store.add(submitted=D(2025, 6, 5), remit=None, payer="P2")  # 3 days: 177 left of 180
    pack = RulePack(payers={"P1": PayerLimits("P1", filing_limit_days=365)})
    limits = FilingLimits(pack, load_workqueue_config())
    rows = _rows_with(session, limits)
    assert rows["C00001"][PAST_LIMIT] == 400 - 365
    # P2 is not in the pack: the work queues' window for its kind (commercial, 180 days).
    assert rows["C00002"][PAST_LIMIT] == 3 - 180
    assert math.isnan(_rows_with(session, None)["C00001"][PAST_LIMIT])  # no limits known
    # A later claim, remit or outcome changes nothing: the feature is the claim's own.
    store.add(submitted=D(2025, 6, 6), served=D(2024, 5, 1), remit=D(2025, 6, 7), denied=True)
    np.testing.assert_array_equal(_rows_with(session, limits)["C00001"][PAST_LIMIT], 35)


def test_eligibility_denials_count_only_when_known_before_submission(session: Session) -> None:
    store = Store(session)
    elig = "eligibility_terminated"
    # X: coverage ended, denied on 20 March. A (15 March) cannot know; B (25 March) does.
    x = store.add(submitted=D(2025, 3, 10), remit=D(2025, 3, 20), denied=True, patient="p1",
                  cause=elig)  # fmt: skip
    store.add(submitted=D(2025, 3, 15), remit=D(2025, 4, 20), patient="p1")  # A
    store.add(submitted=D(2025, 3, 25), remit=None, patient="p1")  # B
    store.add(submitted=D(2025, 3, 25), remit=None, patient="p1", payer="P2")  # other payer
    # Y: paid on 1 April (registration fixed the coverage); C (5 April) sees a paid last.
    store.add(submitted=D(2025, 3, 26), remit=D(2025, 4, 1), patient="p1")  # Y
    store.add(submitted=D(2025, 4, 5), remit=None, patient="p1")  # C
    rows = _rows(session)
    a, b, other, c = rows["C00002"], rows["C00003"], rows["C00004"], rows["C00006"]
    assert a[ELIGIBILITY] == 0 and math.isnan(a[LAST_ELIGIBILITY])
    assert b[ELIGIBILITY] == 1 and b[LAST_ELIGIBILITY] == 1
    assert other[ELIGIBILITY] == 0 and math.isnan(other[LAST_ELIGIBILITY])
    assert c[ELIGIBILITY] == 1 and c[LAST_ELIGIBILITY] == 0
    assert rows["C00001"][ELIGIBILITY] == 0  # never its own outcome
    # Another cause on X: B no longer sees a coverage denial (the test can fail).
    from denialscope.remits.models import ClaimPayment

    session.query(ClaimPayment).filter(ClaimPayment.claim_id == x.id).update(
        {"primary_root_cause": "missing_information"}
    )
    session.flush()
    again = _rows(session)
    assert again["C00003"][ELIGIBILITY] == 0 and again["C00003"][LAST_ELIGIBILITY] == 0
    np.testing.assert_array_equal(again["C00002"], a)


def test_a_duplicate_counts_only_claims_submitted_on_an_earlier_day(session: Session) -> None:
    store = Store(session)
    served = D(2025, 2, 3)
    store.add(submitted=D(2025, 2, 10), served=served, remit=None, patient="p1")  # original
    store.add(submitted=D(2025, 2, 10), served=served, remit=None, patient="p1")  # same day
    store.add(submitted=D(2025, 3, 1), served=served, remit=None, patient="p1")  # resent
    store.add(submitted=D(2025, 3, 2), served=served, remit=None, patient="p1",
              procedure="97112")  # fmt: skip
    store.add(submitted=D(2025, 3, 2), served=served, remit=None, patient="p2")
    rows = _rows(session)
    assert [rows[f"C0000{n}"][DUPLICATES] for n in range(1, 6)] == [0, 0, 2, 0, 0]


def test_a_replacement_claim_is_not_a_duplicate_of_its_original() -> None:
    from dataclasses import replace

    from denialscope.predict.priors import duplicate_counts
    from denialscope.predict.records import ClaimInput

    original = ClaimInput(
        key="a", control_number="A", payer="P1", payer_name="P1", payer_kind="commercial",
        kind="837P", facility_code="11", department="PT", service_line="rehab", provider="",
        patient="p1", submitted=D(2025, 2, 10), service_from=D(2025, 2, 3), charge=100.0,
        lines=(), diagnoses=(), drg="", prior_auth=False, referral=False,
    )  # fmt: skip
    resent = replace(original, key="b", submitted=D(2025, 3, 1))
    corrected = replace(resent, key="c", frequency="7")
    assert list(duplicate_counts([original, resent, corrected], {})) == [0, 1, 0]


INACTIVE = FEATURES.index("eligibility_inactive")


def _rows_eligibility(session: Session) -> dict[str, np.ndarray]:
    history = load_history(session)
    frame = feature_frame(
        history.claims,
        history=history.labelled(),
        vocabulary=build_vocabulary(history.claims),
        eligibility=history.eligibility,
    )
    return {c.control_number: frame.matrix[i] for i, c in enumerate(history.claims)}


def test_a_271_counts_only_when_received_before_submission(session: Session) -> None:
    from denialscope.eligibility.models import EligibilityResponseRow

    store = Store(session)
    # Coverage ended 31 March; the claims were served 5 April.
    store.add(submitted=D(2025, 4, 20), remit=None, patient="m1", served=D(2025, 4, 5))  # A
    store.add(submitted=D(2025, 5, 20), remit=None, patient="m1", served=D(2025, 4, 5))  # B
    store.add(submitted=D(2025, 4, 20), remit=None, patient="m2", served=D(2025, 4, 5))  # C
    before = _rows_eligibility(session)
    assert all(math.isnan(r[INACTIVE]) for r in before.values())  # no response stored

    def response(member: str, day: D, status: str, end: D | None) -> EligibilityResponseRow:
        return EligibilityResponseRow(
            source_file_id=store.remittance.source_file_id,
            payer_id="p1",  # matched as ingest keys payers: upper case
            member_id=member,
            responded_on=day,
            status=status,
            plan_begin=D(2024, 1, 1),
            plan_end=end,
            segment_index=1,
        )

    session.add_all(
        [
            response("m1", D(2025, 1, 10), "active", None),  # registration: covered
            response("m1", D(2025, 5, 1), "inactive", D(2025, 3, 31)),  # after A, before B
            response("m2", D(2025, 4, 20), "inactive", D(2025, 3, 31)),  # C's own day
        ]
    )
    session.flush()
    rows = _rows_eligibility(session)
    assert rows["C00001"][INACTIVE] == 0.0  # A: only the January response was known
    assert rows["C00002"][INACTIVE] == 1.0  # B: the 1 May response says ended 31 March
    assert math.isnan(rows["C00003"][INACTIVE])  # C: same day is not before
    # the later response changes nothing else of A's row
    np.testing.assert_array_equal(
        np.delete(rows["C00001"], INACTIVE), np.delete(before["C00001"], INACTIVE)
    )


EM_WITHOUT_25 = FEATURES.index("em_without_25_beside_procedure")


def _as_read(db: Db) -> tuple[np.ndarray, tuple[str, ...], str, dict[str, int]]:
    """PCN-9's feature row, first line's modifiers and frequency, and the first-sent counts."""
    with db.session() as session:
        history = load_history(session)
    frame = feature_frame(
        history.claims, history=history.labelled(), vocabulary=build_vocabulary(history.claims)
    )
    (i,) = [n for n, c in enumerate(history.claims) if c.control_number == "PCN-9"]
    claim = history.claims[i]
    return frame.matrix[i], claim.lines[0].modifiers, claim.frequency, history.first_sent.to_dict()


def test_a_correction_sent_after_the_denial_is_not_what_the_model_reads(
    db: Db, files: Files
) -> None:
    """The claims table holds the latest version; the model reads the first one sent."""
    day = D(2024, 2, 1)

    def claim(frequency: str, modifiers: tuple[str, ...]) -> Clm:
        lines = [
            Line("99284", Decimal(300), day, modifiers, control="L1"),
            Line("12002", Decimal(200), day, control="L2"),
        ]
        return Clm("PCN-9", lines, frequency=frequency)

    original = files.text("1.837", x12_837p([claim("1", ())], control=1, created=D(2024, 2, 5)))
    denial = Clp("PCN-9", "4", Decimal(500), Decimal(0), "PAY-9",
                 adjustments=[Cas("CO", "4", Decimal(500))])  # fmt: skip
    remit = files.text("1.835", x12_835([denial], paid_on=D(2024, 3, 1)))
    db.ingest_all([original, remit], None)
    before, modifiers, frequency, _ = _as_read(db)
    assert before[EM_WITHOUT_25] == 1 and modifiers == () and frequency == "1"
    # After the denial the biller adds modifier 25 and sends a replacement.
    fixed = files.text("2.837", x12_837p([claim("7", ("25",))], control=2, created=D(2024, 3, 20)))
    db.ingest_all([fixed], None)
    with db.session() as session:  # the claims table now holds the correction
        assert session.scalar(select(ClaimLine.modifiers).where(ClaimLine.line_no == 1)) == "25"
    after, modifiers, frequency, counts = _as_read(db)
    np.testing.assert_array_equal(after, before)
    assert modifiers == () and frequency == "1"
    assert counts == {"corrected_claims": 1, "read_as_first_sent": 1, "read_as_last_sent": 0}
    # Scoring's outcome history reads the first lines saved with the model (else the last).
    with db.session() as session:
        first = load_history(session).first_lines()
        assert first == {"PCN-9|1999999984": [("99284", ()), ("12002", ())]}, first
        ((scored, _),) = load_outcome_history(session, first_lines=first)
        ((last, _),) = load_outcome_history(session)
    assert scored.lines[0].modifiers == () and last.lines[0].modifiers == ("25",)
    # The first version's file is gone: the stored (latest) content is read, and counted
    # (the test can fail: the row then differs).
    original.write_text("not an X12 file any more")  # changed since it was loaded
    changed, _, frequency, counts = _as_read(db)
    assert changed[EM_WITHOUT_25] == 0
    assert frequency == "7" and counts["read_as_last_sent"] == 1
    original.unlink()
    gone, modifiers, frequency, counts = _as_read(db)
    assert gone[EM_WITHOUT_25] == 0 and modifiers == ("25",) and frequency == "7"
    assert counts == {"corrected_claims": 1, "read_as_first_sent": 0, "read_as_last_sent": 1}


def test_no_test_month_claim_trains_or_calibrates_and_none_calibrates_its_own_trees(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cross-fit (``predict.crossfit``): each member trains on exactly the fitting
    window's claims outside its block of months, the map is fitted on each claim's score by
    the member that did not train on it, and the test months are in neither."""
    from denialscope.predict import crossfit
    from denialscope.predict.model import fit_calibration
    from denialscope.predict.training import fit_split

    store = Store(session)
    for day in range(181):
        when = D(2025, 1, 1) + dt.timedelta(days=day)
        store.add(submitted=when, remit=when + dt.timedelta(days=14), denied=day % 5 != 0)
        store.add(submitted=when, remit=when + dt.timedelta(days=14), payer="P2",
                  denied=day % 10 == 3)  # fmt: skip
    session.commit()
    trained: list[np.ndarray] = []
    fit = crossfit.fit_risk

    def recording(x: np.ndarray, y: np.ndarray, **kwargs: object) -> object:
        trained.append(x.copy())
        return fit(x, y, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(crossfit, "fit_risk", recording)
    fitted = fit_split(load_history(session).labelled(), test_months=1, calibration_months=1)
    months = np.array([c.submitted.strftime("%Y-%m") for c in fitted.claims])
    window = fitted.rows("train") | fitted.rows("calibration")
    assert set(months[fitted.rows("test")]) == {"2025-06"}
    blocks = fitted.crossfit.blocks
    assert [m for block in blocks for m in block] == [f"2025-{m:02d}" for m in range(1, 6)]
    assert len(trained) == len(blocks) == len(fitted.model.boosters) == 5
    oof = []
    for x, block, member in zip(trained, blocks, fitted.model.boosters, strict=True):
        held = np.isin(months, block)
        # exactly the window's claims outside the block: no test claim, no claim it scores
        np.testing.assert_array_equal(x, fitted.frame.matrix[window & ~held])
        oof.append(member.predict(fitted.frame.matrix[held]))
    y = np.array([float(o.denied) for o in fitted.outcomes])[window]
    # blocks are consecutive months in order: their scores line up with the window's rows
    assert fitted.model.calibration == fit_calibration(np.concatenate(oof), y)
