"""Authorization denials follow the classifier: inpatient CO-197 is concurrent review."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from denialscope.demo import denial_model as dm
from factories.demo_text import DemoData

OUTPATIENT_MRI = dm.ClaimFacts(
    payer="SHP", payer_kind="commercial", kind="outpatient", family="advanced_imaging",
    department="RMC-IMG", service_line="imaging", template="mri", service_date=date(2025, 3, 3),
    drg_weight=None, cpt_lines=1, has_modifier_line=False, has_multi_unit=False,
    professional=False, timely_limit_days=180,
)  # fmt: skip
STAY = replace(
    OUTPATIENT_MRI, kind="inpatient", family="inpatient_medical", drg_weight=Decimal("1.5"),
    cpt_lines=0, department="RMC-MED", service_line="medicine", los=4,
)  # fmt: skip


def test_an_inpatient_stay_gets_concurrent_review_never_auth_not_obtained() -> None:
    stay = dm.cause_probabilities(STAY)
    outpatient = dm.cause_probabilities(OUTPATIENT_MRI)
    assert "concurrent_review" in stay and "auth_not_obtained" not in stay
    assert "auth_not_obtained" in outpatient and "concurrent_review" not in outpatient
    # Medicare fee-for-service needs no authorization: neither cause applies.
    medicare = dm.cause_probabilities(replace(STAY, payer="MCR", payer_kind="medicare"))
    assert "concurrent_review" not in medicare and "auth_not_obtained" not in medicare


def test_a_planted_signal_may_pass_the_ordinary_cap_but_not_its_own() -> None:
    cardiology = replace(
        OUTPATIENT_MRI, department="RMC-CARD", service_line="cardiology", family="diagnostic"
    )
    plain = dm.cause_probabilities(cardiology, with_signals=False)["medical_necessity"]
    boosted = dm.cause_probabilities(cardiology)["medical_necessity"]
    assert boosted == min(plain * 12, dm.MAX_SIGNAL_P)
    huge = (dm.Signal("test", "medical_necessity", 1e6, payer="SHP"),)
    assert dm.signal_multiplier("medical_necessity", cardiology, huge) == 1e6
    without = dm.cause_probabilities(replace(cardiology, payer="BHH", payer_kind="commercial"))
    assert without["medical_necessity"] <= dm.MAX_CAUSE_P


def test_every_inpatient_co197_in_the_truth_is_concurrent_review(demo: DemoData) -> None:
    path = demo.result.out_dir / "ground_truth_denials.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    inpatient_197 = [r for r in rows if r["carc"] == "197" and r["kind"] == "inpatient"]
    assert inpatient_197, "the demo should hold days-beyond-authorization denials"
    assert {r["root_cause"] for r in inpatient_197} == {"concurrent_review"}
    assert {r["stream"] for r in inpatient_197} == {"clinical"}
    other_197 = [r for r in rows if r["carc"] == "197" and r["kind"] != "inpatient"]
    assert other_197 and {r["root_cause"] for r in other_197} == {"auth_not_obtained"}


def test_a_short_stay_is_denied_for_status_mostly_when_ordered_as_short() -> None:
    short_stay = replace(STAY, los=1, payer="MAH", payer_kind="medicare_advantage")
    unknown = dm.cause_probabilities(short_stay)["level_of_care"]
    ordered_short = dm.cause_probabilities(replace(short_stay, expected_midnights=1))
    ordered_long = dm.cause_probabilities(replace(short_stay, expected_midnights=3))
    assert ordered_short["level_of_care"] == pytest.approx(unknown * 1.7)
    assert ordered_long["level_of_care"] == pytest.approx(unknown * 0.35)
    # Fee-for-service Medicare protects a documented two-midnight expectation more.
    medicare = replace(short_stay, payer="MCR", payer_kind="medicare")
    assert dm.cause_probabilities(replace(medicare, expected_midnights=3))[
        "level_of_care"
    ] == pytest.approx(dm.cause_probabilities(medicare)["level_of_care"] * 0.15)
