"""The days cause from the past stays' lengths (ur.los): P(final-length band | still in on day
d) and the rate of days denials per band, hand computed; only stays discharged and denials
adjudicated before the cut-off; no estimate without enough history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from denialscope.adt.models import Stay
from denialscope.ur.los import LosRisk, PastStay, band_of, past_stays
from denialscope.ur.risk import LOS_SOURCE, risk_model
from factories.stays import inpatient_claim, payer, remittance

CUT = dt.date(2026, 1, 5)
GONE = dt.datetime(2025, 12, 10, 10)  # discharged well before the cut-off
PAID = dt.date(2026, 1, 1)


def _stay(
    n: int,
    los: int,
    *,
    denied: bool = False,
    drg: str = "X",
    discharged: dt.datetime = GONE,
    adjudicated: dt.date | None = PAID,
    denied_on: dt.date = PAID,
    payer_id: int | None = None,
) -> PastStay:
    # GMLOS 3, AMLOS 4: 0-2 midnights under the GMLOS, 3-4 to the AMLOS, 5+ past it.
    return PastStay(f"V{n}", discharged, dt.date(2025, 12, 12), drg, los, 3.0, 4.0, payer_id,
                    "commercial" if payer_id else None, adjudicated,
                    denied_on if denied else None)  # fmt: skip


def _table() -> list[PastStay]:
    """40 stays: 20 of 1 midnight (none denied), 10 of 3 (2 denied), 10 of 6 (5 denied)."""
    stays = [_stay(i, 1) for i in range(20)]
    stays += [_stay(20 + i, 3, denied=i < 2) for i in range(10)]
    stays += [_stay(30 + i, 6, denied=i < 5) for i in range(10)]
    return stays


def test_bands_are_under_gmlos_to_amlos_and_past_it() -> None:
    assert [band_of(los, 3.0, 4.0) for los in (0, 2, 3, 4, 5)] == [0, 0, 1, 1, 2]


def test_the_conditional_probability_by_hand() -> None:
    risk = LosRisk.build(_table(), before=CUT)
    assert risk.band_counts == ((0, 20), (2, 10), (5, 10)) and risk.overall == (7, 40)
    base = 7 / 40
    to_amlos, past = (2 + 20 * base) / (10 + 20), (5 + 20 * base) / (10 + 20)
    # Day 0: every past stay is still in; 20/10/10 by band, pooled and for DRG X alike.
    under = (0 + 20 * base) / (20 + 20)
    day0 = risk.assess(payer_id=None, day=0, drg="X", gmlos=3, amlos=4)
    assert day0 is not None
    assert day0.probability == pytest.approx(0.5 * under + 0.25 * to_amlos + 0.25 * past)
    # Day 2: the 1-midnight stays are gone; half of those left end past the AMLOS.
    day2 = risk.assess(payer_id=None, day=2, drg="X", gmlos=3, amlos=4)
    assert day2 is not None
    assert day2.probability == pytest.approx(0.5 * to_amlos + 0.5 * past)
    assert "past stays in on day 2 of GMLOS 3/AMLOS 4: 20 relative to GMLOS 0/10/10" in day2.basis
    # Day 5: past the AMLOS already, whatever the table says.
    day5 = risk.assess(payer_id=None, day=5, drg="X", gmlos=3, amlos=4)
    assert day5 is not None and day5.probability == pytest.approx(past)
    # Another DRG (GMLOS 6, AMLOS 8) on day 4: pooled at 4/6 of the GMLOS, i.e. the past stays
    # of 2+ midnights (their GMLOS 3): 0/10/10, no stay of its own DRG to refine it.
    other = risk.assess(payer_id=None, day=4, drg="Y", gmlos=6, amlos=8)
    assert other is not None and other.probability == pytest.approx(0.5 * to_amlos + 0.5 * past)
    # A pending DRG: every past stay in on that day, by its own band.
    pending = risk.assess(payer_id=None, day=2, drg=None, gmlos=None, amlos=None)
    assert pending is not None and pending.probability == pytest.approx(day2.probability)


def test_the_same_drg_refines_the_pooled_share() -> None:
    # DRG Z: 10 more stays of 6 midnights. Pooled on day 2 (2+ midnights): 0/10/20, i.e.
    # 1/3 and 2/3; Z's own 0/0/10: shares (0 + 20 x 1/3) / 30 = 2/9 and (10 + 20 x 2/3) / 30.
    stays = [*_table(), *(_stay(100 + i, 6, drg="Z") for i in range(10))]
    risk = LosRisk.build(stays, before=CUT)
    base = 7 / 50
    to_amlos, past = (2 + 20 * base) / 30, (5 + 20 * base) / 40
    estimate = risk.assess(payer_id=None, day=2, drg="Z", gmlos=3, amlos=4)
    assert estimate is not None
    assert estimate.probability == pytest.approx(to_amlos * 2 / 9 + past * 7 / 9)


def test_the_payer_scales_it_shrunk_toward_its_kind() -> None:
    stays = _table()
    stays[30:35] = [_stay(30 + i, 6, denied=True, payer_id=1) for i in range(5)]  # P1: 5/5
    risk = LosRisk.build(stays, before=CUT)
    plain = risk.assess(payer_id=None, day=5, drg="X", gmlos=3, amlos=4)
    one = risk.assess(payer_id=1, day=5, drg="X", gmlos=3, amlos=4)
    assert plain is not None and one is not None
    base = 7 / 40
    kind = (5 + 20 * base) / (5 + 20)
    relative = (5 + 20 * kind) / (5 + 20) / base
    assert one.probability == pytest.approx(min(plain.probability * relative, 1.0))
    assert "x payer 5/5 (commercial 5/5;" in one.basis


def test_nothing_known_after_the_cut_off_counts() -> None:
    later = dt.datetime.combine(CUT, dt.time(9))
    stays = [
        *_table(),
        # Discharged after the cut-off: not in the survival table.
        _stay(200, 9, discharged=later, adjudicated=None),
        # Denied on a remittance after the cut-off: a stay not denied.
        _stay(201, 6, denied=True, denied_on=dt.date(2026, 1, 9)),
        # First paid after the cut-off: in the table (discharged before), not a label.
        _stay(202, 6, denied=True, adjudicated=dt.date(2026, 1, 9), denied_on=dt.date(2026, 1, 9)),
    ]
    risk = LosRisk.build(stays, before=CUT)
    assert {s.visit_number for s in risk.table} == {s.visit_number for s in stays} - {"V200"}
    assert risk.band_counts == ((0, 20), (2, 10), (5, 11)) and risk.overall == (7, 41)
    # A later cut-off: the two later denials count (V200 has no remittance: in the table only).
    everything = LosRisk.build(stays, before=dt.date(2026, 2, 1))
    assert everything.band_counts[2] == (7, 12) and len(everything.table) == 43


def test_too_little_history_gives_no_estimate() -> None:
    few = LosRisk.build(_table()[:29], before=CUT)  # 29 stays, no denial
    assert few.assess(payer_id=None, day=2, drg="X", gmlos=3, amlos=4) is None
    assert few.enough() == "too few past stays with a remittance (29 < 30)"
    stays = _table()
    stays[32:35] = [_stay(32 + i, 6) for i in range(3)]  # 2 + 2 denials are left
    thin = LosRisk.build(stays, before=CUT)
    assert thin.overall == (4, 40)
    assert thin.enough() == "too few days denials (4 < 5)"
    assert thin.assess(payer_id=None, day=2, drg="X", gmlos=3, amlos=4) is None


def _discharged(session: Session, number: str, discharge: dt.datetime) -> None:
    session.add(Stay(visit_number=number, status="discharged", patient_class="I", service="MED",
                     admit_at=dt.datetime(2025, 12, 1, 8), discharge_at=discharge))  # fmt: skip
    session.flush()


def test_the_stored_stays_as_known_at_the_cut_off(session: Session) -> None:
    plan = payer(session, "P1", "commercial")
    remit = remittance(session)
    for i in range(40):  # DRG 195 (GMLOS 2.2, AMLOS 2.7): 3 midnights is past the AMLOS
        denied = "length_of_stay" if i < 6 else None
        inpatient_claim(session, number=f"A{i}", payer=plan, drg="195", adjudicated=PAID,
                        denied_for=denied, remit=remit)  # fmt: skip
        _discharged(session, f"A{i}", dt.datetime(2025, 12, 4 if i < 10 else 2, 10))
    # Discharged on the cut-off day: not in the table as of the cut-off.
    inpatient_claim(session, number="L1", payer=plan, drg="195")
    _discharged(session, "L1", dt.datetime.combine(CUT, dt.time(10)))
    # Discharged before it, but its claim was neither submitted nor paid by then.
    inpatient_claim(session, number="L2", payer=plan, drg="195", adjudicated=dt.date(2026, 1, 9),
                    denied_for="length_of_stay", remit=remit)  # fmt: skip
    _discharged(session, "L2", dt.datetime(2025, 12, 20, 10))
    stays = {s.visit_number: s for s in past_stays(session)}
    assert stays["A0"].los == 3 and stays["A0"].band == 2 and stays["A10"].band == 0
    assert stays["A0"].denied == PAID and stays["A9"].denied is None
    risk = risk_model(session, before=CUT)
    assert risk.los is not None
    assert {s.visit_number for s in risk.los.table} == {f"A{i}" for i in range(40)}
    assert risk.los.band_counts == ((0, 30), (0, 0), (6, 10))
    # A stay on day 3 of DRG 195 is past its AMLOS: P = the past-AMLOS rate x its payer.
    result = risk.assess(payer_id=plan.id, drg="195", gmlos=2.2, amlos=2.7, day=3,
                         expected_midnights=None, service="MED", patient_class="I",
                         inpatient_pay=Decimal(5000), observation_pay=Decimal(0))  # fmt: skip
    days = result.causes[1]
    assert days.source == LOS_SOURCE
    base = 6 / 40
    assert days.probability == pytest.approx((6 + 20 * base) / (10 + 20))  # payer = all: x1
    assert "past AMLOS 100% x 6/10" in days.basis
