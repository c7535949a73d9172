"""Reading the written tables back, for comparisons between the two writers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from denialscope.scale.schema import TABLES


def read_table(root: Path, table: str) -> list[dict[str, Any]]:
    """Every row of one table, ``file_date`` as ISO text, sorted for comparison."""
    import pyarrow.dataset as ds

    folder = root / table
    if not folder.is_dir():
        return []
    rows = ds.dataset(str(folder), format="parquet", partitioning="hive").to_table().to_pylist()
    for row in rows:
        row["file_date"] = None if row["file_date"] is None else str(row["file_date"])
    return sorted(rows, key=lambda r: tuple(str(r[c]) for c, _ in TABLES[table]))


def read_all(root: Path) -> dict[str, list[dict[str, Any]]]:
    return {table: read_table(root, table) for table in TABLES}
