"""The worklist-lift benchmark's oracle (``--p-from oracle``, benchmark only): it rebuilds
the demo generator's facts for a stay's claim from the ground truth's row, the billed DRG and
the generator's expectation draw, so its P per cause is the generator's own; a join that
would give other probabilities is refused. No demo is built: the rows are written here the
way ``demo.profile.write_claims_truth`` writes them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from denialscope.demo.denial_model import ClaimFacts, cause_probabilities
from denialscope.demo.encounters import expected_midnights
from denialscope.demo.profile import _FEATURES
from denialscope.reference import msdrg_weights
from denialscope.ur.risk import CauseRisk
from denialscope.ur.triggers import Triggers
from denialscope.ur.worklist import Row

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "ur_worklist_lift.py"
ADMIT = dt.date(2025, 5, 6)


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ur_worklist_lift", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ur_worklist_lift"] = module
    spec.loader.exec_module(module)
    return module


lift = _load()


def _stay(number: str, drg: str, los: int, *, payer: str = "MAH") -> ClaimFacts:
    info = msdrg_weights()[drg]
    return ClaimFacts(
        payer=payer, payer_kind="medicare_advantage" if payer == "MAH" else "commercial",
        kind="inpatient", family="inpatient_medical", department="RMC-MED",
        service_line="inpatient_medicine", template="sepsis", service_date=ADMIT,
        drg_weight=info.weight, cpt_lines=0, has_modifier_line=False, has_multi_unit=False,
        professional=False, timely_limit_days=120, los=los, downgradable=False,
        expected_midnights=expected_midnights(number, los),
        gmlos=float(info.gmlos or 0), amlos=float(info.amlos or 0),
    )  # fmt: skip


def _row(number: str, f: ClaimFacts, total: float | None = None) -> dict[str, str]:
    """A ``ground_truth_claims.csv`` row as the generator writes it."""
    p = sum(cause_probabilities(f).values()) if total is None else total
    values = [getattr(f, name) for name in _FEATURES]
    row = {"claim_id": number, "p_denial": f"{p:.6f}", "root_cause": "", "denied": "0"}
    row.update({k: "" if v is None else str(v) for k, v in zip(_FEATURES, values, strict=True)})
    row["miscoding"] = ""
    return row


def test_the_join_gives_back_the_generators_facts_and_probabilities() -> None:
    long_stay = _stay("RMC250000001", "871", 14)  # far past the AMLOS (6.4)
    short_stay = _stay("RMC250000002", "313", 1)
    obs = dataclasses.replace(
        short_stay, kind="observation", family="observation", drg_weight=None, los=0,
        expected_midnights=None, gmlos=None, amlos=None,
    )  # fmt: skip
    truth = [
        _row("RMC250000001", long_stay),
        _row("RMC250000002", short_stay),
        _row("RMC250000003", obs),
        _row("RMC250000004", long_stay),  # not a stay's claim: left out
    ]
    claims = {
        "RMC250000001": ("871", ADMIT),
        "RMC250000002": ("313", ADMIT),
        "RMC250000003": (None, ADMIT),
    }
    facts = lift.oracle_facts(truth, claims)
    assert set(facts) == set(claims)
    # Every fact the generator's model reads comes back, the GMLOS / AMLOS and the
    # physician's expectation included (neither is in the truth file).
    assert facts["RMC250000001"][0] == long_stay
    assert facts["RMC250000002"][0] == short_stay
    assert facts["RMC250000003"][0] == obs
    p = lift.oracle_probabilities(facts)
    for number, f in (("RMC250000001", long_stay), ("RMC250000002", short_stay)):
        want = cause_probabilities(f)
        assert p[number] == {c: want.get(c, 0.0) for c in lift.ORACLE_CAUSES}
    # The length-of-stay factor is in: the long stay's days risk is above the flat share.
    flat = cause_probabilities(long_stay, with_los_factor=False)["length_of_stay"]
    assert p["RMC250000001"]["length_of_stay"] > 2 * flat
    assert p["RMC250000001"]["level_of_care"] == 0.0  # not a short stay
    assert p["RMC250000002"]["level_of_care"] > 0.0
    assert p["RMC250000003"]["level_of_care"] == p["RMC250000003"]["length_of_stay"] == 0.0


def test_a_join_that_would_give_other_probabilities_is_refused() -> None:
    f = _stay("RMC250000001", "871", 14)
    with pytest.raises(ValueError, match="billed DRG"):
        lift.oracle_facts([_row("RMC250000001", f)], {"RMC250000001": ("313", ADMIT)})
    short = _stay("RMC250000002", "313", 1)
    other = dataclasses.replace(short, expected_midnights=3 - (short.expected_midnights or 1))
    written = sum(cause_probabilities(other).values())
    assert abs(written - sum(cause_probabilities(short).values())) > 1e-5
    facts = lift.oracle_facts(
        [_row("RMC250000002", short, total=written)], {"RMC250000002": ("313", ADMIT)}
    )
    with pytest.raises(ValueError, match="differ from the ground truth"):
        lift.oracle_probabilities(facts)


def test_the_oracle_changes_only_the_probabilities() -> None:
    risks = (
        CauseRisk("level_of_care", 0.02, Decimal("9000.00"), Decimal("180.00"), "h"),
        CauseRisk("length_of_stay", 0.01, Decimal("3000.00"), Decimal("30.00"), "h"),
    )
    row = Row(
        stay_id=1, visit_number="RMC250000001", facility="RMC", payer="P", payer_kind="commercial",
        patient_class="I", admit_at=dt.datetime(2025, 5, 6, 8), day=1, hours_in_class=28.0,
        attending=None, diagnoses=None, drg=None, triggers=Triggers((), None),
        last_review_at=None, dollars=Decimal("9000.00"), dollars_basis="", denial_rate=0.03,
        denial_basis="", urgency=0.5, urgency_basis="", score=105.0,
        expected_loss=Decimal("210.00"), risks=risks,
    )  # fmt: skip
    out = lift.with_oracle(row, {"level_of_care": 0.1, "length_of_stay": 0.3})
    assert [c.dollars for c in out.risks] == [c.dollars for c in risks]
    assert [c.probability for c in out.risks] == [0.1, 0.3]
    assert {c.source for c in out.risks} == {"oracle"}
    assert out.urgency == row.urgency and out.dollars == row.dollars
    assert out.denial_rate == pytest.approx(0.4)
    assert out.score == pytest.approx((0.1 * 9000 + 0.3 * 3000) * 0.5)
    assert out.expected_loss == Decimal("1800.00")
    assert lift.with_oracle(row, {}).score == 0.0  # a stay without a claim: no P
