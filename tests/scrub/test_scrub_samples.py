"""Scrub every 837 among the public sample files (../shared/x12-samples) without an exception:
real-world claims are messy (4010, missing fields), the rules must report, not crash."""

from __future__ import annotations

import pytest

from denialscope.scrub import ScrubContext, scrub_claims
from denialscope.x12.claim837 import Claim
from denialscope.x12.reader import open_x12
from factories.shared import SAMPLES_DIR

SAMPLES = SAMPLES_DIR


def _paths() -> list[str]:
    sources = SAMPLES / "SOURCES.md"
    if not sources.exists():
        return []
    out = []
    for line in sources.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[1].startswith("837"):
            out.append(cells[0])
    return out


PATHS = _paths()


@pytest.mark.skipif(not PATHS, reason="../shared/x12-samples is not present")
@pytest.mark.parametrize("path", PATHS, ids=[p.rsplit("/", 1)[-1] for p in PATHS])
def test_scrub_sample(path: str) -> None:
    with open_x12(SAMPLES / path) as reader:
        claims = [r for r in reader if isinstance(r, Claim)]
    results = list(scrub_claims(claims, context=ScrubContext()))
    assert [r.claim_id for r in results] == [c.control_number for c in claims]
    for result in results:
        numbers = {line.number for line in result.claim.lines}
        for finding in result.findings:
            assert finding.claim_id == result.claim_id and finding.suggestion
            assert finding.line is None or finding.line in numbers
