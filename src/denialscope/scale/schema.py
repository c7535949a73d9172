"""The Parquet schema as data: ``schema.yaml`` read once, turned into pyarrow schemas on demand.

Money is ``decimal(18,2)`` and quantities ``decimal(18,3)``: never float, so sums over
hundreds of millions of rows stay exact to the cent.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "COMMON",
    "PARTITION",
    "SCHEMA_VERSION",
    "TABLES",
    "arrow_schema",
    "columns",
    "wide_name",
    "wide_schema",
]

PARTITION = "file_date"


@cache
def _load() -> dict[str, Any]:
    text = resources.files("denialscope.scale").joinpath("schema.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


SCHEMA_VERSION: int = int(_load()["version"])
COMMON: tuple[tuple[str, str], ...] = tuple((n, t) for n, t in _load()["common"])
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    table: COMMON + tuple((n, t) for n, t in cols) for table, cols in _load()["tables"].items()
}


def columns(table: str) -> tuple[str, ...]:
    """Column names of a table, the common ones first."""
    return tuple(name for name, _ in TABLES[table])


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "date": pa.date32(),
        "bool": pa.bool_(),
        "int": pa.int64(),
        "money": pa.decimal128(18, 2),
        "quantity": pa.decimal128(18, 3),
    }[kind]


def arrow_schema(table: str) -> Any:
    """The pyarrow schema of one table, with the schema version in its metadata."""
    import pyarrow as pa

    fields = [pa.field(name, _arrow_type(kind)) for name, kind in TABLES[table]]
    return pa.schema(fields, metadata={"denialscope.schema_version": str(SCHEMA_VERSION)})


def wide_name(table: str, column: str) -> str:
    """A table's column in the one wide batch a Spark task returns (``claims__paid``)."""
    return f"{table}__{column}"


def wide_schema() -> Any:
    """Every table's columns side by side plus ``table``: what one Spark task emits.

    mapInArrow returns one schema; a row belongs to the table it names and leaves the other
    tables' columns null, which costs one validity bit each in Arrow.
    """
    import pyarrow as pa

    fields = [pa.field("table", pa.string())]
    for table, cols in TABLES.items():
        fields.extend(pa.field(wide_name(table, n), _arrow_type(k)) for n, k in cols)
    return pa.schema(fields)
