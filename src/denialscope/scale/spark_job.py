"""``denialscope spark ingest``: read X12 files in parallel on Spark and write the Parquet tables.

1. Plan (one task per file): SHA-256 and the parts of each file (large files are split at
   ST/SE boundaries, :mod:`denialscope.scale.split`). Files in the manifest are dropped.
2. Read 837 parts (one task per part) with our reader, then every other part with our
   reader and classifier, given the claim type of each CLM01 the 837s declared
   (a broadcast map), as ingest classifies a payment once its claim is stored.
3. A file with a part that failed, or whose content is already written, writes nothing.
   The tables are written to a staging folder, moved into place, and only then is the
   manifest extended: a run that fails leaves no rows behind and re-running adds nothing.

Submit to a cluster with ``spark-submit`` (denialscope installed on every worker, see
docs/scale.md); this module's file is the application::

    APP=$(python -c 'import denialscope.scale.spark_job as m; print(m.__file__)')
    spark-submit --master yarn "$APP" PATHS --out DIR [--classification FILE]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from denialscope.errors import InputError
from denialscope.scale.manifest import Manifest, ManifestEntry, content_sum
from denialscope.scale.schema import PARTITION, SCHEMA_VERSION, TABLES, wide_name
from denialscope.scale.split import DEFAULT_PART_BYTES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkReport", "main", "pack_parts", "render", "spark_ingest", "spark_session"]


@dataclass(slots=True)
class SparkReport:
    out: Path
    files: int = 0
    parts: int = 0
    written: list[str] = field(default_factory=list)
    same_bytes: list[str] = field(default_factory=list)
    same_content: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # name -> reason
    tables: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))


def spark_session(master: str = "local[2]", *, app_name: str = "denialscope") -> SparkSession:
    """A session for local runs: this Python for the workers, no UI, few shuffle partitions."""
    from pyspark.sql import SparkSession

    # PySpark starts its Python workers with $PYSPARK_PYTHON (else "python3" from PATH, which
    # may not have denialscope installed); the spark.pyspark.python setting is only read by
    # spark-submit. Set for this process and its JVM, unless the user chose one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder: Any = SparkSession.builder
    session: SparkSession = (
        builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        # Local runs talk to themselves only: no lookup of the host's own name.
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    return session


def _ddl(schema: Any) -> str:
    """A Spark DDL string for a pyarrow schema of our column types."""
    import pyarrow as pa

    def kind(t: Any) -> str:
        if pa.types.is_decimal(t):
            return f"decimal({t.precision},{t.scale})"
        return {
            pa.string(): "string",
            pa.date32(): "date",
            pa.int64(): "bigint",
            pa.bool_(): "boolean",
            pa.binary(): "binary",
        }[t]

    return ", ".join(f"`{f.name}` {kind(f.type)}" for f in schema)


def _input_files(paths: Sequence[str | Path]) -> list[tuple[str, str]]:
    from denialscope.ingest.sources import discover

    found: list[tuple[str, str]] = []
    for item in discover(list(paths)):
        if isinstance(item, Exception):
            raise item
        if item.member is not None:
            raise InputError(
                f"{item.name}: spark ingest reads files, not zip members; extract the archive "
                "where the cluster reads (or use denialscope export parquet)"
            )
        found.append((str(item.path.resolve()), item.name))
    return found


def spark_ingest(
    *,
    spark: SparkSession,
    paths: Sequence[str | Path],
    out: Path,
    classification_files: Sequence[Path] = (),
    part_bytes_target: int = DEFAULT_PART_BYTES,
    progress: Callable[[str], None] | None = None,
) -> SparkReport:
    """Read ``paths`` on ``spark`` and add their rows to the tables under ``out``."""
    from denialscope.scale import spark_tasks as tasks
    from denialscope.scale import split

    say = progress or (lambda _: None)
    report = SparkReport(out=out)
    manifest = Manifest(out)
    files = _input_files(paths)
    report.files = len(files)
    if not files:
        return report
    sc = spark.sparkContext
    files_df = spark.createDataFrame(
        # Hashing and planning is I/O: a few files per task is enough.
        sc.parallelize(files, min(len(files), 4 * sc.defaultParallelism)),
        schema="path string, name string",
    )
    plan = files_df.mapInArrow(
        partial(split.plan_files, part_bytes_target=part_bytes_target),
        _ddl(split.part_schema()),
    ).collect()
    parts = []
    first_of: dict[str, str] = {}  # sha256 -> the first file of this run with those bytes
    for p in plan:
        first = first_of.setdefault(p["sha256"], p["name"]) if p["sha256"] else p["name"]
        if p["error"]:
            report.refused[p["name"]] = p["error"]
        elif p["sha256"] in manifest.by_sha or first != p["name"]:
            if p["name"] not in report.same_bytes:
                report.same_bytes.append(p["name"])
        else:
            parts.append(p)
    report.parts = len(parts)
    say(f"{len(files)} files, {len(parts)} parts to read")
    texts = [path.read_text("utf-8") for path in classification_files]

    def read(selected: list[Any], claim_types: Any) -> DataFrame | None:
        if not selected:
            return None
        groups = pack_parts(
            [p["end"] - p["start"] for p in selected],
            slots=sc.defaultParallelism,
            target=part_bytes_target,
        )
        rows = [
            (number, tuple(selected[i][name] for name, _ in split.PART_FIELDS))
            for number, group in enumerate(groups)
            for i in group
        ]
        # Partition i holds exactly group i: a task per large part, small files packed.
        rdd = (
            sc.parallelize(rows, len(groups))
            .partitionBy(len(groups), lambda number: number)
            .values()
        )
        df = spark.createDataFrame(rdd, schema=_ddl(split.part_schema()))
        return df.mapInArrow(
            partial(tasks.parse_parts, config_texts=texts, claim_types=claim_types),
            _ddl(tasks.task_schema()),
        )

    from pyspark import StorageLevel

    claims_df = read([p for p in parts if p["claims_file"]], None)
    claim_types: dict[str, str] = {}
    if claims_df is not None:
        claims_df = claims_df.persist(StorageLevel.MEMORY_AND_DISK)
        pcn, ctype = (
            wide_name("claims", "patient_control_number"),
            wide_name("claims", "claim_type"),
        )
        for r in (
            claims_df.where(f"`table` = 'claims' AND `{ctype}` IS NOT NULL")
            .select(pcn, ctype)
            .toLocalIterator()
        ):
            claim_types[r[0]] = r[1]
    say(f"{len(claim_types):,} claim types from 837 parts")
    # A broadcast ships the map once per executor, not once per task.
    others = read([p for p in parts if not p["claims_file"]], sc.broadcast(claim_types))
    frames = [f for f in (claims_df, others) if f is not None]
    if not frames:
        return report
    wide = frames[0] if len(frames) == 1 else frames[0].unionByName(frames[1])
    wide = wide.persist(StorageLevel.MEMORY_AND_DISK)
    keep, duplicates = _decide(wide, manifest, report)
    say(f"{len(keep)} files to write, {len(duplicates)} with content already written")
    staging = out / "_staging" / uuid.uuid4().hex
    try:
        if keep:
            _write(wide, list(keep), staging, report)
            _commit(staging, out)
            say("tables written")
        manifest.add(keep.values())
        manifest.add(duplicates)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        wide.unpersist()
        if claims_df is not None:
            claims_df.unpersist()
    return report


def pack_parts(sizes: Sequence[int], *, slots: int, target: int) -> list[list[int]]:
    """Group parts (by index) into tasks: every large part alone, small files packed.

    A task per file would spend more on starting tasks than on reading when a hospital
    sends hundreds of small weekly files. There are at least ``2 * slots`` tasks (so every
    core has work) and enough that none holds much more than ``target`` bytes; parts go,
    largest first, to the least loaded task.
    """
    if not sizes:
        return []
    total = sum(sizes)
    count = min(len(sizes), max(2 * slots, -(-total // max(target, 1))))
    loads = [0] * count
    groups: list[list[int]] = [[] for _ in range(count)]
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        slot = min(range(count), key=lambda k: (loads[k], k))
        groups[slot].append(index)
        loads[slot] += sizes[index]
    return [sorted(g) for g in groups if g]


def _decide(
    wide: DataFrame, manifest: Manifest, report: SparkReport
) -> tuple[dict[str, ManifestEntry], list[ManifestEntry]]:
    """Which files to write: every part read, content not written before (nor earlier in
    this run, files taken by name). Returns the entries to add to the manifest."""
    from denialscope.scale.spark_tasks import STATUS_TABLE

    statuses = (
        wide.where(f"`table` = '{STATUS_TABLE}'")
        .select(
            "status__file_sha256",
            "status__source_file",
            "status__content",
            "status__file_date",
            "status__rows",
            "status__error",
        )
        .collect()
    )
    by_file: dict[str, list[Any]] = {}
    for r in statuses:
        by_file.setdefault(r[0], []).append(r)
    keep: dict[str, ManifestEntry] = {}
    duplicates: list[ManifestEntry] = []
    seen = dict(manifest.by_content)
    for sha, rows in sorted(by_file.items(), key=lambda kv: kv[1][0][1]):
        name = rows[0][1]
        errors = [r[5] for r in rows if r[5]]
        if errors:
            report.refused[name] = errors[0]
            continue
        content = content_sum(int(r[2], 16) for r in rows)
        dates = sorted(r[3] for r in rows if r[3] is not None)
        file_date = dates[0].isoformat() if dates else None
        size = sum(int(r[4] or 0) for r in rows)
        first = seen.get(content) if any(int(r[2], 16) for r in rows) else None
        if first is not None:
            duplicates.append(
                ManifestEntry(sha, content, name, 0, 0, file_date, SCHEMA_VERSION, first.sha256)
            )
            report.same_content.append(name)
            continue
        entry = ManifestEntry(sha, content, name, 0, size, file_date, SCHEMA_VERSION)
        keep[sha] = entry
        seen[content] = entry
        report.written.append(name)
    return keep, duplicates


def _write(wide: DataFrame, keep: list[str], staging: Path, report: SparkReport) -> None:
    from pyspark.sql import functions as F

    chosen = wide.where(F.col("table") != "_status")
    refused = set(report.refused) | set(report.same_content)
    if refused:  # a row fills only its own table's columns: its first non-null file hash
        sha = F.coalesce(*(F.col(wide_name(t, "file_sha256")) for t in TABLES))
        chosen = chosen.where(sha.isin(keep))
    # One job counts every table (a count per table would be eight).
    counts = {r[0]: r[1] for r in chosen.groupBy("table").count().collect()}
    for table in TABLES:
        count = int(counts.get(table, 0))
        report.tables[table] = count
        if not count:
            continue
        cols = [F.col(wide_name(table, name)).alias(name) for name, _ in TABLES[table]]
        # One file per date and table, not one per date and task: hundreds of weekly
        # files would otherwise leave thousands of tiny Parquet files.
        (
            chosen.where(F.col("table") == table)
            .select(*cols)
            .repartition(PARTITION)
            .write.mode("overwrite")
            .partitionBy(PARTITION)
            .parquet(str(staging / table))
        )


def _commit(staging: Path, out: Path) -> None:
    """Move the staged part files into the tables: each run's file names are its own."""
    for table in TABLES:
        source = staging / table
        if not source.is_dir():
            continue
        for path in source.glob("*/*.parquet"):
            target = out / table / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)


def main(argv: Sequence[str] | None = None) -> int:
    """``spark-submit`` entry point: the session comes from spark-submit's own settings."""
    parser = argparse.ArgumentParser(prog="denialscope.scale.spark_job")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--classification", action="append", type=Path, default=[])
    parser.add_argument("--part-mb", type=int, default=DEFAULT_PART_BYTES >> 20)
    args = parser.parse_args(argv)
    from pyspark.sql import SparkSession

    builder: Any = SparkSession.builder
    spark = builder.appName("denialscope").getOrCreate()
    try:
        report = spark_ingest(
            spark=spark,
            paths=args.paths,
            out=args.out,
            classification_files=args.classification,
            part_bytes_target=args.part_mb << 20,
            progress=lambda text: print(text, file=sys.stderr),
        )
    finally:
        spark.stop()
    print(render(report))
    return 1 if report.refused else 0


def render(report: SparkReport) -> str:
    """A short plain-text summary (file names only: they are not patient data)."""
    lines = [f"refused: {name}: {why}" for name, why in sorted(report.refused.items())]
    lines.append(
        f"{report.files} files ({report.parts} parts): {len(report.written)} written, "
        f"{len(report.same_bytes)} already written, {len(report.same_content)} same content, "
        f"{len(report.refused)} refused"
    )
    lines.append(
        f"wrote {report.out}: " + ", ".join(f"{t} {n:,}" for t, n in report.tables.items())
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
