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
from denialscope.scrub.tables import Part, iter_parts, rows_of

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


_Columns = tuple[list[int], list[int], list[int], list[int]]
_Arrays = tuple[npt.NDArray[np.int64], ...]
# The first well-formed data line of a tab-delimited text part (after notices and headings).
_FIRST_ROW = re.compile(
    rb"^[0-9A-Za-z]{5}\t[0-9A-Za-z]{5}\t[ *]?\t\d{8}\t(?:\d{8}|\*| )?\t[019]", re.MULTILINE
)
_DIGITS = np.zeros(256, dtype=np.int64)
_CODE_CHAR = np.zeros(256, dtype=bool)
for _i, _c in enumerate(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
    _DIGITS[_c] = _i
    _CODE_CHAR[_c] = True
    if chr(_c).isalpha():
        _DIGITS[_c + 32] = _i  # lower case
        _CODE_CHAR[_c + 32] = True
_POW36 = np.array([36**4, 36**3, 36**2, 36, 1], dtype=np.int64)
_POW10 = 10 ** np.arange(7, -1, -1, dtype=np.int64)


_CHUNK = 1 << 18  # lines per vectorised step


def _gather(buf: npt.NDArray[np.uint8], at: npt.NDArray[Any], width: int) -> Any:
    return buf[at[:, None] + np.arange(width)]


def _fast_part(part: Part) -> _Arrays | None:
    """Columns of a tab-delimited text part, vectorised with NumPy; None when a line is not
    in the exact layout (the row-by-row reader then parses it and names the bad line).

    A 1.7M-row table is some 110 MB of text; going through Python objects per row would
    take seconds and gigabytes. Positions are int32 and lines go in chunks so that the
    temporaries stay small beside the text itself.
    """
    data = part.data.removeprefix(b"\xef\xbb\xbf")
    first = _FIRST_ROW.search(data)
    if first is None or len(data) >= 2**31:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)[first.start() :]
    breaks = np.flatnonzero(buf == 10).astype(np.int32)
    starts = np.concatenate((np.zeros(1, dtype=np.int32), breaks + 1))
    ends = np.concatenate((breaks, np.array([len(buf)], dtype=np.int32)))
    del breaks
    # Blank lines (also "\r" alone) are skipped like the row reader does.
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (buf[np.minimum(starts, len(buf) - 1)] == 13))
    starts, ends = starts[~blank], ends[~blank]
    del length, blank
    tabs = np.flatnonzero(buf == 9).astype(np.int32)
    chunks: list[_Arrays] = []
    for at in range(0, len(starts), _CHUNK):
        found = _fast_chunk(buf, tabs, starts[at : at + _CHUNK], ends[at : at + _CHUNK])
        if found is None:
            return None
        chunks.append(found)
    return tuple(np.concatenate([c[i] for c in chunks]) for i in range(4))


def _fast_chunk(
    buf: npt.NDArray[np.uint8],
    tabs: npt.NDArray[np.int32],
    starts: npt.NDArray[np.int32],
    ends: npt.NDArray[np.int32],
) -> _Arrays | None:
    first_tab = np.searchsorted(tabs, starts)
    if np.any(first_tab + 5 >= len(tabs)):
        return None
    t = tabs[first_tab[:, None] + np.arange(6)]
    deletion_width = t[:, 4] - t[:, 3] - 1
    layout = (
        (t[:, 5] < ends)
        & (t[:, 0] - starts == 5)
        & (t[:, 1] - t[:, 0] == 6)
        & (t[:, 2] - t[:, 1] <= 2)
        & (t[:, 3] - t[:, 2] == 9)
        & np.isin(deletion_width, (0, 1, 8))
        & (t[:, 5] - t[:, 4] == 2)
    )
    if not layout.all():
        return None
    one, two = _gather(buf, starts, 5), _gather(buf, t[:, 0] + 1, 5)
    if not (_CODE_CHAR[one].all() and _CODE_CHAR[two].all()):
        return None
    effective = _gather(buf, t[:, 2] + 1, 8).astype(np.int64) - 48
    dated = deletion_width == 8
    deleted = _gather(buf, t[dated, 3] + 1, 8).astype(np.int64) - 48
    single = buf[t[deletion_width == 1, 3] + 1]
    modifier = buf[t[:, 4] + 1].astype(np.int64) - 48
    if (
        (effective < 0).any()
        or (effective > 9).any()
        or (deleted < 0).any()
        or (deleted > 9).any()
        or not np.isin(single, (42, 32)).all()  # "*" or " ": no deletion
        or not np.isin(modifier, (0, 1, 9)).all()
    ):
        return None
    keys = (_DIGITS[one] @ _POW36) * _BASE + _DIGITS[two] @ _POW36
    deletion = np.full(len(keys), NO_DELETION, dtype=np.int64)
    deletion[dated] = deleted @ _POW10
    return keys, effective @ _POW10, deletion, modifier


def _slow_part(part: Part, out: _Columns) -> None:
    keys, starts, ends, mods = out
    started = False
    for row in rows_of(part):
        cells = row.cells
        if not any(cells):
            continue
        first = cells[0].upper()
        where = row.source
        if not started:
            # Notice lines and headings come first; the first row whose first two cells
            # are codes and whose fourth is a date opens the data.
            if len(cells) >= 6 and _CODE.match(first) and _DAY.match(cells[3]):
                started = True
            else:
                continue
        if len(cells) < 6 or not _CODE.match(first) or not _CODE.match(cells[1].upper()):
            raise InputError(
                f"{where}, line {row.line}: expected column 1, column 2, prior-1996 flag, "
                f"effective date, deletion date and modifier indicator, got {cells[:6]!r}",
                file=where,
                line=row.line,
            )
        deletion = cells[4]
        indicator = cells[5]
        if indicator not in ("0", "1", "9"):
            raise InputError(
                f"{where}, line {row.line}: modifier indicator {indicator!r} is not 0, 1 or 9",
                file=where,
                line=row.line,
            )
        keys.append(int(first, 36) * _BASE + int(cells[1], 36))
        starts.append(_day(cells[3], where, row.line, "effective date"))
        ends.append(
            NO_DELETION
            if deletion in ("", "*")
            else _day(deletion, where, row.line, "deletion date")
        )
        mods.append(int(indicator))


def _parse(paths: Iterable[Path]) -> list[npt.NDArray[np.int64]]:
    chunks: list[tuple[npt.NDArray[np.int64], ...]] = []
    for part in iter_parts(paths):
        fast = None if part.is_xlsx else _fast_part(part)
        if fast is None:
            columns: _Columns = ([], [], [], [])
            _slow_part(part, columns)
            fast = tuple(np.array(c, dtype=np.int64) for c in columns)
        chunks.append(fast)
    if not chunks:
        return [np.zeros(0, dtype=np.int64) for _ in range(4)]
    return [np.concatenate([c[i] for c in chunks]) for i in range(4)]


def build_ptp_index(paths: Sequence[Path], target: Path) -> int:
    """Read the official PTP files under ``paths`` and write the index into ``target``."""
    keys, starts, ends, mods = _parse(paths)
    if not len(keys):
        names = ", ".join(str(p) for p in paths)
        raise InputError(f"{names}: no PTP edit rows found", file=names)
    order = np.argsort(keys, kind="stable")
    target.mkdir(parents=True, exist_ok=True)
    np.save(target / "keys.npy", keys[order])
    np.save(target / "effective.npy", starts[order].astype(np.int32))
    np.save(target / "deletion.npy", ends[order].astype(np.int32))
    np.save(target / "modifier.npy", mods[order].astype(np.int8))
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
