"""Rows of the official CMS edit files, whatever the package: text, CSV, xlsx, zip, folder.

CMS publishes the NCCI PTP and MUE tables each quarter as zip files holding several parts
(text with tabs, CSV, or xlsx), each starting with license and notice lines before the
column headings. This module only yields raw rows with the file and line they came from;
the NCCI and MUE loaders decide which rows are data.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from denialscope.errors import InputError

__all__ = ["TABLE_SUFFIXES", "Part", "RawRow", "iter_parts", "iter_rows", "rows_of", "table_files"]

TABLE_SUFFIXES = (".txt", ".csv", ".xlsx", ".zip")


@dataclass(frozen=True, slots=True)
class RawRow:
    source: str  # file (and zip member) the row came from
    line: int  # 1-based line (text) or row (xlsx)
    cells: list[str]


def table_files(paths: Iterable[Path]) -> list[Path]:
    """The table files named, folders expanded (sorted, table formats only), in a stable
    order: the one path expander's rules (:mod:`denialscope.input_paths`)."""
    from denialscope.input_paths import expand_paths

    return expand_paths(paths, suffixes=TABLE_SUFFIXES)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text_rows(source: str, data: bytes) -> Iterator[RawRow]:
    text = data.decode("utf-8-sig", errors="replace")
    first = text[:4096]
    # Tab-delimited text files never carry commas between columns; CSV files may have
    # tabs nowhere. The rationale column can hold commas, hence csv quoting rules.
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        yield RawRow(source, number, [c.strip() for c in cells])


def _xlsx_rows(source: str, data: bytes) -> Iterator[RawRow]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"{source}: not a readable xlsx workbook ({exc})", file=source) from None
    try:
        for sheet in book.worksheets:
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                yield RawRow(f"{source}[{sheet.title}]", number, [_cell(v) for v in values])
    finally:
        book.close()


@dataclass(frozen=True, slots=True)
class Part:
    """One table file: a file on disk or a member of a zip (zips inside zips unpacked)."""

    source: str
    name: str
    data: bytes

    @property
    def is_xlsx(self) -> bool:
        return self.name.lower().endswith(".xlsx")


def _parts_of(source: str, name: str, data: bytes) -> Iterator[Part]:
    if name.lower().endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise InputError(f"{source}: not a readable zip file", file=source) from None
        with archive:
            for member in sorted(archive.namelist()):
                if member.endswith("/") or not member.lower().endswith(TABLE_SUFFIXES):
                    continue
                yield from _parts_of(f"{source}!{member}", member, archive.read(member))
    else:
        yield Part(source, name, data)


def iter_parts(paths: Iterable[Path]) -> Iterator[Part]:
    """Every table part under ``paths``: files, folders (sorted) and zip members."""
    for path in table_files(paths):
        yield from _parts_of(str(path), path.name, path.read_bytes())


def rows_of(part: Part) -> Iterator[RawRow]:
    """The rows of one part (xlsx: every sheet)."""
    if part.is_xlsx:
        yield from _xlsx_rows(part.source, part.data)
    else:
        yield from _text_rows(part.source, part.data)


def iter_rows(paths: Iterable[Path]) -> Iterator[RawRow]:
    """Every row of every table file under ``paths`` (zip members and sheets included)."""
    for part in iter_parts(paths):
        yield from rows_of(part)
