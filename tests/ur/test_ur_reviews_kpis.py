"""Reviews, physician-advisor escalation inside the payer's window, and the KPIs that close
the loop with the 837I and 835 (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from denialscope.adt.service import handle_message
from denialscope.errors import InputError, NotFoundError
from denialscope.ur.kpis import ur_kpis
from denialscope.ur.record import stay_record
from denialscope.ur.reviews import (
    create_review,
    escalate,
    record_p2p,
    schedule_p2p,
    set_authorized_days,
)
from factories.hl7 import message
from factories.stays import inpatient_claim, payer, remittance

T = dt.datetime


def _admit(session: Session, visit: str, coverage: tuple[str, str], *, cls: str = "I",
           admit: str = "202601050800") -> None:  # fmt: skip
    event = "A01" if cls == "I" else "A04"
    handle_message(session, text=message(f"{visit}-1", event, admit, visit=visit, cls=cls,
                                         admit=admit, payer=coverage))  # fmt: skip


def test_review_outcomes_and_their_checks(session: Session) -> None:
    payer(session, "P1", "commercial")
    _admit(session, "V1", ("P1", "P1 PLAN"))
    review = create_review(session, visit_number="V1", outcome="not_met",
                           criteria_set=" MCG 28th ed. ", reviewer="RN Lee",
                           reviewed_at=T(2026, 1, 5, 10), level="O")  # fmt: skip
    assert (review.outcome, review.criteria_set, review.level) == ("not_met", "MCG 28th ed.", "O")
    with pytest.raises(InputError, match="expected one of met, not_met, escalate"):
        create_review(session, visit_number="V1", outcome="maybe", criteria_set="MCG",
                      reviewer="RN Lee", reviewed_at=T(2026, 1, 5, 10))  # fmt: skip
    with pytest.raises(InputError, match="criteria set"):
        create_review(session, visit_number="V1", outcome="met", criteria_set=" ",
                      reviewer="RN Lee", reviewed_at=T(2026, 1, 5, 10))  # fmt: skip
    with pytest.raises(NotFoundError, match="V404"):
        create_review(session, visit_number="V404", outcome="met", criteria_set="MCG",
                      reviewer="RN Lee", reviewed_at=T(2026, 1, 5, 10))  # fmt: skip
    assert set_authorized_days(session, visit_number="V1", days=3).authorized_days == 3


def test_escalation_and_peer_to_peer_inside_the_payers_window(session: Session) -> None:
    payer(session, "P1", "commercial")  # ur.yaml: commercial p2p window 72 hours
    _admit(session, "V1", ("P1", "P1 PLAN"))
    create_review(session, visit_number="V1", outcome="escalate", criteria_set="InterQual",
                  reviewer="RN Lee", reviewed_at=T(2026, 1, 5, 10))  # fmt: skip
    esc = escalate(session, visit_number="V1", advisor="Dr Advisor", requested_at=T(2026, 1, 5, 11))
    assert esc.window_ends_at == T(2026, 1, 8, 11)
    assert esc.review_id is not None and esc.outcome == "pending"
    with pytest.raises(InputError, match="schedule the peer-to-peer first"):
        record_p2p(session, escalation_id=esc.id, outcome="overturned", at=T(2026, 1, 6))
    with pytest.raises(InputError, match="outside the payer's window"):
        schedule_p2p(session, escalation_id=esc.id, at=T(2026, 1, 8, 12))
    assert schedule_p2p(session, escalation_id=esc.id, at=T(2026, 1, 8, 11)).p2p_at == T(
        2026, 1, 8, 11
    )
    done = record_p2p(session, escalation_id=esc.id, outcome="overturned", at=T(2026, 1, 8, 12))
    assert (done.outcome, done.outcome_at) == ("overturned", T(2026, 1, 8, 12))
    with pytest.raises(InputError, match="overturned, upheld or no_p2p"):
        record_p2p(session, escalation_id=esc.id, outcome="pending", at=T(2026, 1, 8, 12))


def test_medicare_offers_no_peer_to_peer(session: Session) -> None:
    payer(session, "MCR", "medicare")
    _admit(session, "V2", ("MCR", "MCR PLAN"))
    esc = escalate(session, visit_number="V2", advisor="Dr Advisor", requested_at=T(2026, 1, 5, 11))
    assert esc.outcome == "no_p2p"
    with pytest.raises(InputError, match="no peer-to-peer"):
        schedule_p2p(session, escalation_id=esc.id, at=T(2026, 1, 5, 12))


def test_kpis_close_the_loop(session: Session) -> None:
    p1 = payer(session, "P1", "commercial")
    cov = ("P1", "P1 PLAN")
    # V1: observation, then inpatient, home after one midnight; reviewed; denied level of care.
    _admit(session, "V1", cov, cls="O", admit="202601051400")
    handle_message(session, text=message("V1-2", "A06", "202601052200", visit="V1",
                                         admit="202601051400"))  # fmt: skip
    leave = message("V1-3", "A03", "202601061100", visit="V1", admit="202601051400",
                    discharge="202601061100")  # fmt: skip
    handle_message(session, text=leave)
    create_review(session, visit_number="V1", outcome="met", criteria_set="InterQual",
                  reviewer="RN Lee", reviewed_at=T(2026, 1, 5, 23))  # fmt: skip
    # V2: inpatient three midnights, denied length of stay; V3: two midnights, paid.
    for visit, leave in (("V2", "202601081100"), ("V3", "202601071100")):
        _admit(session, visit, cov)
        handle_message(session, text=message(f"{visit}-3", "A03", leave, visit=visit,
                                             discharge=leave))  # fmt: skip
    # V4: observation only, paid.
    _admit(session, "V4", cov, cls="O", admit="202601051400")
    leave = message("V4-3", "A03", "202601061000", visit="V4", cls="O", admit="202601051400",
                    discharge="202601061000")  # fmt: skip
    handle_message(session, text=leave)
    # V5: still in house, not counted.
    _admit(session, "V5", cov)
    remit = remittance(session)
    paid = dt.date(2026, 2, 1)
    for visit, cause in (("V1", "level_of_care"), ("V2", "length_of_stay"), ("V3", None),
                         ("V4", None)):  # fmt: skip
        inpatient_claim(session, number=visit, payer=p1, drg="195", adjudicated=paid,
                        denied_for=cause, remit=remit)  # fmt: skip
    for visit, outcome in (("V1", "overturned"), ("V2", "upheld"), ("V3", None)):
        esc = escalate(session, visit_number=visit, advisor="Dr A", requested_at=T(2026, 1, 5, 12))
        if outcome:
            schedule_p2p(session, escalation_id=esc.id, at=T(2026, 1, 6, 9))
            record_p2p(session, escalation_id=esc.id, outcome=outcome, at=T(2026, 1, 6, 10))
    k = ur_kpis(session)
    assert k.linked_stays == 4
    assert (k.reviewed_denied.part, k.reviewed_denied.whole) == (1, 1)
    assert (k.unreviewed_denied.part, k.unreviewed_denied.whole) == (1, 3)
    assert k.by_cause == {"level_of_care": {"reviewed": 1, "unreviewed": 0},
                          "length_of_stay": {"reviewed": 0, "unreviewed": 1}}  # fmt: skip
    assert (k.observation_to_inpatient.part, k.observation_to_inpatient.whole) == (1, 2)
    assert (k.short_stays.part, k.short_stays.whole) == (1, 3)  # V1 (1 midnight) of V1-V3
    assert (k.p2p_overturned.part, k.p2p_overturned.whole) == (1, 2)
    assert k.p2p_overturned.rate == 0.5
    # A period: only stays discharged on 6 January (V1 and V4).
    day = ur_kpis(session, start=dt.date(2026, 1, 6), end=dt.date(2026, 1, 6))
    assert (day.observation_to_inpatient.part, day.observation_to_inpatient.whole) == (1, 2)
    assert day.short_stays.whole == 1
    # The stay's whole story: class changes, the review, the p2p, its claim and 835.
    story = stay_record(session, visit_number="V1")
    assert [c["event"] for c in story["changes"]] == ["A04", "A06", "A03"]
    assert [(r["outcome"], r["criteria_set"]) for r in story["reviews"]] == [("met", "InterQual")]
    assert [e["outcome"] for e in story["escalations"]] == ["overturned"]
    assert story["claim"]["control_number"] == "V1"
    assert story["claim"]["remittances"][0]["root_causes"] == ["level_of_care"]
    assert stay_record(session, visit_number="V5")["claim"] is None
