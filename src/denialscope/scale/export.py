"""``denialscope export parquet``: X12 files (or the database) to the Parquet tables.

Files are read on this machine, large ones part by part (:mod:`denialscope.scale.split`)
so memory stays bounded by one part. 837 files are read first so that each payment is
classified with the claim type of its claim, as ingest does once the 837 is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from denialscope.classify.config import ClassificationConfig
from denialscope.errors import InputError, OutputError, UnreadableFileError
from denialscope.ingest.sources import InputFile, discover
from denialscope.scale.manifest import MANIFEST_FILE, Manifest, ManifestEntry, content_sum
from denialscope.scale.parquet import write_tables
from denialscope.scale.rows import read_rows
from denialscope.scale.schema import SCHEMA_VERSION, TABLES
from denialscope.scale.split import (
    DEFAULT_PART_BYTES,
    Part,
    is_claim_file,
    part_bytes,
    plan_parts,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["ExportReport", "FileOutcome", "export_database", "export_files"]


@dataclass(slots=True)
class FileOutcome:
    """What happened to one input file."""

    name: str
    status: str  # written, same_bytes, same_content, refused
    rows: int = 0
    parts: int = 0
    reason: str = ""


@dataclass(slots=True)
class ExportReport:
    out: Path
    files: list[FileOutcome] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "refused"]


def export_files(
    *,
    paths: Sequence[str | Path],
    out: Path,
    classification: ClassificationConfig,
    part_bytes_target: int = DEFAULT_PART_BYTES,
    progress: Callable[[FileOutcome], None] | None = None,
) -> ExportReport:
    """Read every file under ``paths`` and write its rows under ``out``.

    A file already in the manifest (same bytes, or same content) adds nothing. A file that
    cannot be read, or that has a part that cannot be read, is refused whole and reported;
    the other files are still written.
    """
    if _written(out, "db"):
        raise OutputError(
            f"{out} holds an export of the database; export files to another folder",
            file=str(out),
        )
    manifest = Manifest(out)
    report = ExportReport(out=out)
    inputs: list[InputFile] = []
    for item in discover(list(paths)):
        if isinstance(item, UnreadableFileError):
            report.files.append(FileOutcome(item.context["file"], "refused", reason=item.reason))
            continue
        inputs.append(item)
    heads = {}
    for item in inputs:
        with item.open() as fh:
            heads[item.name] = fh.read(4096)
    inputs.sort(key=lambda i: not is_claim_file(heads[i.name]))  # 837s first, stable
    claim_types: dict[str, str] = {}
    for item in inputs:
        outcome = _export_one(
            item, out, manifest, classification, claim_types, part_bytes_target, report
        )
        report.files.append(outcome)
        if progress is not None:
            progress(outcome)
    return report


def _sha256(item: InputFile) -> str:
    digest = hashlib.sha256()
    with item.open() as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _export_one(
    item: InputFile,
    out: Path,
    manifest: Manifest,
    config: ClassificationConfig,
    claim_types: dict[str, str],
    target: int,
    report: ExportReport,
) -> FileOutcome:
    try:
        sha = _sha256(item)
    except UnreadableFileError as exc:
        return FileOutcome(item.name, "refused", reason=exc.reason)
    if sha in manifest.by_sha:
        return FileOutcome(item.name, "same_bytes")
    parts = plan_parts(item.path, target_bytes=target) if item.member is None else []
    basename = sha[:16]
    contents: list[int] = []
    file_date = None
    counts: dict[str, int] = {}
    # Each part is written as soon as it is read (memory: one part); a later part that
    # cannot be read, or content already written, removes what this file wrote.
    try:
        for number, (data, base) in enumerate(_part_data(item, parts)):
            result = read_rows(
                data,
                name=item.name,
                sha256=sha,
                config=config,
                claim_types=claim_types,
                base_offset=base,
            )
            contents.append(result.content)
            file_date = file_date or result.file_date
            for c in result.tables["claims"]:
                if c["claim_type"]:
                    claim_types[c["patient_control_number"]] = c["claim_type"]
            written = write_tables(out, result.tables, basename=f"{basename}-{number}")
            for table, count in written.items():
                counts[table] = counts.get(table, 0) + count
    except InputError as exc:
        _remove_written(out, basename)
        return FileOutcome(item.name, "refused", reason=exc.message)
    except BaseException:
        _remove_written(out, basename)
        raise
    content = content_sum(contents)
    entry_date = file_date.isoformat() if file_date else None
    # A file that holds no claim, payment or acknowledgment has nothing to repeat.
    first = manifest.by_content.get(content) if any(contents) else None
    if first is not None:
        _remove_written(out, basename)
        duplicate = ManifestEntry(
            sha, content, item.name, item.size, 0, entry_date, SCHEMA_VERSION, first.sha256
        )
        manifest.add([duplicate])
        return FileOutcome(item.name, "same_content", reason=f"same content as {first.name}")
    rows = sum(counts.values())
    for table, count in counts.items():
        report.tables[table] += count
    manifest.add(
        [ManifestEntry(sha, content, item.name, item.size, rows, entry_date, SCHEMA_VERSION)]
    )
    return FileOutcome(item.name, "written", rows=rows, parts=max(len(parts), 1))


def _part_data(item: InputFile, parts: list[Part]) -> Iterator[tuple[bytes, int]]:
    if parts:
        for part in parts:
            yield part_bytes(part)
    else:
        with item.open(charge=True) as fh:
            yield fh.read(), 0


def _remove_written(out: Path, basename: str) -> None:
    for table in TABLES:
        for path in (out / table).glob(f"*/{basename}-*.parquet"):
            path.unlink(missing_ok=True)


def _written(out: Path, basename: str) -> bool:
    return any(any((out / t).glob(f"*/{basename}-*.parquet")) for t in TABLES)


def export_database(*, engine: Engine, out: Path) -> ExportReport:
    """Write the whole database as the Parquet tables under ``out``, replacing an earlier
    database export there (files removed since then must not linger)."""
    from denialscope.scale.from_database import database_chunks

    if (out / MANIFEST_FILE).exists():
        raise OutputError(
            f"{out} holds an export of X12 files; export the database to another folder",
            file=str(out),
        )
    _remove_written(out, "db")
    report = ExportReport(out=out)
    for name, tables in database_chunks(engine):
        for table, count in write_tables(out, tables, basename=f"db-{name}").items():
            report.tables[table] += count
    return report
