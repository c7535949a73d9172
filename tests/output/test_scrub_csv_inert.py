"""scrub --format csv: a claim number from the file that looks like a formula stays text."""

from __future__ import annotations

import csv
import io
from typing import Any

from denialscope.cli.scrub import render
from denialscope.scrub.finding import Finding
from denialscope.scrub.runner import ClaimResult
from denialscope.scrub.service import summarize


def test_scrub_csv_cells_are_inert() -> None:
    finding = Finding(claim_id="=cmd|' /C calc'!A0", line=1, rule="r.x", category="coding",
                      severity="reject", message="@SUM(1)", suggestion="fix it")  # fmt: skip
    claim: Any = None  # render reads only the findings
    result = ClaimResult(claim_id=finding.claim_id, claim=claim, findings=[finding])
    (row,) = csv.DictReader(io.StringIO(render(summarize([result]), "csv")))
    assert row["claim_id"] == "'=cmd|' /C calc'!A0"
    assert row["message"] == "'@SUM(1)"
    assert (row["line"], row["suggestion"]) == ("1", "fix it")
