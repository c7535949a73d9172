"""Every rule's pass and fail cases, from the data files in cases/<rule id>.yaml."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from denialscope.scrub import ScrubContext, parse_pack, scrub_claims
from denialscope.scrub.mue import MueIndex, build_mue_index
from denialscope.scrub.ncci import PtpIndex, build_ptp_index
from denialscope.scrub.registry import all_rules, rule_by_id
from factories.claim837 import build_claim
from factories.ncci import MUE_HEADING, PTP_HEADING

CASES = Path(__file__).parent / "cases"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return data


def _params() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = _load(path)
        for case in data["cases"]:
            out.append(pytest.param(path, case, id=f"{path.stem}: {case['name']}"))
    return out


def _context(data: dict[str, Any], tmp_path: Path) -> ScrubContext:
    context = ScrubContext()
    if "pack" in data:
        context.pack = parse_pack(yaml.safe_dump(data["pack"]), source="case pack")
    if "ptp" in data:
        source = tmp_path / "ccipra-v321r0-f1.txt"
        source.write_text("\n".join(PTP_HEADING + data["ptp"]) + "\n", encoding="utf-8")
        build_ptp_index([source], tmp_path / "ptp")
        context.ncci = {"practitioner": PtpIndex(tmp_path / "ptp")}
    if "mue" in data:
        source = tmp_path / "MCR_MUE_PractitionerServices.csv"
        source.write_text("\n".join(MUE_HEADING + data["mue"]) + "\n", encoding="utf-8")
        build_mue_index([source], tmp_path / "mue.json")
        context.mue = {"practitioner": MueIndex.open(tmp_path / "mue.json")}
    if "submission_date" in data:
        context.submission_date = date.fromisoformat(str(data["submission_date"]))
    return context


@pytest.mark.parametrize(("path", "case"), _params())
def test_rule_case(path: Path, case: dict[str, Any], tmp_path: Path) -> None:
    data = _load(path)
    rule = rule_by_id(data["rule"])()
    context = _context(data, tmp_path)
    claims = [build_claim(c) for c in case.get("before", [])] + [build_claim(case["claim"])]
    results = list(scrub_claims(claims, context=context, rules=[rule]))
    found = results[-1].findings
    got = sorted((f.line or 0, f.severity) for f in found)
    want = sorted((e.get("line") or 0, e.get("severity", rule.severity)) for e in case["expect"])
    assert got == want, [f.message for f in found]
    for finding, expected in zip(
        sorted(found, key=lambda f: f.line or 0),
        sorted(case["expect"], key=lambda e: e.get("line") or 0),
        strict=True,
    ):
        assert finding.rule == rule.id and finding.category == rule.category
        assert finding.suggestion
        if "message" in expected:
            assert expected["message"] in finding.message
        if "suggestion" in expected:
            assert expected["suggestion"] in finding.suggestion


def test_every_rule_has_cases_that_pass_and_fail() -> None:
    covered: dict[str, set[bool]] = {}
    for path in CASES.glob("*.yaml"):
        data = _load(path)
        assert path.stem == data["rule"], f"{path.name} must be named after its rule"
        covered[data["rule"]] = {bool(c["expect"]) for c in data["cases"]}
    for rule in all_rules():
        assert covered.get(rule.id) == {True, False}, f"{rule.id} needs pass and fail cases"
        assert rule.documentation().count("\n") >= 3, f"{rule.id} needs documentation"


def test_default_claim_is_clean_on_every_rule(tmp_path: Path) -> None:
    [result] = scrub_claims([build_claim()], context=ScrubContext())
    assert result.findings == []
    assert result.clean
