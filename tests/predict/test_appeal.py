"""The appeal-outcome model: trained only with enough outcomes, evaluated against Beta."""

from __future__ import annotations

from pathlib import Path

from denialscope.predict.appeal import (
    MIN_OUTCOMES,
    AppealFacts,
    fit_appeal_model,
    load_appeal_model,
    save_appeal_model,
)


def _facts(n: int) -> tuple[list[AppealFacts], list[bool]]:
    """Coding denials come back 9 times in 10, eligibility ones 1 in 10."""
    facts, won = [], []
    for i in range(n):
        coding = i % 2 == 0
        facts.append(
            AppealFacts(
                "ncci_bundling" if coding else "eligibility_terminated",
                "coding" if coding else "access",
                "7",
                "commercial",
                1,
                500.0 + i,
                10.0,
                1,
                f"2025-{1 + i * 12 // n:02d}-01",
            )
        )
        won.append(coding == (i % 20 not in (0, 1)))
    return facts, won


def test_too_few_outcomes_keep_the_beta_binomial() -> None:
    model, report = fit_appeal_model(*_facts(MIN_OUTCOMES - 1))
    assert model is None and "Beta-binomial" in report["status"]


def test_learns_recovery_by_root_cause_and_round_trips(tmp_path: Path) -> None:
    facts, won = _facts(400)
    model, report = fit_appeal_model(facts, won)
    assert model is not None and report["status"] == "trained" and report["test_decisions"] == 100
    assert report["auc"] is not None and report["auc"] > 0.8
    p = model.probability([facts[0], facts[1]])
    assert p[0] > 0.7 > 0.3 > p[1]
    assert save_appeal_model(tmp_path, model, report) == "v0001"
    again = load_appeal_model(tmp_path)
    assert again is not None and again.outcomes == 400
    assert list(again.probability([facts[0]])) == list(model.probability([facts[0]]))
