"""Rows as an Excel workbook, for every xlsx denialscope writes (``report ... --format xlsx
--out FILE.xlsx``): the domains supply the rows, this module lays them out.

Money and rates stay numbers in the workbook (Decimals, not text) with a finance number
format, so finance can sum them; text is written as text and never as a formula (the CSV /
xlsx escaping of :mod:`denialscope.output.values`); the file is written whole or not at all,
owner-only. openpyxl is imported inside :func:`workbook_bytes`: importing this is cheap.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from denialscope.files import write_atomic
from denialscope.output.values import FORMULA_TRIGGERS, NUMBER_FORMATS, kind_of

__all__ = ["flatten_row", "workbook_bytes", "write_xlsx"]

SHEET_TITLE_MAX = 31  # Excel's limit on a sheet name


def _is_rate(value: Any) -> bool:
    # Imported here: the analytics package loads SQLAlchemy, which a cheap import avoids.
    from denialscope.analytics.results import Rate

    return isinstance(value, Rate)


def _cell(value: Any) -> Any:
    if _is_rate(value):
        return value.value
    if value is None or isinstance(value, bool | int | Decimal | dt.date | str):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list | tuple):
        return ";".join(str(_cell(v)) for v in value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return str(to_dict())
    return str(value)


def flatten_row(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted column names (``initial_denial_rate.count``)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten_row(value, name))
        else:
            to_dict = getattr(value, "to_dict", None)
            if callable(to_dict) and not _is_rate(value):
                out.update(flatten_row(to_dict(), name))
            else:
                out[name] = _cell(value)
    return out


def write_xlsx(
    rows: list[dict[str, Any]], path: Path, *, title: str, transpose: bool = False
) -> None:
    """The workbook of :func:`workbook_bytes` written to ``path`` (atomically, owner-only:
    a report can name patients)."""
    write_atomic(path, workbook_bytes(rows, title=title, transpose=transpose))


def workbook_bytes(rows: list[dict[str, Any]], *, title: str, transpose: bool = False) -> bytes:
    """One sheet: a header row and one row per result (one column per result if transposed)."""
    # openpyxl ships no type information (types-openpyxl is not a dependency).
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    flat = [flatten_row(row) for row in rows]
    columns: list[str] = []
    for line in flat:
        columns.extend(k for k in line if k not in columns)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:SHEET_TITLE_MAX] or "report"
    if transpose and columns:
        _append(sheet, [columns[0], *(line.get(columns[0]) for line in flat)], [""] * len(flat))
        for column in columns[1:]:
            _append(sheet, [column, *(line.get(column) for line in flat)], [column] * len(flat))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = max(len(c) for c in columns) + 2
    else:
        _append(sheet, columns, [""] * len(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in flat:
            _append(sheet, [line.get(c) for c in columns], columns)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet: Any, values: list[Any], keys: list[str]) -> None:
    """One row: numbers keep their value with a finance number format; text stays text."""
    sheet.append([None] * len(values))
    row = sheet.max_row
    # In a transposed sheet the first cell is the figure's name and the rest its values.
    keys = keys if len(keys) == len(values) else ["", *keys]
    for column, (value, key) in enumerate(zip(values, keys, strict=True), start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            # Set as a string, never parsed: "=HYPERLINK(...)" in a payer name stays text,
            # and quotePrefix keeps Excel from turning it into a formula when edited.
            cell.value = value
            cell.data_type = "s"
            if value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True
            continue
        cell.value = value
        kind = kind_of(key, value)
        if key and kind in NUMBER_FORMATS and value is not None and not isinstance(value, bool):
            cell.number_format = NUMBER_FORMATS[kind]
