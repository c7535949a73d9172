"""The demo's 271 eligibility responses: readable, truthful about coverage ends, and
re-checking about half of the claims before billing."""

from __future__ import annotations

import csv
import datetime as dt

from denialscope.demo.write271 import PLAN_BEGIN, RECHECK_SHARE, coverage_on
from denialscope.eligibility.records import EligibilityResponse, inactive_on
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
    answers: list[tuple[str, dt.date, str, dt.date | None, dt.date | None]] = []
    claim, begin, end = "", None, None
    for path in demo.result.files_271:
        day = None
        for seg in segments(path):
            if seg[0] == "BHT":
                day = _day(seg[4])
            elif seg[0] == "TRN":
                claim, begin, end = seg[2].rsplit("-", 1)[0], None, None
            elif seg[0] == "DTP" and seg[1] in ("346", "347"):
                begin, end = (_day(seg[3]), end) if seg[1] == "346" else (begin, _day(seg[3]))
            elif seg[0] == "EB":
                assert day is not None
                answers.append((claim, day, seg[1], begin, end))
    by_claim: dict[str, int] = {}
    for claim, day, eb, begin, end in answers:
        by_claim[claim] = by_claim.get(claim, 0) + 1
        assert day >= starts[claim]  # asked on the day of service or later
        said = inactive_on(
            status="active" if eb == "1" else "inactive",  # about its own date of service
            plan_begin=begin,
            plan_end=end,
            service=starts[claim],
        )
        # truthful: no coverage on the day of service exactly for the coverage-ended claims
        assert said is (claim in ended), (claim, day)
    checked = [c for c in ended if c in by_claim]
    assert checked, "some coverage-ended claims were verified"
    # a claim has its registration check (first visit) and/or a re-check: about half of
    # the claims are re-checked, so a re-check share within 5 points of RECHECK_SHARE
    rechecked = sum(1 for c in starts if by_claim.get(c, 0) == 2)
    assert rechecked / len(starts) <= RECHECK_SHARE + 0.05
    assert len(by_claim) / len(starts) >= RECHECK_SHARE - 0.05


def test_coverage_on_answers_for_the_date_of_service() -> None:
    end = dt.date(2025, 3, 31)

    def on(service: dt.date, day: dt.date) -> tuple[dt.date, dt.date | None, bool]:
        return coverage_on(end, service=service, day=day)

    assert coverage_on(None, service=end, day=end) == (PLAN_BEGIN, None, True)
    assert on(end, end) == (PLAN_BEGIN, None, True)  # the last covered day, end not yet known
    assert on(end, dt.date(2025, 4, 2)) == (PLAN_BEGIN, end, True)  # covered, plan since ended
    assert on(dt.date(2025, 4, 1), dt.date(2025, 4, 2)) == (PLAN_BEGIN, end, False)
    assert on(dt.date(2025, 6, 29), dt.date(2025, 7, 1)) == (PLAN_BEGIN, end, False)  # day 90
    # after the gap: enrolled again from the 91st day
    assert on(dt.date(2025, 6, 30), dt.date(2025, 7, 1)) == (dt.date(2025, 6, 30), None, True)
