"""Every context rule of the shipped defaults has cases that hit it and near misses that don't."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from denialscope.classify import ClassificationConfig, classify_adjustment

CASES_FILE = Path(__file__).with_name("rule_cases.yaml")
RULE_CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))


def _run(config: ClassificationConfig, case: dict[str, Any]) -> str:
    return classify_adjustment(
        config,
        group=case.get("group", "CO"),
        carc=str(case["carc"]),
        claim_rarcs=case.get("rarcs", ()),
        line_rarcs=case.get("line_rarcs", ()),
        claim_type=case.get("claim_type"),
        procedure_code=case.get("procedure"),
        modifiers=case.get("modifiers", ()),
        claim_paid_nothing=case.get("claim_paid_nothing"),
    ).rule_id


def test_every_context_rule_has_cases(defaults: ClassificationConfig) -> None:
    context_rules = {rule.id for rule in defaults.rules if not rule.id.startswith("carc-")}
    covered = {entry["rule"] for entry in RULE_CASES if entry["match"] and entry["no_match"]}
    assert context_rules - covered == set(), "context rules without pass/fail cases"
    assert covered - context_rules == set(), "cases for rules that no longer exist"


@pytest.mark.parametrize("entry", RULE_CASES, ids=[entry["rule"] for entry in RULE_CASES])
def test_rule_cases(defaults: ClassificationConfig, entry: dict[str, Any]) -> None:
    for case in entry["match"]:
        assert _run(defaults, case) == entry["rule"], case
    for case in entry["no_match"]:
        assert _run(defaults, case) != entry["rule"], case
