"""Ingest of files uploaded through the browser, and the list of files loaded so far.

An upload lands in a temporary folder that is deleted after the request, so the names the
ingest report and ``source_files`` would keep ("/tmp/denialscope-ingest-x1y2/remit.835")
name nothing a user knows: :func:`ingest_uploads` reports and stores them as
``upload/<file name>`` (``upload/batch.zip!remit.835`` for an archive member) instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from denialscope.db.change_marks import mark_change
from denialscope.db.locks import take_write_lock
from denialscope.ingest.report import IngestReport
from denialscope.settings import Settings
from denialscope.sources.models import SourceFile

__all__ = ["UPLOAD_PREFIX", "LoadedFile", "ingest_uploads", "loaded_files"]

UPLOAD_PREFIX: Final = "upload/"


def _renamed(text: str | None, folder: Path) -> str | None:
    if text is None:
        return None
    return text.replace(f"{folder}/", UPLOAD_PREFIX)


def ingest_uploads(
    *,
    paths: Sequence[Path],
    folder: Path,
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> IngestReport:
    """Ingest the uploaded files in ``folder`` (zip limits and configuration from
    ``settings``), then name them ``upload/<name>`` in the report and in ``source_files``."""
    from denialscope.ingest.service import ingest_paths

    report = ingest_paths(list(paths), session_factory=session_factory, settings=settings)
    for result in report.files:
        result.name = _renamed(result.name, folder) or result.name
        result.error = _renamed(result.error, folder)
    prefix = f"{folder}/"
    with session_factory() as session, session.begin():
        take_write_lock(session)
        stored = session.execute(
            select(SourceFile.id, SourceFile.name).where(
                SourceFile.name.startswith(prefix, autoescape=True)
            )
        ).tuples()
        for file_id, name in list(stored):
            new = UPLOAD_PREFIX + name.removeprefix(prefix)
            session.execute(update(SourceFile).where(SourceFile.id == file_id).values(name=new))
        mark_change(session, "upload_name")  # a claim page shows the file names
    return report


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One stored file as the ingest page lists it."""

    id: int
    name: str
    file_type: str | None
    status: str
    received_at: dt.datetime
    size: int
    claims: int
    errors: int
    warnings: int
    queue_synced: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "file_type": self.file_type,
            "status": self.status,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "size": self.size,
            "claims": self.claims,
            "errors": self.errors,
            "warnings": self.warnings,
            "queue_synced": self.queue_synced,
        }


def loaded_files(*, session: Session, limit: int = 50) -> tuple[int, list[LoadedFile]]:
    """How many files are stored, and the latest ``limit`` of them (newest first)."""
    total = session.execute(select(func.count(SourceFile.id))).scalar_one()
    rows = session.scalars(
        select(SourceFile)
        .order_by(SourceFile.received_at.desc(), SourceFile.id.desc())
        .limit(limit)
    )
    return total, [
        LoadedFile(
            id=row.id,
            name=row.name,
            file_type=row.file_type,
            status=row.status,
            received_at=row.received_at,
            size=row.size,
            claims=row.claims,
            errors=row.error_count,
            warnings=row.warning_count,
            queue_synced=row.queue_synced,
        )
        for row in rows
    ]
