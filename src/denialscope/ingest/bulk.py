"""Fast multi-row INSERT inside the session's transaction, below the ORM.

SQLAlchemy's executemany costs several microseconds per row in parameter processing; ingest
writes about ten rows per claim, so that alone would cap it near 10,000 claims/s. Here each
column's own SQLAlchemy bind processor (the same conversion SQLAlchemy would apply: Decimal
to float on SQLite, UTC normalisation of timestamps, ...) is applied once per value, and
the rows go straight to the driver: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

__all__ = ["BulkWriter"]

Processor = Callable[[Any], Any] | None


class BulkWriter:
    def __init__(self, session: Session) -> None:
        self._session = session
        connection = session.connection()
        self._dialect = connection.dialect
        self._postgres = self._dialect.name == "postgresql"
        raw = connection.connection.driver_connection
        assert raw is not None, "a session in a transaction has a DBAPI connection"
        self._raw: Any = raw
        self._plans: dict[tuple[str, tuple[str, ...]], tuple[str, list[Processor]]] = {}
        if not self._postgres:
            # Index maintenance dominates large loads: with SQLite's default 2 MB page cache
            # every insert into a big index re-reads pages. A bound, not an allocation.
            self._raw.execute("PRAGMA cache_size=-131072")

    def _plan(self, table: Table, columns: tuple[str, ...]) -> tuple[str, list[Processor]]:
        key = (table.name, columns)
        plan = self._plans.get(key)
        if plan is None:
            procs: list[Processor] = [
                table.c[name].type.dialect_impl(self._dialect).bind_processor(self._dialect)
                for name in columns
            ]
            quoted = ", ".join(self._dialect.identifier_preparer.quote(c) for c in columns)
            name = self._dialect.identifier_preparer.format_table(table)
            if self._postgres:
                sql = f"COPY {name} ({quoted}) FROM STDIN"
            else:
                marks = ", ".join("?" for _ in columns)
                sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"
            plan = (sql, procs)
            self._plans[key] = plan
        return plan

    def insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows that all have the same keys (the column names)."""
        if not rows:
            return
        columns = tuple(rows[0])
        sql, procs = self._plan(table, columns)
        active = [(i, p) for i, p in enumerate(procs) if p is not None]
        converted: list[Any] = []
        append = converted.append
        getter = itemgetter(*columns)
        single = len(columns) == 1
        for row in rows:
            values = [getter(row)] if single else list(getter(row))
            for i, p in active:
                v = values[i]
                if v is not None:
                    values[i] = p(v)
            append(values)
        cursor = self._raw.cursor()
        try:
            if self._postgres:
                with cursor.copy(sql) as copy:
                    for values in converted:
                        copy.write_row(values)
            else:
                cursor.executemany(sql, converted)
        finally:
            cursor.close()
