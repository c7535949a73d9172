"""Every real-format sample listed in ../shared/x12-samples/SOURCES.md reads as its table says.

The table gives, per file, the type and the segment counts a plain splitter finds: CLP by
CLP02 status, SVC, CAS, PLB and CLM. Our reader must read each file without an exception
(strict mode: a parser failure raises here instead of becoming a diagnostic), report the
right transaction type and produce records that account for exactly those segments.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from denialscope.x12.claim837.records import Claim
from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.reader import open_x12
from denialscope.x12.remit835.records import ClaimPayment, ProviderAdjustment
from denialscope.x12.tokenizer import Tokenizer
from factories.shared import SAMPLES_DIR

SAMPLES = SAMPLES_DIR
if not (SAMPLES / "SOURCES.md").is_file():
    pytest.skip("../shared/x12-samples is not present", allow_module_level=True)

KINDS = {"835", "837P", "837I", "837D", "999", "277CA"}
_COUNTS = re.compile(r"^(\d+) \(([^)]*)\) / (\d+) / (\d+) / (\d+) / (\d+)$")


@dataclass(frozen=True)
class Expected:
    file: str
    st01: str  # "" when the table gives no type
    kind: str | None  # the reader's kind when the table names one
    clp_status: dict[str, int] | None  # None when the table has no counts
    svc: int = 0
    cas: int = 0
    plb: int = 0
    clm: int = 0


def _table() -> list[Expected]:
    rows = []
    for line in (SAMPLES / "SOURCES.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or "/" not in cells[0] or cells[0].startswith("-"):
            continue
        file, type_cell, counts, _ = cells
        types = [t.strip() for t in type_cell.split("/")] if type_cell else []
        kind = types[1] if len(types) > 1 and types[1] in KINDS else None
        match = _COUNTS.match(counts)
        if match is None:
            rows.append(Expected(file, types[0] if types else "", kind, None))
            continue
        total, by_status, svc, cas, plb, clm = match.groups()
        status = {k: int(v) for k, v in (p.split(":") for p in by_status.split(",") if p)}
        assert sum(status.values()) == int(total), line
        rows.append(
            Expected(
                file,
                types[0] if types else "",
                kind,
                status,
                int(svc),
                int(cas),
                int(plb),
                int(clm),
            )
        )
    return rows


TABLE = _table()


def test_the_table_was_read() -> None:
    assert len(TABLE) >= 20
    assert sum(1 for row in TABLE if row.clp_status is not None) >= 20


def _segment_ids(path: Path) -> Counter[str]:
    with path.open("rb") as fh:
        sink = DiagnosticSink(path.name)
        return Counter(seg[0] for _, _, seg in Tokenizer(fh, file=path.name, sink=sink))


@pytest.mark.parametrize("row", TABLE, ids=[row.file for row in TABLE])
def test_sample_reads_as_the_table_says(row: Expected) -> None:
    path = SAMPLES / row.file
    with open_x12(path, strict=True) as reader:
        records = list(reader)
    summary = reader.summary
    rules = {d.rule for d in reader.diagnostics}
    assert "envelope.parser_failed" not in rules
    assert summary.transactions >= 1
    if row.kind is not None:
        assert summary.transaction == row.kind
    elif row.st01:
        assert summary.transaction is not None
        assert summary.transaction.startswith(row.st01)
    if row.clp_status is None:
        return

    claims = [r for r in records if isinstance(r, ClaimPayment)]
    assert dict(Counter(c.status for c in claims)) == row.clp_status
    assert sum(len(c.services) for c in claims) == row.svc
    plb_segments = {p.segment_index for p in records if isinstance(p, ProviderAdjustment)}
    assert len(plb_segments) == row.plb
    assert len([r for r in records if isinstance(r, Claim)]) == row.clm

    if claims or row.st01 == "835":
        cas_segments = {a.segment_index for c in claims for a in c.all_adjustments()}
        assert len(cas_segments) == row.cas
    else:
        # 837 COB adjustments carry no segment position: count CAS segments with a plain
        # tokenizer pass, and require at least one reason/amount pair per CAS segment.
        assert _segment_ids(path)["CAS"] == row.cas
        assert summary.adjustments >= row.cas
    if row.st01 == "835":
        assert summary.claims == len(claims)
        assert summary.service_lines == row.svc


def test_headless_sample_reads_its_claim() -> None:
    path = SAMPLES / "edi-835-parser/tests/test_edi_835_files/blue_cross_nc_sample.txt"
    with open_x12(path, strict=True) as reader:
        claims = [r for r in reader if isinstance(r, ClaimPayment)]
    ids = _segment_ids(path)
    assert len(claims) == ids["CLP"] >= 1
    assert sum(len(c.services) for c in claims) == ids["SVC"]
    assert "envelope.missing_isa" in {d.rule for d in reader.diagnostics}


def test_samples_read_the_same_from_memory_in_small_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from denialscope.x12 import tokenizer as tokenizer_module

    for row in TABLE:
        data = (SAMPLES / row.file).read_bytes()
        reference = list(Tokenizer(io.BytesIO(data), file="a", sink=DiagnosticSink("a")))
        monkeypatch.setattr(tokenizer_module, "CHUNK_SIZE", 61)
        small = list(Tokenizer(io.BytesIO(data), file="a", sink=DiagnosticSink("a")))
        monkeypatch.undo()
        assert small == reference, row.file
