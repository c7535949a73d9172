"""The official CARC and RARC lists, loaded from the user's own download (CSV or XLSX).

X12 owns the descriptions, so denialscope never ships them: a user downloads the lists they
are licensed to use and runs ``denialscope codes load FILE``. Which list a file holds is told
from the code shapes (CARC: 16, B7, P1; RARC: M15, MA130, N115), and the columns from the usual
headers (Code, Description, Start, Stop, Last Modified, ...). The result is saved as
``<data_dir>/codes/carc.json`` or ``rarc.json``; explanations then show the official text.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from denialscope.classify.rules import CARC_PATTERN, RARC_PATTERN
from denialscope.errors import InputError

__all__ = [
    "OfficialCode",
    "OfficialCodeList",
    "install_official_list",
    "official_code",
    "official_code_files",
    "official_codes",
    "read_official_list",
]

KINDS: Final = ("carc", "rarc")
_HEADER_SEARCH_ROWS: Final = 20
_COLUMNS: Final[dict[str, frozenset[str]]] = {
    "code": frozenset(
        {
            "code",
            "code value",
            "carc",
            "rarc",
            "reason code",
            "remark code",
            "claim adjustment reason code",
            "remittance advice remark code",
        }
    ),
    "description": frozenset(
        {
            "description",
            "code description",
            "reason description",
            "remark description",
            "definition",
        }
    ),
    "start": frozenset({"start", "start date", "effective", "effective date", "begin date"}),
    "stop": frozenset(
        {"stop", "stop date", "end date", "deactivation date", "deactivated", "expiration date"}
    ),
    "modified": frozenset({"last modified", "last modified date", "modified", "updated"}),
}
_DATE_FORMATS: Final = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d-%b-%Y")


@dataclass(slots=True, frozen=True)
class OfficialCode:
    """One entry of an official list, as the user's file gives it."""

    code: str
    description: str
    start: str | None = None
    stop: str | None = None
    modified: str | None = None


@dataclass(slots=True, frozen=True)
class OfficialCodeList:
    """A whole list: which one (carc or rarc), where it came from, its entries by code."""

    kind: str
    source: str
    codes: dict[str, OfficialCode]


def _kind_of(code: str) -> str | None:
    if RARC_PATTERN.match(code):
        return "rarc"
    if CARC_PATTERN.match(code):
        return "carc"
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets store CARC 16 as 16.0
    return str(value).strip()


def _day(text: str) -> str | None:
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text  # keep what the file says rather than lose it


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # lists saved from Excel on Windows
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        yield number, [_cell(value) for value in row]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise InputError(
            f"{path}: reading .xlsx needs the openpyxl package (pip install openpyxl)",
            file=str(path),
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputError(f"{path}: not a readable .xlsx workbook: {exc}", file=str(path)) from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in row]
    finally:
        book.close()


def _find_header(path: Path, rows: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    for position, (_, row) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        names = [value.strip().lower() for value in row]
        columns: dict[str, int] = {}
        for role, accepted in _COLUMNS.items():
            for index, name in enumerate(names):
                if name in accepted and role not in columns:
                    columns[role] = index
        if "code" in columns and "description" in columns:
            return position, columns
    raise InputError(
        f"{path}: no header row with a Code and a Description column in the first "
        f"{_HEADER_SEARCH_ROWS} rows",
        file=str(path),
    )


def read_official_list(path: str | Path) -> OfficialCodeList:
    """Read an official CARC or RARC list; errors name the file and the row."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found", file=str(path))
    reader = _xlsx_rows if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows
    rows = list(reader(path))
    header_at, columns = _find_header(path, rows)

    def value(row: list[str], role: str) -> str:
        index = columns.get(role)
        return row[index].strip() if index is not None and index < len(row) else ""

    kind: str | None = None
    first_row = 0
    codes: dict[str, OfficialCode] = {}
    seen_at: dict[str, int] = {}
    for number, row in rows[header_at + 1 :]:
        if not any(row):
            continue
        code = value(row, "code").upper()
        if not code:
            raise InputError(f"{path}: row {number}: the code is empty", file=str(path), row=number)
        row_kind = _kind_of(code)
        if row_kind is None:
            raise InputError(
                f"{path}: row {number}: {code!r} is neither a CARC nor a RARC code",
                file=str(path),
                row=number,
            )
        if kind is None:
            kind, first_row = row_kind, number
        elif row_kind != kind:
            raise InputError(
                f"{path}: row {number}: {code!r} is a {row_kind.upper()} code but row "
                f"{first_row} started a {kind.upper()} list; one list per file",
                file=str(path),
                row=number,
            )
        description = value(row, "description")
        if not description:
            raise InputError(
                f"{path}: row {number}: code {code} has no description", file=str(path), row=number
            )
        if code in seen_at:
            raise InputError(
                f"{path}: row {number}: code {code} already given on row {seen_at[code]}",
                file=str(path),
                row=number,
            )
        seen_at[code] = number
        codes[code] = OfficialCode(
            code=code,
            description=description,
            start=_day(value(row, "start")),
            stop=_day(value(row, "stop")),
            modified=_day(value(row, "modified")),
        )
    if kind is None:
        raise InputError(f"{path}: the list has a header but no codes", file=str(path))
    return OfficialCodeList(kind=kind, source=path.name, codes=codes)


def _store_path(kind: str, data: str | Path) -> Path:
    if kind not in KINDS:
        raise InputError(f"unknown code list {kind!r}: expected carc or rarc", kind=kind)
    return Path(data) / "codes" / f"{kind}.json"


def install_official_list(path: str | Path, *, data: str | Path) -> tuple[OfficialCodeList, Path]:
    """Read a list and save it into the data directory ``data`` (``Settings.data_dir``),
    replacing an earlier one."""
    from denialscope.files import ensure_private_dir

    listing = read_official_list(path)
    target = _store_path(listing.kind, data)
    ensure_private_dir(target.parent)
    document = {
        "kind": listing.kind,
        "source": listing.source,
        "loaded_at": datetime.now().isoformat(timespec="seconds"),
        "count": len(listing.codes),
        "codes": {code: asdict(entry) for code, entry in listing.codes.items()},
    }
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, target)  # never leave a half-written list behind
    return listing, target


def official_code_files(data: str | Path) -> tuple[Path, ...]:
    """Where the official lists loaded in the data directory ``data`` are kept."""
    return tuple(_store_path(kind, data) for kind in KINDS)


# Parsed lists per file version: the claim page explains every payment with them, and
# parsing a full CARC or RARC list on every view costs milliseconds.
_PARSED: dict[tuple[str, int, int], Mapping[str, OfficialCode]] = {}


def official_codes(kind: str, *, data: str | Path | None) -> Mapping[str, OfficialCode]:
    """The list loaded in the data directory ``data`` (empty when the user has not loaded
    one, or when there is no data directory)."""
    if data is None:
        if kind not in KINDS:
            raise InputError(f"unknown code list {kind!r}: expected carc or rarc", kind=kind)
        return {}
    target = _store_path(kind, data)
    try:
        found = target.stat()
    except OSError:
        return {}
    if not target.is_file():
        return {}
    key = (str(target), found.st_mtime_ns, found.st_size)
    parsed = _PARSED.get(key)
    if parsed is not None:
        return parsed
    try:
        document = json.loads(target.read_text(encoding="utf-8"))
        parsed = {code: OfficialCode(**entry) for code, entry in document["codes"].items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{target}: the saved {kind.upper()} list is damaged ({exc}); load it again",
            file=str(target),
        ) from exc
    if len(_PARSED) > 16:  # a few data directories x versions of their two lists
        _PARSED.clear()
    _PARSED[key] = parsed
    return parsed


def official_code(kind: str, code: str, *, data: str | Path | None) -> OfficialCode | None:
    """One official entry, or None when not loaded or unknown."""
    return official_codes(kind, data=data).get(code.strip().upper())
