"""The stay-day model (ur.model) on both databases: training rows hold only what was known
on the day, labels only what was adjudicated before the cut-off, the fit ranks the denied
payer first, the worklist falls back to the history, and the saved versions round trip."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from denialscope.adt.service import handle_message
from denialscope.predict.store import ModelStoreError
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.ur.model import (
    FEATURES,
    StayDay,
    StayOutcome,
    day_features,
    load_model,
    stay_days,
    stay_outcomes,
    train,
    train_model,
)
from denialscope.ur.worklist import build_worklist
from factories.hl7 import message
from factories.stays import LATE, PAID, inpatient_claim, past_stay, payer, remittance, ur_history

CUT = dt.date(2026, 1, 5)
NOON = dt.datetime(2026, 1, 12, 12)


def test_a_day_row_holds_only_what_the_feed_had_said_by_then(session: Session) -> None:
    plan = payer(session, "P1", "commercial")
    inpatient_claim(session, number="V1", payer=plan, drg="195", adjudicated=PAID,
                    remit=remittance(session))  # fmt: skip
    feed = [
        # Observation from 5 January 08:00; diagnosis and expected discharge on the 6th at
        # 10:30, inpatient order on the 7th at 14:00, discharge on the 9th at 10:00.
        message("M1", "A04", "202601050800", visit="V1", cls="O", payer=("P1", "P1 PLAN")),
        message("M2", "A08", "202601061030", visit="V1", cls="O", dx=("J18.9",),
                expected="202601100900"),
        message("M3", "A06", "202601071400", visit="V1", cls="I"),
        message("M4", "A03", "202601091000", visit="V1", cls="I", discharge="202601091000"),
    ]  # fmt: skip
    for text in feed:
        assert handle_message(session, text=text)[0] == "AA"
    rows = stay_days(session, visits={"V1"}, until=dt.datetime(2026, 2, 1))
    assert [r.at for r in rows] == [dt.datetime(2026, 1, d, 12) for d in (5, 6, 7, 8)]
    by_day = {r.at.day: dict(zip(FEATURES, r.features, strict=True)) for r in rows}
    # Day 0 noon: observation, nothing known yet (the A08 came the next day).
    assert by_day[5] == {
        "payer_kind": "payer kind commercial", "payer": "payer P1", "class": "class O",
        "day": "day 0", "expected": "expected unknown",
        "expected_x_day": "expected unknown x day 0", "service": "service MED",
        "drg_weight": "DRG weight DRG pending",
    }  # fmt: skip
    # Day 1: the diagnosis groups (DRG 195, weight 0.6285) and the expectation (5 midnights).
    assert by_day[6]["class"] == "class O" and by_day[6]["drg_weight"] == "DRG weight under 1"
    assert by_day[6]["expected_x_day"] == "expected 2+ midnights x day 1"
    # The inpatient order at 14:00 on the 7th is not in that day's noon row.
    assert by_day[7]["class"] == "class O"
    assert by_day[8]["class"] == "class I" and by_day[8]["day"] == "day 3+"
    # Rows stop at the cut-off: nothing on or after it.
    cut = stay_days(session, visits={"V1"}, until=dt.datetime(2026, 1, 7))
    assert [r.at.day for r in cut] == [5, 6]


def test_labels_come_only_from_remittances_before_the_cut_off(session: Session) -> None:
    plan = payer(session, "P1", "commercial")
    remit = remittance(session)
    past_stay(session, "EARLY", plan, remit, cause="level_of_care")
    past_stay(session, "LATER", plan, remit, cause="level_of_care", when=LATE)
    # Paid before the cut-off, then reprocessed as a days denial after it.
    redo = past_stay(session, "REDO", plan, remit)
    again = ClaimPayment(remittance_id=remit.id, claim_id=redo.id, seq=2,
                         status_code="4", payer_responsibility="primary", adjudicated_at=LATE,
                         is_denial=True, primary_root_cause="length_of_stay")  # fmt: skip
    session.add(again)
    session.flush()
    session.add(Adjustment(claim_payment_id=again.id, level="claim", group_code="CO",
                           reason_code="152", amount=100, is_denial=True,
                           root_cause="length_of_stay"))  # fmt: skip
    session.flush()
    before = stay_outcomes(session, before=CUT)
    assert set(before) == {"EARLY", "REDO"}  # LATER's claim is unpaid at the cut-off
    assert before["EARLY"].denied_for("level_of_care", CUT)
    assert not before["REDO"].denied_for("length_of_stay", CUT)
    everything = stay_outcomes(session)
    assert everything["REDO"].denied == {"length_of_stay": LATE}
    # Even from outcomes queried without a cut-off, training at CUT sees neither later fact.
    days = stay_days(session, visits=everything, until=dt.datetime(2026, 2, 1))
    model = train_model(days, everything, before=CUT, min_stays=1, min_denied=1)
    assert model.stays == 2 and model.stay_days == 6  # EARLY and REDO, 3 noons each
    assert model.causes["level_of_care"].denied == 1
    assert model.causes["length_of_stay"].denied == 0
    assert model.causes["length_of_stay"].weights is None
    assert "too few denied stays" in model.causes["length_of_stay"].note
    later = train_model(days, everything, before=LATE + dt.timedelta(days=1),
                        min_stays=1, min_denied=1)  # fmt: skip
    assert later.stays == 3 and later.causes["length_of_stay"].denied == 1


def test_the_fit_puts_the_denying_payer_first(session: Session) -> None:
    ur_history(session)
    outcomes = stay_outcomes(session)
    days = stay_days(session, visits=outcomes, until=dt.datetime(2026, 2, 1))
    model = train_model(days, outcomes, before=CUT)
    assert model.stays == 40 and model.stay_days == 120  # LATE1/2 are not rows
    assert model.causes["level_of_care"].denied == 8
    assert model.causes["length_of_stay"].denied == 5
    row = {f: day_features(payer_key=key, payer_kind="commercial", patient_class="I", day=0,
                           expected_midnights=None, service="MED", drg_weight=None)
           for f, key in (("p1", "P1"), ("p2", "P2"))}  # fmt: skip
    p1, p2 = model.probabilities(row["p1"]), model.probabilities(row["p2"])
    assert p1["level_of_care"] > 3 * p2["level_of_care"]
    assert p1["length_of_stay"] > 3 * p2["length_of_stay"]
    # Near the observed rates: 8/20 and 0/20 pulled together by the penalty.
    assert 0.2 < p1["level_of_care"] < 0.45 and p2["level_of_care"] < 0.1


def _admit_now(session: Session) -> None:
    admits = (("N1", "NOW1", ("P1", "P1 PLAN")), ("N2", "NOW2", ("P2", "P2 PLAN")))
    for control, visit, plan in admits:
        handle_message(session, text=message(f"{control}a", "A01", "202601120800", visit=visit,
                                             payer=plan, member=f"M{visit}"))  # fmt: skip


def test_the_worklist_uses_the_model_and_says_so(session: Session, data_dir: Path) -> None:
    ur_history(session)
    _admit_now(session)
    model = train(session, data_dir=data_dir, before=CUT)
    assert model.version == "v0001"
    rows = {r.visit_number: r for r in build_worklist(session, as_of=NOON, stay_model=model)}
    now1, now2 = rows["NOW1"], rows["NOW2"]
    # The days cause from the past stays' lengths (ur.los), which has the history for it.
    assert [c.source for c in now1.risks] == ["model v0001", "length table"]
    assert now1.p_source == "status: model v0001, days: length table"
    features = day_features(payer_key="P1", payer_kind="commercial", patient_class="I", day=0,
                            expected_midnights=None, service="MED", drg_weight=None)  # fmt: skip
    assert now1.risks[0].probability == pytest.approx(
        model.probabilities(features)["level_of_care"]
    )
    assert now1.denial_rate > now2.denial_rate
    assert "model v0001, 8/40 stays denied" in now1.denial_basis
    assert "largest: " in now1.denial_basis and "payer P1 +" in now1.denial_basis
    assert now1.to_dict()["causes"][0]["source"] == "model v0001"
    # The dollars are the history's: the same with and without the model.
    plain = {r.visit_number: r for r in build_worklist(session, as_of=NOON)}
    assert [c.dollars for c in plain["NOW1"].risks] == [c.dollars for c in now1.risks]
    assert plain["NOW1"].p_source == "status: history, days: length table"


def test_the_history_stands_in_when_the_model_cannot(session: Session) -> None:
    ur_history(session)
    _admit_now(session)
    outcomes = stay_outcomes(session)
    days = stay_days(session, visits=outcomes, until=dt.datetime(2026, 2, 1))
    plain = {r.visit_number: r for r in build_worklist(session, as_of=NOON)}
    # Learned from remittances up to 20 January: a worklist of the 12th must not use it.
    ahead = train_model(days, outcomes, before=dt.date(2026, 1, 20))
    rows = {r.visit_number: r for r in build_worklist(session, as_of=NOON, stay_model=ahead)}
    assert rows["NOW1"].p_source == "status: history, days: length table"
    assert rows["NOW1"].denial_rate == plain["NOW1"].denial_rate
    assert "adjudicated before 2026-01-20, after this day: not used" in rows["NOW1"].denial_basis
    # Too few stays: nothing fitted, the history for both causes, with the reason.
    thin = train_model(days, outcomes, before=CUT, min_stays=100)
    rows = {r.visit_number: r for r in build_worklist(session, as_of=NOON, stay_model=thin)}
    assert rows["NOW1"].denial_rate == plain["NOW1"].denial_rate
    assert "too few stays to learn from (40 < 100)" in rows["NOW1"].denial_basis
    # One cause fitted, the other not: each says where its P came from.
    half = train_model(days, outcomes, before=CUT, min_denied=6)  # days: 5 denied stays
    row = next(r for r in build_worklist(session, as_of=NOON, stay_model=half)
               if r.visit_number == "NOW1")  # fmt: skip
    assert [c.source for c in row.risks] == ["model (unsaved)", "length table"]
    assert row.p_source == "status: model (unsaved), days: length table"
    assert row.risks[1].probability == plain["NOW1"].risks[1].probability


def test_saved_versions_round_trip_and_another_format_is_refused(
    session: Session, data_dir: Path
) -> None:
    assert load_model(data_dir) is None
    ur_history(session)
    first = train(session, data_dir=data_dir, before=CUT)
    second = train(session, data_dir=data_dir, before=LATE + dt.timedelta(days=1))
    assert (first.version, second.version) == ("v0001", "v0002")
    # Held out: the quarter before the data's end (the day after its last remittance, when
    # that is before the cut-off), not before the cut-off itself.
    assert first.metrics["held_out"]["trained_before"] == "2025-10-03"  # 2 January - 91 days
    loaded = load_model(data_dir)
    assert loaded is not None and loaded.version == "v0002" and loaded.stays == 42
    features = day_features(payer_key="P1", payer_kind="commercial", patient_class="I", day=1,
                            expected_midnights=1, service="MED", drg_weight=None)  # fmt: skip
    assert loaded.probabilities(features) == pytest.approx(second.probabilities(features))
    older = load_model(data_dir, version="v0001")
    assert older is not None and older.before == CUT and older.causes == first.causes
    meta_file = data_dir / "models" / "ur_denial" / "v0002" / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    assert meta["training_window"]["stay_days"] == 126
    assert meta["causes"]["level_of_care"] == {"stays": 42, "denied": 9, "fitted": True,
                                               "note": "fitted"}  # fmt: skip
    assert meta["metrics"]["held_out"]["trained_before"] == "2025-10-11"
    meta_file.write_text(json.dumps({**meta, "format": 0}), encoding="utf-8")
    with pytest.raises(ModelStoreError, match="saved by another version of denialscope"):
        load_model(data_dir)
    meta_file.write_text(json.dumps({**meta, "features": ["payer"]}), encoding="utf-8")
    with pytest.raises(ModelStoreError, match="run `denialscope ur train`"):
        load_model(data_dir)
    body = data_dir / "models" / "ur_denial" / "v0001" / "model.json"
    broken = json.loads(body.read_text(encoding="utf-8"))
    broken["weights"]["level_of_care"] = [0.0]
    body.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ModelStoreError, match="cannot read the model"):
        load_model(data_dir, version="v0001")
    with pytest.raises(ModelStoreError, match="no version v0009"):
        load_model(data_dir, version="v0009")


def test_nothing_to_learn_from_and_no_row_after_the_cut_off() -> None:
    empty = train_model([], {}, before=CUT)
    assert empty.stays == 0 and all(f.weights is None for f in empty.causes.values())
    outcome = StayOutcome(PAID, {"level_of_care": PAID})
    row = StayDay("X", dt.datetime(2025, 12, 1, 12), ("payer P1",))
    assert train_model([row], {"X": outcome}, before=CUT).stays == 1
    # A stay billed while still in house (an interim claim): its days from the cut-off on
    # are not rows.
    days = [StayDay("X", dt.datetime(2026, 1, d, 12), ("payer P1",)) for d in (3, 4, 5, 6)]
    model = train_model(days, {"X": outcome}, before=CUT)
    assert model.stay_days == 2 and model.last_day == dt.date(2026, 1, 4)
