"""Every synthetic 837 fixture read end-to-end through open_x12, compared with the JSON beside it.

The JSON files hold the expected claims (``Claim.to_dict()``), summary counters and
diagnostics. After a deliberate change of the records, rewrite them with
``DENIALSCOPE_REGEN_FIXTURES=1 pytest tests/x12/test_claim837_fixtures.py`` and review the
diff line by line before committing: the test then fails until the variable is unset.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from denialscope.x12.claim837 import Claim
from denialscope.x12.reader import open_x12

FIXTURES = Path(__file__).parent / "fixtures" / "837"
EDI_FILES = sorted(FIXTURES.glob("*.edi"))


def read_fixture(path: Path) -> dict[str, Any]:
    with open_x12(path, name=path.name) as reader:
        claims = [rec.to_dict() for rec in reader if isinstance(rec, Claim)]
        s = reader.summary
        return {
            "summary": {
                "kinds": s.kinds,
                "claims": s.claims,
                "service_lines": s.service_lines,
                "total_charge": str(s.total_charge),
                "adjustments": s.adjustments,
            },
            "diagnostics": [
                [d.severity.value, d.rule, d.segment_index, d.element] for d in reader.diagnostics
            ],
            "claims": claims,
        }


def test_every_fixture_has_expectations() -> None:
    assert EDI_FILES, "no 837 fixtures found"
    for path in EDI_FILES:
        assert path.with_suffix(".json").exists(), f"{path.name} has no expected JSON"


@pytest.mark.parametrize("path", EDI_FILES, ids=lambda p: p.stem)
def test_fixture_matches_expected(path: Path) -> None:
    got = read_fixture(path)
    expected_path = path.with_suffix(".json")
    if os.environ.get("DENIALSCOPE_REGEN_FIXTURES"):
        expected_path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        pytest.fail(f"rewrote {expected_path.name}; review it and unset the variable")
    expected = json.loads(expected_path.read_text())
    # Compare piece by piece so a failure names the part that changed.
    assert got["summary"] == expected["summary"]
    assert got["diagnostics"] == expected["diagnostics"]
    assert len(got["claims"]) == len(expected["claims"])
    for claim, want in zip(got["claims"], expected["claims"], strict=True):
        for key in sorted(set(claim) | set(want)):
            assert claim.get(key) == want.get(key), f"{claim['control_number']}: {key}"
