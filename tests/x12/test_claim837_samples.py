"""Every 837 among the public sample files (../shared/x12-samples): read without an exception,
as many claims as SOURCES.md counts CLM segments, and the kind its guide says."""

from __future__ import annotations

import pytest

from denialscope.x12.claim837 import Claim
from denialscope.x12.reader import open_x12
from factories.shared import SAMPLES_DIR

SAMPLES = SAMPLES_DIR


def _sample_rows() -> list[tuple[str, str, int]]:
    """(path, kind or "", CLM count) for the 837 rows of the SOURCES.md table."""
    sources = SAMPLES / "SOURCES.md"
    if not sources.exists():
        return []
    rows = []
    for line in sources.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[1].startswith("837"):
            continue
        types = [t.strip() for t in cells[1].split("/")]
        kind = next((t for t in types if t in ("837P", "837I")), "")
        clm = int(cells[2].split("/")[-1].strip())
        rows.append((cells[0], kind, clm))
    return rows


ROWS = _sample_rows()


@pytest.mark.skipif(not ROWS, reason="../shared/x12-samples is not present")
@pytest.mark.parametrize("path,kind,clm", ROWS, ids=[r[0].rsplit("/", 1)[-1] for r in ROWS])
def test_sample_837(path: str, kind: str, clm: int) -> None:
    with open_x12(SAMPLES / path) as reader:
        claims = [r for r in reader if isinstance(r, Claim)]
        summary = reader.summary
    assert len(claims) == clm
    assert summary.claims == clm
    if kind:
        assert set(summary.kinds) == {kind}
        assert all(c.kind == kind for c in claims)
    for claim in claims:
        assert claim.control_number
        assert claim.claim_type in ("professional", "inpatient", "outpatient")
        assert claim.lines


def test_sample_table_lists_837_files() -> None:
    if not (SAMPLES / "SOURCES.md").exists():
        pytest.skip("../shared/x12-samples is not present")
    assert {kind for _, kind, _ in ROWS} >= {"837P", "837I"}
