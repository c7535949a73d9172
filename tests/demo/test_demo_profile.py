"""profile.json and ground_truth_claims.csv: the realized figures, true to the files."""

from __future__ import annotations

import csv
import json
from collections import Counter

from denialscope.reference import msdrg_weights
from factories.demo_text import DemoData


def test_profile_figures_are_in_the_published_ranges(demo: DemoData) -> None:
    p = json.loads(demo.result.profile.read_text())
    assert 1.5 <= p["case_mix_index"] <= 1.9
    assert 0.28 <= p["mcc_share_medical"] <= 0.42
    assert 0.10 <= p["denial_rate_count"] <= 0.15
    assert 0.08 <= p["auth_denial_share"] <= 0.16
    assert 0.18 <= p["eligibility_registration_share"] <= 0.32
    assert p["line_level_denial_share"] >= 0.3
    assert p["drg_downgrade_claims"] > 0
    assert p["months_with_claims"] == 12
    assert set(p["payer_kinds"]) == {"medicare", "medicare_advantage", "medicaid",
                                     "managed_medicaid", "commercial"}  # fmt: skip
    rates = p["denial_rate_by_payer_kind"]
    assert rates["medicare_advantage"] > 1.4 * rates["medicare"]  # MA denies more than FFS
    assert {"CO", "OA", "PI"} <= set(p["denial_group_codes"])


def test_drg_downgrades_show_in_the_835(demo: DemoData) -> None:
    """CLP11 below the billed DRG exactly on the claims the profile counts."""
    p = json.loads(demo.result.profile.read_text())
    billed = {c.claim_id: c.drg for c in demo.claims if c.frequency == "1" and c.drg}
    weights = msdrg_weights()
    lower = set()
    for clp in demo.clps:
        if clp.drg and clp.claim_id in billed and clp.drg != billed[clp.claim_id]:
            assert weights[clp.drg].weight < weights[billed[clp.claim_id]].weight
            assert any(r in ("50", "150") for _, r, _ in clp.all_cas())
            lower.add(clp.claim_id)
    assert len(lower) == p["drg_downgrade_claims"]


def test_claims_truth_has_every_claim_with_its_probability(demo: DemoData) -> None:
    with demo.result.claims_csv.open() as fh:
        rows = list(csv.DictReader(fh))
    truth = json.loads(demo.result.ground_truth.read_text())
    assert len(rows) == truth["summary"]["claims_submitted"]
    assert sum(int(r["denied"]) for r in rows) == truth["summary"]["initially_denied"]
    probabilities = [float(r["p_denial"]) for r in rows]
    assert all(0 < x < 1 for x in probabilities)
    # The probabilities are calibrated: their sum is the expected count of denials.
    expected = sum(probabilities)
    assert abs(expected - truth["summary"]["initially_denied"]) < 4 * expected**0.5
    assert Counter(r["payer_kind"] for r in rows)["medicare_advantage"] > 0
    assert {"p_denial", "payer", "family", "drg_weight", "los"} <= set(rows[0])
