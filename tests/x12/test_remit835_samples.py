"""Conformance: every 835 written by other projects reads without an exception, and the
counts match those SOURCES.md lists for it (a plain segment splitter's counts).

The samples live outside the repository (../shared/x12-samples); the tests skip without them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from denialscope.x12.reader import open_x12
from denialscope.x12.remit835 import ClaimPayment, ProviderAdjustment, Remittance
from factories.shared import SAMPLES_DIR

SAMPLES = SAMPLES_DIR
SOURCES = SAMPLES / "SOURCES.md"
# "3 (1:1,2:2) / 10 / 4 / 0 / 0": CLP (status:count) / SVC / CAS / PLB / CLM
_COUNTS = re.compile(r"^(\d+) \(([^)]*)\) / (\d+) / (\d+) / (\d+) / (\d+)$")


@dataclass(frozen=True)
class Listed:
    path: str
    statuses: Counter[str] | None  # None when SOURCES.md gives no counts ("-")
    svc: int
    cas: int
    plb: int


def _listed_835s() -> list[Listed]:
    if not SOURCES.exists():
        return []
    found = []
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].endswith((".txt", ".edi", ".835", ".x12")):
            continue
        path, kind, counts = cells[0], cells[1], cells[2]
        if not (kind.startswith("835") or (not kind and "835" in path)):
            continue
        match = _COUNTS.match(counts)
        if match is None:
            found.append(Listed(path, None, 0, 0, 0))
            continue
        statuses: Counter[str] = Counter()
        for pair in filter(None, match.group(2).split(",")):
            status, _, count = pair.rpartition(":")
            statuses[status] = int(count)
        assert sum(statuses.values()) == int(match.group(1))
        found.append(
            Listed(path, statuses, int(match.group(3)), int(match.group(4)), int(match.group(5)))
        )
    return found


LISTED = _listed_835s()
pytestmark = pytest.mark.skipif(not LISTED, reason="../shared/x12-samples is not present")


def test_samples_are_listed() -> None:
    assert len(LISTED) >= 8


@pytest.mark.parametrize("listed", LISTED, ids=[Path(x.path).name for x in LISTED])
def test_sample_reads_with_listed_counts(listed: Listed) -> None:
    with open_x12(SAMPLES / listed.path) as reader:
        records = list(reader)
        summary = reader.summary
    remits = [r for r in records if isinstance(r, Remittance)]
    claims = [r for r in records if isinstance(r, ClaimPayment)]
    plb = [r for r in records if isinstance(r, ProviderAdjustment)]
    assert remits, "no remittance header was emitted"
    assert summary.claims == len(claims)
    assert summary.service_lines == sum(len(c.services) for c in claims)
    assert summary.adjustments == sum(len(c.all_adjustments()) for c in claims)
    assert summary.provider_adjustments == len(plb)
    if listed.statuses is None:
        return
    assert Counter(c.status for c in claims) == listed.statuses
    assert summary.service_lines == listed.svc
    cas_segments = {a.segment_index for c in claims for a in c.all_adjustments()}
    assert len(cas_segments) == listed.cas
    assert len({p.segment_index for p in plb}) == listed.plb


def test_placeholder_statuses_are_kept_with_a_warning() -> None:
    path = SAMPLES / "TigerShark" / "X12-0.08" / "t" / "sample_835.txt"
    if not path.exists():
        pytest.skip("TigerShark sample_835.txt is not present")
    with open_x12(path) as reader:
        claims = [r for r in reader if isinstance(r, ClaimPayment)]
        warned = {d.value for d in reader.diagnostics if d.rule == "remit835.claim_status"}
    assert [c.status for c in claims] == ["DTEST", "HTEST"]
    assert warned == {"DTEST", "HTEST"}
