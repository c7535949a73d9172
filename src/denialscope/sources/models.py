"""The ``source_files`` table: one row per file read, identified by its SHA-256."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import BigInteger, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from denialscope.db.base import Base, utcnow

__all__ = ["FILE_STATUSES", "SourceFile"]

FILE_STATUSES = ("ingested", "failed")


class SourceFile(Base):
    """A file ingested once; the hash makes a second ingest of the same bytes a no-op."""

    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(1000))
    size: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # "835", "837P", "837I", "277CA", "999", or several joined by "," for a mixed file.
    file_type: Mapped[str | None] = mapped_column(String(40), index=True)
    version: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(
        String(20), default="ingested", server_default="ingested", index=True
    )
    interchanges: Mapped[int] = mapped_column(default=0, server_default="0")
    transactions: Mapped[int] = mapped_column(default=0, server_default="0")
    claims: Mapped[int] = mapped_column(default=0, server_default="0")
    # A list of diagnostic dicts (Diagnostic.to_dict()); JSON text so both engines agree.
    diagnostics_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    error_count: Mapped[int] = mapped_column(default=0, server_default="0")
    warning_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # False until the file's denials are work items; the catch-up syncs the files still false.
    queue_synced: Mapped[bool] = mapped_column(default=True, server_default=true(), index=True)

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        """The stored diagnostics, decoded."""
        value: list[dict[str, Any]] = json.loads(self.diagnostics_json or "[]")
        return value

    @diagnostics.setter
    def diagnostics(self, items: list[dict[str, Any]]) -> None:
        self.diagnostics_json = json.dumps(items, default=str, separators=(",", ":"))
