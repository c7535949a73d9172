"""docs/scrub.md documents every rule, option and JSON key."""

from __future__ import annotations

from pathlib import Path

from denialscope.scrub.packs import DEFAULT_THRESHOLDS
from denialscope.scrub.registry import all_rules

DOC = (Path(__file__).parents[2] / "docs" / "scrub.md").read_text("utf-8")


def test_every_rule_is_documented() -> None:
    for rule in all_rules():
        assert f"| `{rule.id}` | {rule.category} |" in DOC, rule.id


def test_options_keys_and_thresholds_are_documented() -> None:
    names = ["--format", "--pack", "--store", "--database", "--data-dir", "--min-volume"]
    names += ["--min-rate", "--setting", "load-ncci", "load-mue", "backtest"]
    names += ["claim_id", "line", "rule", "category", "severity", "message", "suggestion"]
    names += [*DEFAULT_THRESHOLDS, "prior_auth:", "coverage:", "code_lists:", "payers:"]
    for name in names:
        assert name in DOC, name
