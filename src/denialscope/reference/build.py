"""Rebuild the bundled code sets from the public-domain source CSVs.

The source files (see ``data/SOURCES.md``) are large and carry columns we never read; this
keeps only what the loaders need and gzips the big ones, so the package stays small. Run it
when a new fiscal year's files arrive::

    python -m denialscope.reference.build ../shared/refdata

Output is byte-for-byte reproducible (gzip mtime 0, sorted where order does not matter).
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

__all__ = ["build"]

DATA_DIR = Path(__file__).with_name("data")


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    raw = buf.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        # mtime=0 so that rebuilding identical input yields identical bytes in git.
        raw = gzip.compress(raw, compresslevel=9, mtime=0)
    path.write_bytes(raw)
    return len(raw)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _icd10cm_rows(rows: list[dict[str, str]]) -> Iterator[list[str]]:
    """Rows of the ICD-10-CM file, with the source's one flattening artefact repaired.

    A block holding a single category has the category's name ("B10"); the flattened
    source then lists it twice, both as a block whose parent is itself. We emit it once, as
    the category, under the chapter of the block list it sits in.
    """
    chapter = ""
    seen: set[str] = set()
    for r in rows:
        code, kind, parent = r["code"], r["kind"], r["parent"]
        if kind == "chapter":
            chapter = code
        elif kind == "block" and parent != code:
            chapter = parent
        if parent == code:
            if code in seen:
                continue
            kind, parent = "category", chapter
        seen.add(code)
        yield [code, r["description"], r["billable"], kind, parent]


def build(source: Path, target: Path = DATA_DIR) -> dict[str, int]:
    """Write the bundled files from ``source`` into ``target``; return bytes per file."""
    target.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}

    sizes["icd10cm.csv.gz"] = _write(
        target / "icd10cm.csv.gz",
        ["code", "description", "billable", "kind", "parent"],
        _icd10cm_rows(_read(source / "icd10cm_2026.csv")),
    )
    # PCS descriptions are 6 MB of text nothing in denialscope shows; codes suffice to
    # validate procedure codes.
    pcs = sorted(r["code"] for r in _read(source / "icd10pcs_fy2024_tuva.csv"))
    sizes["icd10pcs_codes.csv.gz"] = _write(
        target / "icd10pcs_codes.csv.gz", ["code"], ([c] for c in pcs)
    )
    cc = _read(source / "ms_drg_cc_mcc_fy2026.csv")
    sizes["ms_drg_cc_mcc.csv.gz"] = _write(
        target / "ms_drg_cc_mcc.csv.gz",
        ["code", "severity"],
        sorted((r["icd10cm_code"].replace(".", "").upper(), r["severity"]) for r in cc),
    )
    weights = _read(source / "ms_drg_fy2026_weights.csv")
    sizes["ms_drg_weights.csv"] = _write(
        target / "ms_drg_weights.csv",
        ["drg", "mdc", "type", "title", "weight", "gmlos", "amlos"],
        (
            [
                r["ms_drg"],
                r["mdc"],
                r["type"],
                r["title"],
                r["weight_before_cap"],
                r["gmlos"],
                r["amlos"],
            ]
            for r in weights
        ),
    )
    for name, out in (
        ("ms_drg_mdc.csv", "ms_drg_mdc.csv"),
        ("place_of_service.csv", "place_of_service.csv"),
        ("claim_adjustment_group_codes.csv", "group_codes.csv"),
        ("carc_codes.csv", "carc_numbers.csv"),
        ("rarc_codes.csv", "rarc_numbers.csv"),
    ):
        rows = _read(source / name)
        header = list(rows[0].keys()) if rows else []
        sizes[out] = _write(target / out, header, ([r[h] for h in header] for r in rows))
    return sizes


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/refdata")
    for file, size in build(src).items():
        print(f"{file:28} {size:>10,} bytes")
