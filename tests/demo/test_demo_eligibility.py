"""The demo's 271 eligibility responses: readable, truthful about coverage ends, and
re-checking about half of the claims before billing."""

from __future__ import annotations

import csv
import datetime as dt

from denialscope.demo.write271 import RECHECK_SHARE
from denialscope.eligibility.records import EligibilityResponse
from denialscope.x12.reader import open_x12
from factories.demo_text import DemoData, segments


def _day(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def test_every_271_reads_without_a_problem(demo: DemoData) -> None:
    files = demo.result.files_271
    assert files and all(p.parent.name == "271" for p in files)
    statuses: set[str] = set()
    for path in files:
        with open_x12(path) as reader:
            found = [r for r in reader if isinstance(r, EligibilityResponse)]
            assert not [d for d in reader.diagnostics if d.severity.name == "ERROR"], path
        assert found and not [r.problem for r in found if r.problem], path
        statuses |= {r.status for r in found}
    assert statuses == {"active", "inactive"}


def test_responses_tell_the_coverage_end_and_half_the_claims_are_rechecked(
    demo: DemoData,
) -> None:
    with demo.result.claims_csv.open(encoding="utf-8", newline="") as fh:
        ended = {r["claim_id"] for r in csv.DictReader(fh) if r["coverage_ended"] == "True"}
    starts = {c.claim_id: _day(c.start) for c in demo.claims}
    answers: list[tuple[str, dt.date, str, dt.date | None]] = []
    for path in demo.result.files_271:
        day = None
        for seg in segments(path):
            if seg[0] == "BHT":
                day = _day(seg[4])
            elif seg[0] == "TRN":
                claim = seg[2].rsplit("-", 1)[0]
                end = None
            elif seg[0] == "DTP" and seg[1] == "347":
                end = _day(seg[3])
            elif seg[0] == "EB":
                assert day is not None
                answers.append((claim, day, seg[1], end))
    by_claim: dict[str, int] = {}
    for claim, day, eb, end in answers:
        by_claim[claim] = by_claim.get(claim, 0) + 1
        assert day >= starts[claim]  # asked on the day of service or later
        if claim in ended:  # the claim's coverage had ended before its service
            assert eb == "6" and end is not None and end < starts[claim]
    checked = [c for c in ended if c in by_claim]
    assert checked, "some coverage-ended claims were verified"
    # a claim has its registration check (first visit) and/or a re-check: about half of
    # the claims are re-checked, so a re-check share within 5 points of RECHECK_SHARE
    rechecked = sum(1 for c in starts if by_claim.get(c, 0) == 2)
    assert rechecked / len(starts) <= RECHECK_SHARE + 0.05
    assert len(by_claim) / len(starts) >= RECHECK_SHARE - 0.05
