"""A row per change made in place to stored data that pages keep figures of.

The pages that keep what they computed (the leaders' figures, the queue, the claim page) see
a change through stamps of index probes: new files, new ids, the newest work-item change.
A few writes rewrite rows in place and move none of those: ``reclassify`` (a payment's
denial flag, stream or layers), the organization file reloaded (a payer's name or kind), an
uploaded file's name, the queue's priorities refreshed. Each of these adds a mark in the same
transaction; the stamps include the newest mark's id. Its id is given by the database at
insert, inside the write, so a mark committed later has a higher id (on SQLite exactly; on
PostgreSQL the kept pages' age limit covers commits out of id order).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from denialscope.db.base import Base, utcnow

__all__ = ["ChangeMark", "mark_change", "newest_change_mark"]


class ChangeMark(Base):
    """One in-place change: what kind (``reclassify``, ``org``, ``upload_name``,
    ``priorities``) and when."""

    __tablename__ = "change_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def mark_change(session: Session, kind: str) -> None:
    """Record that ``kind`` changed stored rows in place (in the caller's transaction)."""
    session.execute(insert(ChangeMark).values(kind=kind, at=utcnow()))


def newest_change_mark() -> Any:
    """The newest mark's id, as a scalar subquery for a stamp (one index step)."""
    return select(func.max(ChangeMark.id)).scalar_subquery()
