"""The documentation keeps up with the code: every rule id, option and JSON key is described."""

from __future__ import annotations

import re
from pathlib import Path

from denialscope.x12 import report as report_service
from denialscope.x12.envelope import FileSummary

ROOT = Path(__file__).resolve().parents[2]
RULE = re.compile(
    r"""["'](tokenizer|envelope|element|balance|remit835|claim837|ack277ca|ack999)"""
    r"""\.([a-z0-9_]+)["']"""
)


def _rules_in_source() -> set[str]:
    rules = set()
    for path in (ROOT / "src" / "denialscope" / "x12").rglob("*.py"):
        rules.update(f"{a}.{b}" for a, b in RULE.findall(path.read_text()))
    return rules


def test_every_diagnostic_rule_is_documented() -> None:
    documented = set(
        re.findall(r"^\| `([a-z0-9_.]+)` \|", (ROOT / "docs" / "diagnostics.md").read_text(), re.M)
    )
    rules = _rules_in_source()
    assert len(rules) > 50
    assert rules - documented == set()


def test_every_option_and_json_key_is_documented() -> None:
    text = (ROOT / "docs" / "parse.md").read_text()
    for option in ("--json", "--limit"):
        assert option in text
    report = report_service.FileReport(file="f", summary=FileSummary(file="f"))
    for key in report_service.report_json(report):
        assert f"`{key}`" in text, key
    for rule in report_service.SHOWN_VALUE_RULES:
        assert f"`{rule}`" in text, rule
