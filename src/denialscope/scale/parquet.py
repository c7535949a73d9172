"""Rows to Parquet: typed by ``schema.yaml``, partitioned by file date (``file_date=...``).

Each file's rows go to part files named after the file's hash, so writing the same file
twice replaces its parts instead of adding a copy (the manifest normally skips it first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from denialscope.errors import OutputError
from denialscope.scale.schema import PARTITION, TABLES, arrow_schema

__all__ = ["normalize", "to_arrow", "write_tables"]

_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")


def _decimal(value: Any, step: Decimal) -> Decimal | None:
    if value is None:
        return None
    try:
        # The database keeps money as NUMERIC(14,2): the same rounding, the same cents.
        return Decimal(value).quantize(step, rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _convert(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "money":
        return _decimal(value, _CENT)
    if kind == "quantity":
        return _decimal(value, _MILLI)
    if kind == "string":
        return str(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])
    raise ValueError(f"unknown column type {kind!r}")


def normalize(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """One row with exactly the table's columns, each converted to its schema type."""
    return {name: _convert(kind, row.get(name)) for name, kind in TABLES[table]}


def to_arrow(table: str, rows: Iterable[Mapping[str, Any]]) -> Any:
    """A pyarrow Table of one table's rows."""
    import pyarrow as pa

    return pa.Table.from_pylist([normalize(table, r) for r in rows], schema=arrow_schema(table))


def write_tables(
    out: Path, tables: Mapping[str, list[dict[str, Any]]], *, basename: str
) -> dict[str, int]:
    """Write each table's rows under ``out/<table>/file_date=.../<basename>-N.parquet``.

    Returns the row count written per table.
    """
    import pyarrow.parquet as pq

    written: dict[str, int] = {}
    for table, rows in tables.items():
        if not rows:
            continue
        data = to_arrow(table, rows)
        try:
            pq.write_to_dataset(
                data,
                root_path=str(out / table),
                partition_cols=[PARTITION],
                basename_template=f"{basename}-{{i}}.parquet",
                existing_data_behavior="overwrite_or_ignore",
            )
        except OSError as exc:
            raise OutputError(f"cannot write {out / table}: {exc}", file=str(out)) from exc
        written[table] = len(rows)
    return written
