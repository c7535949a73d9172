"""Medically Unlikely Edits (MUE): loader for the official CMS CSV files and a small index.

Layout of the practitioner, outpatient hospital and DME supplier MUE tables: a license
notice first (one or more rows), the headings, then rows of HCPCS/CPT code, MUE value,
adjudication indicator as text ("1 Line Edit", "2 Date of Service Edit: Policy",
"3 Date of Service Edit: Clinical") and the rationale. Indicator 1 limits the units of
one line; 2 and 3 limit the units of a code summed over a date of service.

The index (some 15,000 codes per setting) is a JSON file
``<data_dir>/refdata/mue/<setting>.json`` of ``code -> [value, indicator]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from denialscope.errors import InputError, NotFoundError
from denialscope.scrub.tables import iter_rows

__all__ = ["MUE_SETTINGS", "MueIndex", "MueLimit", "build_mue_index", "guess_mue_setting"]

MUE_SETTINGS = ("practitioner", "outpatient", "dme")
_CODE = re.compile(r"^[0-9A-Z]{5}$")
_INDICATOR = re.compile(r"^\s*([123])\b")


def guess_mue_setting(name: str) -> str | None:
    lowered = name.lower()
    if "dme" in lowered:
        return "dme"
    if "practitioner" in lowered:
        return "practitioner"
    if "outpatient" in lowered or "hospital" in lowered:
        return "outpatient"
    return None


@dataclass(frozen=True, slots=True)
class MueLimit:
    code: str
    value: int
    indicator: int  # 1 per line, 2 or 3 per date of service

    @property
    def per_line(self) -> bool:
        return self.indicator == 1


def _parse(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    started: set[str] = set()
    for row in iter_rows(paths):
        cells = row.cells
        if not any(cells):
            continue
        code = cells[0].upper()
        if row.source not in started:
            if len(cells) >= 3 and _CODE.match(code) and cells[1].isdigit():
                started.add(row.source)
            else:
                continue  # license notice and headings
        where = f"{row.source}, line {row.line}"
        if len(cells) < 3 or not _CODE.match(code):
            raise InputError(
                f"{where}: expected code, MUE value and adjudication indicator, got {cells[:3]!r}",
                file=row.source,
                line=row.line,
            )
        if not cells[1].isdigit():
            raise InputError(
                f"{where}: MUE value {cells[1]!r} is not a whole number",
                file=row.source,
                line=row.line,
            )
        indicator = _INDICATOR.match(cells[2])
        if indicator is None:
            raise InputError(
                f"{where}: adjudication indicator {cells[2]!r} does not start with 1, 2 or 3",
                file=row.source,
                line=row.line,
            )
        out[code] = (int(cells[1]), int(indicator.group(1)))
    return out


def build_mue_index(paths: Sequence[Path], target: Path) -> int:
    """Read the official MUE files under ``paths`` and write ``target`` (a JSON file)."""
    limits = _parse(paths)
    if not limits:
        names = ", ".join(str(p) for p in paths)
        raise InputError(f"{names}: no MUE rows found", file=names)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(limits, separators=(",", ":")), encoding="utf-8")
    return len(limits)


class MueIndex:
    """MUE limits of one setting."""

    def __init__(self, limits: dict[str, tuple[int, int]]) -> None:
        self._limits = limits

    @classmethod
    def open(cls, path: Path) -> MueIndex:
        if not path.is_file():
            raise NotFoundError(
                f"{path}: no MUE index here; run `denialscope refdata load-mue DIR`",
                path=str(path),
            )
        raw = json.loads(path.read_text("utf-8"))
        return cls({code: (int(v[0]), int(v[1])) for code, v in raw.items()})

    def __len__(self) -> int:
        return len(self._limits)

    def get(self, code: str) -> MueLimit | None:
        found = self._limits.get(code)
        return None if found is None else MueLimit(code, found[0], found[1])
