"""What runs inside the Spark tasks: plan a file's parts, then read one part.

Both are ``mapInArrow`` functions (an iterator of Arrow batches in, batches out) and
import nothing from pyspark, so they are tested without a JVM. A part's rows leave the
task as one wide batch per table (see :func:`denialscope.scale.schema.wide_schema`),
followed by one ``_status`` row: the part's content identity or the reason it failed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from denialscope.classify.config import ClassificationConfig, load_config
from denialscope.errors import DenialscopeError
from denialscope.scale.parquet import to_arrow
from denialscope.scale.rows import read_rows
from denialscope.scale.schema import TABLES, wide_name, wide_schema
from denialscope.scale.split import PART_FIELDS, Part, part_bytes, plan_files

__all__ = [
    "PART_FIELDS",
    "STATUS_FIELDS",
    "STATUS_TABLE",
    "parse_parts",
    "plan_files",
    "task_schema",
]

STATUS_TABLE = "_status"
# The status row of a part: which file, its content identity (hex of a partial sum), the
# file date, how many rows it produced, or why it could not be read.
STATUS_FIELDS = (
    ("status__file_sha256", "string"),
    ("status__source_file", "string"),
    ("status__content", "string"),
    ("status__file_date", "date"),
    ("status__rows", "int"),
    ("status__error", "string"),
)


def _arrow(kind: str) -> Any:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "date": pa.date32(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "binary": pa.binary(),
    }[kind]


def task_schema() -> Any:
    """The wide schema a parse task emits: every table's columns plus the status columns."""
    import pyarrow as pa

    wide = wide_schema()
    return pa.schema([*wide, *(pa.field(n, _arrow(k)) for n, k in STATUS_FIELDS)])


_CONFIGS: dict[tuple[str, ...], ClassificationConfig] = {}


def config_from_texts(texts: Sequence[str]) -> ClassificationConfig:
    """The classification configuration from override files' text (shipped to the tasks as
    text: the workers of a cluster do not see the driver's data directory)."""
    key = tuple(texts)
    found = _CONFIGS.get(key)
    if found is None:
        with tempfile.TemporaryDirectory(prefix="denialscope-classify-") as folder:
            paths = []
            for number, text in enumerate(texts):
                path = os.path.join(folder, f"override-{number}.yaml")
                Path(path).write_text(text, encoding="utf-8")
                paths.append(path)
            found = load_config(paths)
        _CONFIGS[key] = found
    return found


def parse_parts(
    batches: Iterator[Any],
    *,
    config_texts: Sequence[str],
    claim_types: Any,
) -> Iterator[Any]:
    """Parts in (rows of :data:`PART_FIELDS`), wide batches of table rows out."""
    config = config_from_texts(config_texts)
    schema = task_schema()
    # A pyspark Broadcast is read here, on the executor; a plain mapping is used as it is.
    claim_types = getattr(claim_types, "value", claim_types)
    for batch in batches:
        for row in batch.to_pylist():
            yield from _parse_one(row, config, claim_types, schema)


def _parse_one(
    row: dict[str, Any],
    config: ClassificationConfig,
    claim_types: Mapping[str, str] | None,
    schema: Any,
) -> Iterator[Any]:
    import pyarrow as pa

    part = Part(row["path"], row["number"], row["start"], row["end"], row["header"], row["trailer"])
    status: dict[str, Any] = {
        "table": STATUS_TABLE,
        "status__file_sha256": row["sha256"],
        "status__source_file": row["name"],
    }
    try:
        data, base = part_bytes(part)
        result = read_rows(
            data,
            name=row["name"],
            sha256=row["sha256"],
            config=config,
            claim_types=claim_types,
            base_offset=base,
        )
    except DenialscopeError as exc:
        status["status__error"] = exc.message
        yield pa.RecordBatch.from_pylist([status], schema=schema)
        return
    except OSError as exc:
        status["status__error"] = f"{row['name']}: cannot read: {exc.strerror or exc}"
        yield pa.RecordBatch.from_pylist([status], schema=schema)
        return
    for table, rows in result.tables.items():
        if rows:
            yield _wide(table, to_arrow(table, rows), schema)
    status.update(
        status__content=f"{result.content:064x}",
        status__file_date=result.file_date,
        status__rows=result.count,
    )
    yield pa.RecordBatch.from_pylist([status], schema=schema)


def _wide(table: str, data: Any, schema: Any) -> Any:
    """One table's rows as a batch of the wide schema: its columns, nulls elsewhere."""
    import pyarrow as pa

    n = data.num_rows
    mine = {wide_name(table, name): data.column(name) for name, _ in TABLES[table]}
    arrays = []
    for field in schema:
        if field.name == "table":
            arrays.append(pa.array([table] * n, pa.string()))
        elif field.name in mine:
            arrays.append(mine[field.name].combine_chunks())
        else:
            arrays.append(pa.nulls(n, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
