"""The declarative base every table derives from, and the column types the schema shares.

Constraint names come from one naming convention so that a hand-written migration and the
ORM metadata name every index, key and check the same way on SQLite and PostgreSQL; without
it PostgreSQL invents names (``claims_payer_id_fkey``) that SQLite does not have, and a later
migration could not drop them portably.

Money is ``Numeric(14, 2)``. PostgreSQL stores it exactly. SQLite has no decimal type: by
its NUMERIC affinity it keeps a value with cents as a REAL, and SQLAlchemy turns it back into
a ``Decimal`` rounded to the column's two places. A single value (up to 999,999,999,999.99)
therefore round-trips exactly, and so does ``func.sum(column)`` (it keeps the column type);
raw ``text()`` SQL on SQLite returns floats, so analytics code builds typed expressions.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Dialect, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "MODEL_MODULES",
    "MONEY",
    "NAMING_CONVENTION",
    "QUANTITY",
    "Base",
    "TimestampMixin",
    "UTCDateTime",
    "load_models",
    "utcnow",
]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Modules that define tables, in dependency order. A migration environment and the schema
# comparison import all of them; add a module here when it adds tables (with its migration).
MODEL_MODULES: list[str] = [
    "denialscope.db.change_marks",
    "denialscope.sources.models",
    "denialscope.orgs.models",
    "denialscope.claims.models",
    "denialscope.remits.models",
    "denialscope.acks.models",
    "denialscope.denials.models",
    "denialscope.workqueue.models",
    "denialscope.analytics.models",
    "denialscope.scrub.models",
    "denialscope.governance.models",
    "denialscope.adt.models",
    "denialscope.ur.models",
    "denialscope.web.models",
    "denialscope.eligibility.models",
]

MONEY = Numeric(14, 2)
# Units of service and CAS quantities: 837 allows fractions (anesthesia minutes, drug units).
QUANTITY = Numeric(12, 3)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always stored and returned in UTC, aware, on both engines.

    SQLite keeps no offset at all and PostgreSQL returns the session's zone; this makes both
    return the same aware UTC value, and refuses naive datetimes whose zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a timezone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    """Root of every mapped class; its metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        Decimal: MONEY,
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
    }


class TimestampMixin:
    """``created_at`` / ``updated_at`` kept by the ORM (UTC)."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def load_models() -> MetaData:
    """Import every model module and return the complete metadata."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
