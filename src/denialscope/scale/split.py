"""Plan the parts of X12 files: a large file is split at transaction-set boundaries.

A payer's 835 of a million claims is one file but hundreds of ST..SE sets. A part is a run
of whole sets (``start``..``end`` in the file) read with the file's own ISA and GS in front
and a GE/IEA that count what the part holds, so our reader reads it as a complete file and
reports no envelope error the whole file does not have.

Only files with one interchange and one functional group are split (what payers and
clearinghouses send); anything else, and any file below the target size, is one part.
"""

from __future__ import annotations

import hashlib
import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from denialscope.x12.tokenizer import detect_delimiters

__all__ = [
    "DEFAULT_PART_BYTES",
    "PART_FIELDS",
    "Part",
    "is_claim_file",
    "part_bytes",
    "part_schema",
    "plan_files",
    "plan_parts",
]

DEFAULT_PART_BYTES = 32 * 1024 * 1024
# One row per part, from the planning stage.
PART_FIELDS = (
    ("path", "string"),
    ("name", "string"),
    ("sha256", "string"),
    ("size", "int"),
    ("claims_file", "bool"),
    ("number", "int"),
    ("start", "int"),
    ("end", "int"),
    ("header", "binary"),
    ("trailer", "binary"),
    ("error", "string"),
)


@dataclass(frozen=True, slots=True)
class Part:
    """One task's share of a file: bytes ``start``..``end`` and the envelope around them."""

    path: str
    number: int  # 0-based within the file
    start: int
    end: int
    header: bytes  # ISA..GS of the file ("" when the part is the whole file)
    trailer: bytes  # GE/IEA counting this part's sets ("" when the part is the whole file)

    @property
    def whole(self) -> bool:
        return not self.header


def plan_parts(path: Path, *, target_bytes: int = DEFAULT_PART_BYTES) -> list[Part]:
    """The parts of one file; a single whole-file part when it is small or not splittable."""
    size = path.stat().st_size
    whole = [Part(str(path), 0, 0, size, b"", b"")]
    if size <= target_bytes:
        return whole
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        parts = _split(path, data, target_bytes)
    return parts if len(parts) > 1 else whole


def _split(path: Path, data: mmap.mmap, target_bytes: int) -> list[Part]:
    start = data.find(b"ISA")
    if start < 0:
        return []
    try:
        delims, _ = detect_delimiters(data[start : start + 400].decode("latin-1"), file=str(path))
    except Exception:  # an unreadable header: the reader reports it on the whole file
        return []
    sep = re.escape(delims.element.encode("latin-1"))
    term = re.escape(delims.segment.encode("latin-1"))

    def segment_starts(sid: bytes) -> list[int]:
        return [m.end() - len(sid) - 1 for m in re.finditer(term + rb"\s*" + sid + sep, data)]

    # The first ISA has no terminator before it: any ISA found is a second interchange.
    if segment_starts(b"ISA") or len(segment_starts(b"GS")) != 1:
        return []  # read whole
    sets = segment_starts(b"ST")
    ends = segment_starts(b"GE")
    if not sets or not ends:
        return []
    gs_at = segment_starts(b"GS")[0]
    end = delims.segment.encode("latin-1")
    isa = data[start : data.find(end, start) + 1]
    gs_end = data.find(end, gs_at) + 1
    header = data[start:gs_end]
    isa_control = isa.decode("latin-1").split(delims.element)[13].strip()
    gs_control = data[gs_at:gs_end].decode("latin-1").split(delims.element)[6].strip()
    bounds = [*sets, ends[0]]
    parts: list[Part] = []
    first = 0
    for i in range(1, len(bounds)):
        last = i == len(bounds) - 1
        if last or bounds[i] - bounds[first] >= target_bytes:
            count = i - first
            end_seg = delims.segment
            trailer = f"GE*{count}*{gs_control}{end_seg}IEA*1*{isa_control}{end_seg}"
            trailer = trailer.replace("*", delims.element)
            parts.append(
                Part(
                    str(path),
                    len(parts),
                    bounds[first],
                    bounds[i],
                    header,
                    trailer.encode("latin-1"),
                )
            )
            first = i
    return parts


def part_bytes(part: Part) -> tuple[bytes, int]:
    """The bytes our reader reads for a part, and the offset to add to positions in them."""
    with open(part.path, "rb") as fh:
        fh.seek(part.start)
        body = fh.read(part.end - part.start)
    if part.whole:
        return body, 0
    return part.header + body + part.trailer, part.start - len(part.header)


def is_claim_file(head: bytes) -> bool:
    """True when the file's first functional group is an 837 (GS01 HC)."""
    at = head.find(b"GS")
    return at >= 0 and head[at + 3 : at + 5] == b"HC"


def _arrow(kind: str) -> Any:
    import pyarrow as pa

    return {"string": pa.string(), "int": pa.int64(), "bool": pa.bool_(), "binary": pa.binary()}[
        kind
    ]


def part_schema() -> Any:
    import pyarrow as pa

    return pa.schema([pa.field(n, _arrow(k)) for n, k in PART_FIELDS])


def plan_files(batches: Iterator[Any], *, part_bytes_target: int) -> Iterator[Any]:
    """Files (``path``, ``name``) in, their parts out, with each file's SHA-256."""
    import pyarrow as pa

    schema = part_schema()
    for batch in batches:
        rows: list[dict[str, Any]] = []
        for path_text, name in zip(
            batch.column("path").to_pylist(), batch.column("name").to_pylist(), strict=True
        ):
            rows.extend(_plan_one(Path(path_text), name, part_bytes_target))
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def _plan_one(path: Path, name: str, target: int) -> list[dict[str, Any]]:
    base: dict[str, Any] = {"path": str(path), "name": name}
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            head = fh.read(4096)
            digest.update(head)
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        parts = plan_parts(path, target_bytes=target)
    except OSError as exc:
        return [{**base, "error": f"{name}: cannot read: {exc.strerror or exc}"}]
    base.update(
        sha256=digest.hexdigest(), size=path.stat().st_size, claims_file=is_claim_file(head)
    )
    return [
        {
            **base,
            "number": p.number,
            "start": p.start,
            "end": p.end,
            "header": p.header,
            "trailer": p.trailer,
        }
        for p in parts
    ]
