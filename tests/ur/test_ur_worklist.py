"""The worklist on both databases: ranking by dollars x payer history x urgency, hand computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy.orm import Session

from denialscope.adt.service import handle_message
from denialscope.errors import InputError
from denialscope.ur.worklist import build_worklist
from factories.hl7 import message
from factories.stays import inpatient_claim, payer, remittance

NOON = dt.datetime(2026, 1, 5, 12)


@pytest.fixture
def stays(session: Session) -> Session:
    commercial = payer(session, "P1", "commercial")
    medicare = payer(session, "MCR", "medicare")
    remit = remittance(session)
    seen = dt.date(2026, 1, 1)
    for i, cause in enumerate(["level_of_care", None, None, None]):
        inpatient_claim(session, number=f"H{i}", payer=commercial, drg="195", adjudicated=seen,
                        denied_for=cause, remit=remit)  # fmt: skip
    inpatient_claim(session, number="H4", payer=medicare, drg="195", adjudicated=seen,
                    remit=remit, member="MEMX")  # fmt: skip
    inpatient_claim(session, number="H5", payer=medicare, drg="195", adjudicated=seen, remit=remit)
    # Adjudicated after the worklist's day: a replay must not see it.
    late = dt.date(2026, 1, 6)
    inpatient_claim(session, number="H6", payer=medicare, drg="195", adjudicated=late,
                    denied_for="length_of_stay", remit=remit)  # fmt: skip
    for control, visit, coverage, member in (("A", "V1", ("P1", "P1 PLAN"), "MEM1"),
                                             ("B", "V2", ("MCR", "MCR PLAN"), "MEM2"),
                                             ("C", "V3", None, "MEMX")):  # fmt: skip
        handle_message(session, text=message(f"{control}1", "A01", "202601050800", visit=visit,
                                             payer=coverage, member=member))  # fmt: skip
        handle_message(session, text=message(f"{control}2", "A08", "202601051030", visit=visit,
                                             dx=("J18.9",), member=member))  # fmt: skip
    return session


def test_ranked_by_hand_computed_expected_loss(stays: Session) -> None:
    rows = build_worklist(stays, as_of=NOON)
    assert [r.visit_number for r in rows[:1]] == ["V1"]
    by_visit = {r.visit_number: r for r in rows}
    v1, v2, v3 = by_visit["V1"], by_visit["V2"], by_visit["V3"]
    assert v1.drg is not None and v1.drg.drg == "195" and v1.drg.weight == Decimal("0.6285")
    # Status impact: weight x the payer's base rate - its observation payment (ur.yaml).
    assert v1.dollars == Decimal("2170.75")  # 0.6285 x 9,500 - 3,800 (commercial)
    assert v2.dollars == Decimal("1673.80")  # 0.6285 x 6,800 - 2,600 (default, Medicare)
    # History before 5 January: 6 stays; 1 denied for status (H0), none for days (H6 is
    # adjudicated later). Per cause, the payer's rate is shrunk toward its kind's, then the
    # overall; all six are DRG 195 (GMLOS 2.2) stays in house on day 0 (no discharge date), as
    # V1 and V2 are; past stays have no ADT record, so the service factor is 1 (0/0).
    base = 2 / 56  # status: (1 + 1) / (6 + 50)
    relative = ((1 + 20 * base) / (6 + 20)) / base  # GMLOS 2-3, day 0: 1 of 6
    commercial = (1 + 20 * base) / 24  # commercial payers: 1 of 4
    p1_status = (1 + 20 * commercial) / 24 * relative  # payer P1: 1 of 4
    days_base = 1 / 56  # days: (0 + 1) / (6 + 50)
    days_relative = (20 * days_base / 26) / days_base  # GMLOS 2-3, day 0: 0 of 6
    p1_days = (20 * (20 * days_base / 24) / 24) * days_relative
    status, days = v1.risks
    assert (status.cause, days.cause) == ("level_of_care", "length_of_stay")
    assert status.probability == pytest.approx(p1_status)
    assert days.probability == pytest.approx(p1_days)
    assert v1.denial_rate == pytest.approx(p1_status + p1_days)
    # Dollars per cause: the status impact; no days denial seen yet: 25 % of 5,970.75.
    assert status.dollars == Decimal("2170.75") and days.dollars == Decimal("1492.69")
    expected = p1_status * 2170.75 + p1_days * 1492.69
    assert v1.expected_loss == Decimal(f"{expected:.2f}")
    assert v1.expected_loss == status.expected_loss + days.expected_loss
    # Both just admitted: the status review is open, urgency 1.
    assert v1.urgency == v2.urgency == 1.0
    assert v1.score == pytest.approx(expected)
    medicare = (0 + 20 * base) / 22  # Medicare: 0 of 2
    v2_status = (0 + 20 * medicare) / 22 * relative
    assert v2.risks[0].probability == pytest.approx(v2_status)
    assert v1.score > v2.score
    assert v1.denial_basis.startswith(
        "status: P 18.7% [payer 1/4 (commercial 1/4) x GMLOS 2-3, day 0 1/6 vs all 1/6 (x1.85)"
        " x service MED 0/0 (x1.00); payer x DRG 193-195 1/4: too few to count]"  # family of 195
        " x $2,170.75 [$5,970.75 - observation $3,800.00]; days: P 1.0% [payer 0/4"
    )
    assert "25% assumed (no days denial yet) of $5,970.75" in v1.denial_basis
    assert "0.6285 x $9,500.00" in v1.dollars_basis
    # No IN1 on V3: the payer of the patient's latest claim (member MEMX) is used.
    assert v3.payer == "MCR PLAN"
    assert v3.denial_rate == pytest.approx(v2.denial_rate)
    assert v1.to_dict()["causes"][0] == {
        "cause": "level_of_care", "probability": round(p1_status, 4), "dollars": "2170.75",
        "expected_loss": str(status.expected_loss), "source": "history", "basis": status.basis,
    }  # fmt: skip
    assert v1.to_dict()["p_source"] == "history"  # no stay-day model given


def test_likely_sort_puts_the_probability_first(stays: Session) -> None:
    # A commercial stay on a heavy DRG (sepsis with shock: 871, GMLOS 3-5, a stage without a
    # past denial, so a lower probability than V1's, but more dollars): by dollars it leads,
    # by likelihood V1 does.
    handle_message(stays, text=message("D1", "A01", "202601050800", visit="V4",
                                       payer=("P1", "P1 PLAN"), member="MEM4"))  # fmt: skip
    handle_message(stays, text=message("D2", "A08", "202601051030", visit="V4",
                                       dx=("A41.9", "R65.21"), member="MEM4"))  # fmt: skip
    by_dollars = build_worklist(stays, as_of=NOON)
    likely = build_worklist(stays, as_of=NOON, sort="likely")
    assert sorted(r.visit_number for r in by_dollars) == sorted(r.visit_number for r in likely)
    assert all(a.denial_rate >= b.denial_rate for a, b in pairwise(likely))
    assert all(a.score >= b.score for a, b in pairwise(by_dollars))
    v4 = next(r for r in likely if r.visit_number == "V4")
    assert v4.drg is not None and v4.drg.weight > Decimal("0.6285")
    assert [r.visit_number for r in by_dollars[:2]] == ["V4", "V1"]
    assert likely[0].visit_number == "V1" and v4.denial_rate < likely[0].denial_rate
    with pytest.raises(InputError, match="--sort 'cost': expected one of dollars, likely"):
        build_worklist(stays, as_of=NOON, sort="cost")


def test_a_review_moves_a_stay_to_its_next_checkpoint(stays: Session) -> None:
    from denialscope.ur.reviews import create_review

    create_review(stays, visit_number="V1", outcome="met", criteria_set="InterQual 2025",
                  reviewer="RN Lee", reviewed_at=dt.datetime(2026, 1, 5, 11))  # fmt: skip
    rows = {r.visit_number: r for r in build_worklist(stays, as_of=NOON)}
    v1 = rows["V1"]
    assert v1.triggers.open == ()
    # Next: commercial concurrent review at the first midnight, 12 hours away.
    assert v1.triggers.next_at == dt.datetime(2026, 1, 6)
    assert v1.urgency == pytest.approx(24 / (24 + 12))
    assert v1.last_review_at == dt.datetime(2026, 1, 5, 11)


def test_before_the_working_diagnosis_the_drg_is_pending(stays: Session) -> None:
    rows = {r.visit_number: r for r in build_worklist(stays, as_of=dt.datetime(2026, 1, 5, 9))}
    assert rows["V1"].drg is None
    assert rows["V1"].dollars == Decimal("5700.00")  # unknown weight 1.0 x 9,500 - 3,800
    assert "DRG pending" in rows["V1"].dollars_basis


def test_discharged_stays_leave_the_live_worklist(stays: Session) -> None:
    handle_message(stays, text=message("A3", "A03", "202601061000", visit="V1",
                                       discharge="202601061000"))  # fmt: skip
    assert "V1" not in [r.visit_number for r in build_worklist(stays)]
    assert "V1" in [r.visit_number for r in build_worklist(stays, as_of=NOON)]
