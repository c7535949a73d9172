"""Near-certain denials (demo.certain): late claims, stale coverage, non-covered procedures."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from denialscope.demo import certain, generate_demo
from denialscope.demo import denial_model as dm
from denialscope.demo.load import load_demo
from denialscope.demo.period import TODAY
from denialscope.scrub.packs import load_pack
from denialscope.settings import Settings
from factories.demo_text import DemoData

VISIT = dm.ClaimFacts(
    payer="MCR", payer_kind="medicare", kind="office", family="em", department="RPG-PC",
    service_line="primary_care", template="pc_visit", service_date=date(2025, 1, 10),
    drg_weight=None, cpt_lines=1, has_modifier_line=False, has_multi_unit=False,
    professional=True, timely_limit_days=365,
)  # fmt: skip


def test_a_claim_400_days_after_service_with_a_365_day_limit_is_almost_surely_denied() -> None:
    ordinary = dm.cause_probabilities(VISIT)
    late = dm.cause_probabilities(replace(VISIT, days_past_limit=400 - 365))
    assert "timely_filing" not in ordinary  # on time: never a timely-filing denial
    # Hand-computed: timely filing fires with 0.985; else (0.015) the ordinary model decides.
    assert late["timely_filing"] == pytest.approx(0.985)
    assert sum(late.values()) == pytest.approx(0.985 + 0.015 * sum(ordinary.values()))
    assert sum(late.values()) >= 0.97
    for cause, p in ordinary.items():
        assert late[cause] == pytest.approx(0.015 * p)


def test_near_certain_causes_combine_as_mutually_exclusive_draws() -> None:
    combined = certain.combine(
        {"eligibility_terminated": 0.97, "timely_filing": 0.985},
        {"eligibility_terminated": 0.05, "missing_information": 0.10},
    )
    # 0.97; then 0.03 x 0.985; then 0.03 x 0.015 = 0.00045 left for the ordinary causes.
    assert combined["eligibility_terminated"] == pytest.approx(0.97 + 0.00045 * 0.05)
    assert combined["timely_filing"] == pytest.approx(0.03 * 0.985)
    assert combined["missing_information"] == pytest.approx(0.00045 * 0.10)
    assert sum(combined.values()) < 1


def test_stale_coverage_and_non_covered_procedures() -> None:
    end = date(2025, 3, 1)
    assert not certain.coverage_ended(end, date(2025, 2, 28))
    assert not certain.coverage_ended(end, end)  # covered through its last day
    assert certain.coverage_ended(end, date(2025, 3, 2))
    assert certain.coverage_ended(end, end + timedelta(days=90))
    assert not certain.coverage_ended(end, end + timedelta(days=91))  # registration fixed it
    assert not certain.coverage_ended(None, date(2025, 6, 1))
    # Medicare excludes routine physicals; a commercial plan does not list them.
    assert certain.noncovered_lines("MCR", ["99397", "36415", "99396"]) == 2
    assert certain.noncovered_lines("SHP", ["99397"]) == 0
    stale = dm.cause_probabilities(replace(VISIT, coverage_ended=True))
    assert stale["eligibility_terminated"] >= 0.97
    noncovered = dm.cause_probabilities(replace(VISIT, noncovered_lines=1))
    assert noncovered["coverage_noncovered"] >= 0.975


def test_a_late_claim_is_only_made_when_its_remit_can_arrive_before_today() -> None:
    rng = random.Random(1)
    saved = dict(certain.NEAR_CERTAIN)
    certain.NEAR_CERTAIN["late_filing_rate"] = 1.0
    try:
        early = certain.late_days(rng, filing_from=date(2025, 2, 1), limit_days=90)
        # 365 + 30 + 35 days after 1 June 2025 is after the demo's today: sent on time.
        too_late = certain.late_days(rng, filing_from=date(2025, 6, 1), limit_days=365)
    finally:
        certain.NEAR_CERTAIN.update(saved)
    assert 90 + 5 <= early <= 90 + 30
    assert date(2025, 2, 1) + timedelta(days=early + 35) <= TODAY
    assert too_late == 0


def test_the_generated_truth_holds_the_near_certain_claims(demo: DemoData) -> None:
    with demo.result.claims_csv.open() as fh:
        rows = list(csv.DictReader(fh))
    with (demo.result.out_dir / "ground_truth_denials.csv").open() as fh:
        carcs = {r["claim_id"]: r["carc"] for r in csv.DictReader(fh)}
    late = [r for r in rows if int(r["days_past_limit"]) > 0]
    stale = [r for r in rows if r["coverage_ended"] == "True"]
    noncovered = [r for r in rows if int(r["noncovered_lines"]) > 0]
    assert late and stale and noncovered
    for group, carc in ((late, {"29"}), (stale, {"27", "26"}), (noncovered, {"96"})):
        assert all(float(r["p_denial"]) >= 0.97 for r in group)
        hits = sum(1 for r in group if carcs.get(r["claim_id"]) in carc)
        # p about 0.97-0.985: of a few dozen claims, payers miss one or two.
        assert hits >= len(group) - 2
    # The other claims stay below the near-certain level (the old 0.9 cap).
    others = [r for r in rows if r not in late + stale + noncovered]
    assert max(float(r["p_denial"]) for r in others) <= 0.9


def test_the_demo_payers_filing_limits_become_the_data_directorys_rule_pack(
    tmp_path: Path,
) -> None:
    result = generate_demo(tmp_path / "demo", claims=150, seed=3)
    assert result.scrub_pack is not None
    pack = load_pack(result.scrub_pack)
    assert pack.filing_limit("SHP01") == 90 and pack.filing_limit("04312") == 365
    fresh = Settings.resolve(data_dir=tmp_path / "fresh", environ={})
    load_demo(result=result, where=fresh)
    assert load_pack(fresh.scrub_pack_file).filing_limit("SHP01") == 90
    # A data directory with a pack of its own keeps it.
    own = Settings.resolve(data_dir=tmp_path / "own", environ={})
    own.scrub_pack_file.write_text("version: 1\n", encoding="utf-8")
    load_demo(result=result, where=own)
    assert own.scrub_pack_file.read_text(encoding="utf-8") == "version: 1\n"
