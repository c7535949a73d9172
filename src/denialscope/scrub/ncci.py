"""NCCI procedure-to-procedure (PTP) edits: loader for the official CMS files and an index.

Layout of the practitioner (``ccipra``) and hospital outpatient (``ccioph``) PTP tables, in
every package CMS publishes (tab text, xlsx, zip of quarterly parts): column 1 code,
column 2 code, "*" when in existence prior to 1996, effective date YYYYMMDD, deletion date
(YYYYMMDD, or "*"/blank when none), modifier indicator (0 not allowed, 1 allowed, 9 not
applicable) and the edit rationale. License and notice lines and the (sometimes multi-line)
headings at the top of each part are skipped; once data has started in a part, a row that
is not a valid edit is an error naming the file and line.

The index is four sorted NumPy arrays saved as ``.npy`` under
``<data_dir>/refdata/ncci/<setting>/`` and memory-mapped on open: opening costs
milliseconds and almost no memory, whatever the table size. A pair key is the two codes
read as base-36 numbers, ``column1 * 36**5 + column2``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from denialscope.errors import InputError, NotFoundError
from denialscope.scrub.tables import iter_rows

__all__ = [
    "NCCI_SETTINGS",
    "NO_DELETION",
    "PtpEdit",
    "PtpIndex",
    "build_ptp_index",
    "guess_setting",
    "pair_key",
]

NCCI_SETTINGS = ("practitioner", "outpatient")
NO_DELETION = 99991231
_BASE = 36**5
_CODE = re.compile(r"^[0-9A-Z]{5}$")
_DAY = re.compile(r"^\d{8}$")


def pair_key(column1: str, column2: str) -> int:
    return int(column1, 36) * _BASE + int(column2, 36)


def guess_setting(name: str) -> str | None:
    """practitioner / outpatient from an official file name (ccipra, ccioph), else None."""
    lowered = name.lower()
    if "pra" in lowered or "practitioner" in lowered:
        return "practitioner"
    if "oph" in lowered or "outpatient" in lowered or "hospital" in lowered:
        return "outpatient"
    return None


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    effective: int  # YYYYMMDD
    deletion: int  # YYYYMMDD, NO_DELETION when in force
    modifier_indicator: int  # 0, 1 or 9


def _day(cell: str, source: str, line: int, what: str) -> int:
    if not _DAY.match(cell):
        raise InputError(
            f"{source}, line {line}: {what} {cell!r} is not a date YYYYMMDD",
            file=source,
            line=line,
        )
    return int(cell)


def _parse_rows(paths: Iterable[Path]) -> tuple[list[int], list[int], list[int], list[int]]:
    keys: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    mods: list[int] = []
    started: set[str] = set()
    for row in iter_rows(paths):
        cells = row.cells
        if not any(cells):
            continue
        first = cells[0].upper()
        part = row.source
        if part not in started:
            # Notice lines and headings come first; the first row whose first two cells
            # are codes and whose fourth is a date opens the data.
            if len(cells) >= 6 and _CODE.match(first) and _DAY.match(cells[3]):
                started.add(part)
            else:
                continue
        if len(cells) < 6 or not _CODE.match(first) or not _CODE.match(cells[1].upper()):
            raise InputError(
                f"{part}, line {row.line}: expected column 1, column 2, prior-1996 flag, "
                f"effective date, deletion date and modifier indicator, got {cells[:6]!r}",
                file=part,
                line=row.line,
            )
        deletion = cells[4]
        indicator = cells[5]
        if indicator not in ("0", "1", "9"):
            raise InputError(
                f"{part}, line {row.line}: modifier indicator {indicator!r} is not 0, 1 or 9",
                file=part,
                line=row.line,
            )
        keys.append(int(first, 36) * _BASE + int(cells[1], 36))
        starts.append(_day(cells[3], part, row.line, "effective date"))
        ends.append(
            NO_DELETION
            if deletion in ("", "*")
            else _day(deletion, part, row.line, "deletion date")
        )
        mods.append(int(indicator))
    return keys, starts, ends, mods


def build_ptp_index(paths: Sequence[Path], target: Path) -> int:
    """Read the official PTP files under ``paths`` and write the index into ``target``."""
    keys, starts, ends, mods = _parse_rows(paths)
    if not keys:
        names = ", ".join(str(p) for p in paths)
        raise InputError(f"{names}: no PTP edit rows found", file=names)
    key_array = np.array(keys, dtype=np.int64)
    order = np.argsort(key_array, kind="stable")
    target.mkdir(parents=True, exist_ok=True)
    np.save(target / "keys.npy", key_array[order])
    np.save(target / "effective.npy", np.array(starts, dtype=np.int32)[order])
    np.save(target / "deletion.npy", np.array(ends, dtype=np.int32)[order])
    np.save(target / "modifier.npy", np.array(mods, dtype=np.int8)[order])
    meta = {"rows": len(keys), "sources": [str(p) for p in paths]}
    (target / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return len(keys)


class PtpIndex:
    """Memory-mapped PTP edits of one setting; lookups by claim, vectorised."""

    def __init__(self, folder: Path) -> None:
        if not (folder / "keys.npy").is_file():
            raise NotFoundError(
                f"{folder}: no NCCI PTP index here; run `denialscope refdata load-ncci DIR`",
                path=str(folder),
            )
        self.folder = folder
        self.keys: npt.NDArray[np.int64] = np.load(folder / "keys.npy", mmap_mode="r")
        self.effective: npt.NDArray[np.int32] = np.load(folder / "effective.npy", mmap_mode="r")
        self.deletion: npt.NDArray[np.int32] = np.load(folder / "deletion.npy", mmap_mode="r")
        self.modifier: npt.NDArray[np.int8] = np.load(folder / "modifier.npy", mmap_mode="r")

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def meta(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.folder / "meta.json").read_text("utf-8"))
        return data

    def find(self, pairs: Sequence[tuple[str, str, date]]) -> list[PtpEdit | None]:
        """For each (column 1, column 2, service date): the edit in force, or None."""
        out: list[PtpEdit | None] = [None] * len(pairs)
        wanted: list[int] = []
        where: list[int] = []
        for i, (one, two, _) in enumerate(pairs):
            if _CODE.match(one) and _CODE.match(two):
                wanted.append(int(one, 36) * _BASE + int(two, 36))
                where.append(i)
        if not wanted:
            return out
        probe = np.array(wanted, dtype=np.int64)
        lefts = np.searchsorted(self.keys, probe, side="left")
        rights = np.searchsorted(self.keys, probe, side="right")
        for i, left, right in zip(where, lefts.tolist(), rights.tolist(), strict=True):
            if left == right:
                continue
            one, two, served = pairs[i]
            day = served.year * 10000 + served.month * 100 + served.day
            for row in range(left, right):
                start = int(self.effective[row])
                end = int(self.deletion[row])
                if start <= day < end:
                    out[i] = PtpEdit(one, two, start, end, int(self.modifier[row]))
                    break
        return out
