"""The payer history rate: DRG families, shrinkage toward the payer kind, the stay's stage
(GMLOS band x midnights in house) and the DRG cell past its volume floor, hand computed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from denialscope.ur.history import DenialHistory, denial_history, drg_family, gmlos_band
from factories.stays import inpatient_claim, payer, remittance

# 200 stays, 10 denied: base (10 + 1) / (200 + 50).
BASE = 11 / 250
MA_KIND = (6 + 20 * BASE) / (80 + 20)  # Medicare Advantage plans: 6 of 80
PAYER_1 = (3 + 20 * MA_KIND) / (40 + 20)  # payer 1: 3 of 40


def _history(**extra: object) -> DenialHistory:
    return DenialHistory(
        cells=extra.pop("cells", {}),  # type: ignore[arg-type]
        payers={1: (3, 40)},
        overall=(10, 200),
        kinds={"medicare_advantage": (6, 80)},
        payer_kinds={1: "medicare_advantage", 2: "medicare_advantage"},
        stages=extra.pop("stages", {}),  # type: ignore[arg-type]
        expectations=extra.pop("expectations", {}),  # type: ignore[arg-type]
    )


def test_drg_families_and_gmlos_bands() -> None:
    assert drg_family("195") == drg_family("193") == "193-195"  # pneumonia w MCC, CC, w/o
    assert drg_family("281") == "280-282"
    assert drg_family("885") == "885"  # no severity split
    assert drg_family("XYZ") == "XYZ"
    assert [gmlos_band(g) for g in (1.7, 2, 2.9, 3, 6.5)] == [
        "GMLOS under 2", "GMLOS 2-3", "GMLOS 2-3", "GMLOS 3-5", "GMLOS 5+",
    ]  # fmt: skip


def test_the_payer_rate_is_shrunk_toward_its_kind_then_every_payer() -> None:
    history = _history()
    rate = history.rate(payer_id=1, drg=None)
    assert rate.rate == pytest.approx(PAYER_1)
    assert (rate.denied, rate.stays) == (3, 40)
    assert rate.basis == "payer 3/40 (medicare_advantage 6/80)"
    # A plan of that kind with no history yet: its kind's rate, not the overall one.
    assert history.rate(payer_id=2, drg=None).rate == pytest.approx(MA_KIND)
    # A payer of unknown kind with no history, and no payer at all: the overall rate.
    assert history.rate(payer_id=9, drg=None).rate == pytest.approx(BASE)
    assert history.rate(payer_id=None, drg=None).rate == pytest.approx(BASE)


def test_the_stay_stage_scales_the_payer_rate() -> None:
    stages = {
        ("GMLOS under 2", 1): (4, 50),
        ("GMLOS 2-3", 1): (1, 30),
        ("GMLOS 3-5", 3): (0, 60),
    }
    history = _history(stages=stages)
    short = history.rate(payer_id=1, drg="313", gmlos=1.7, day=1)  # chest pain, GMLOS 1.7
    relative = ((4 + 20 * BASE) / (50 + 20)) / BASE
    assert short.rate == pytest.approx(PAYER_1 * relative)
    assert "GMLOS under 2, day 1 4/50 vs all 10/200" in short.basis
    # Past two midnights the last bucket applies, whatever the day.
    long = history.rate(payer_id=1, drg="193", gmlos=3.9, day=6)
    assert long.rate == pytest.approx(PAYER_1 * ((0 + 20 * BASE) / (60 + 20)) / BASE)
    assert "GMLOS 3-5, day 3+ 0/60" in long.basis
    assert short.rate > long.rate
    # DRG pending: every band at that day, (4 + 1) of (50 + 30).
    pending = history.rate(payer_id=1, drg=None, gmlos=None, day=1)
    assert pending.rate == pytest.approx(PAYER_1 * ((5 + 20 * BASE) / (80 + 20)) / BASE)
    assert "day 1 5/80" in pending.basis


def test_the_physicians_expectation_is_the_stage_once_past_stays_show_it() -> None:
    stages = {("GMLOS 2-3", 0): (2, 100)}
    expectations = {
        ("expected under 2 midnights", 0): (6, 40),
        ("expected 2+ midnights", 0): (1, 25),  # under the 30-stay floor
    }
    history = _history(stages=stages, expectations=expectations)
    short = history.rate(payer_id=1, drg="195", gmlos=2.2, day=0, expected_midnights=1)
    relative = ((6 + 20 * BASE) / (40 + 20)) / BASE
    assert short.rate == pytest.approx(PAYER_1 * relative)
    assert "expected under 2 midnights, day 0 6/40" in short.basis
    # Too few past stays with a 2+ expectation: the GMLOS band is the stage.
    longer = history.rate(payer_id=1, drg="195", gmlos=2.2, day=0, expected_midnights=3)
    assert "GMLOS 2-3, day 0 2/100" in longer.basis
    # No expectation in the feed: the GMLOS band, as before.
    unknown = history.rate(payer_id=1, drg="195", gmlos=2.2, day=0)
    assert unknown.rate == longer.rate


def test_the_drg_cell_counts_only_past_its_volume_floor() -> None:
    thin = _history(cells={(1, "193-195"): (2, 10)})
    rate = thin.rate(payer_id=1, drg="195")
    assert rate.rate == pytest.approx(PAYER_1)  # 10 stays: noise, left out
    assert rate.basis.endswith("payer x DRG 193-195 2/10: too few to count")
    enough = _history(cells={(1, "193-195"): (12, 30)})
    rate = enough.rate(payer_id=1, drg="195")  # billed stays 193/194 meet the working 195
    assert rate.rate == pytest.approx((12 + 20 * PAYER_1) / (30 + 20))
    assert (rate.denied, rate.stays) == (12, 30)
    assert rate.basis.endswith("; payer x DRG 193-195 12/30")


def test_denial_history_counts_payers_kinds_and_stages(session: Session) -> None:
    advantage = payer(session, "MA1", "medicare_advantage")
    commercial = payer(session, "C1", "commercial")
    remit = remittance(session)
    seen, late = dt.date(2026, 1, 1), dt.date(2026, 1, 9)
    admitted = dt.date(2025, 12, 1)
    # (number, payer, DRG, midnights, denied for, adjudicated)
    for number, plan, drg, nights, cause, when in (
        ("S1", advantage, "313", 1, "level_of_care", seen),  # GMLOS 1.7
        ("S2", advantage, "313", 4, None, seen),
        ("S3", commercial, "195", 2, "length_of_stay", seen),  # GMLOS 2.2
        ("S4", commercial, "195", 3, "concurrent_review", seen),  # not a UR cause here
        ("S5", advantage, "313", 0, "level_of_care", late),  # after the worklist's day
    ):
        claim = inpatient_claim(session, number=number, payer=plan, drg=drg, adjudicated=when,
                                denied_for=cause, remit=remit)  # fmt: skip
        claim.statement_to = admitted + dt.timedelta(days=nights)
    session.flush()
    history = denial_history(session, before=dt.date(2026, 1, 5))
    assert history.overall == (2, 4)
    assert history.payers == {advantage.id: (1, 2), commercial.id: (1, 2)}
    assert history.kinds == {"medicare_advantage": (1, 2), "commercial": (1, 2)}
    assert history.payer_kinds == {advantage.id: "medicare_advantage", commercial.id: "commercial"}
    assert history.cells == {(advantage.id, "313"): (1, 2), (commercial.id, "193-195"): (1, 2)}
    # S1 (1 midnight) is in house on days 0-1, S2 on 0-3+, S3 on 0-2, S4 on 0-3+.
    assert history.stages == {
        ("GMLOS under 2", 0): (1, 2), ("GMLOS under 2", 1): (1, 2), ("GMLOS under 2", 2): (0, 1),
        ("GMLOS under 2", 3): (0, 1),
        ("GMLOS 2-3", 0): (1, 2), ("GMLOS 2-3", 1): (1, 2), ("GMLOS 2-3", 2): (1, 2),
        ("GMLOS 2-3", 3): (0, 1),
    }  # fmt: skip
