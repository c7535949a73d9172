"""Who may write, and when: ingest writes and migrations are serialized across processes.

Two ``denialscope ingest`` runs (or an ingest and ``db upgrade``) on the same database
must both finish, one waiting for the other, instead of failing half way:

- SQLite: a write transaction starts with ``BEGIN IMMEDIATE`` (the write lock is taken
  first, so a read-then-write transaction can never fail on upgrading its lock), and the
  busy timeout makes the second writer wait.
- PostgreSQL: a transaction-level advisory lock (released at commit or rollback), waited
  for at most the lock timeout, so two ingests never race on inserting the same payer or
  patient.

The wait is ``Settings.lock_timeout_s`` (``DENIALSCOPE_LOCK_TIMEOUT`` seconds, default 300),
given to :func:`denialscope.db.engine.make_engine`, which keeps it on the engine; past it the
command stops with a :class:`DatabaseError` and nothing of the file is stored.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

__all__ = [
    "DEFAULT_LOCK_TIMEOUT_S",
    "INGEST_LOCK",
    "LOCK_TIMEOUT_OPTION",
    "MIGRATION_LOCK",
    "WRITE_LOCK_OPTION",
    "begin_writing",
    "lock_connection",
    "lock_timeout_seconds",
    "take_write_lock",
]

DEFAULT_LOCK_TIMEOUT_S = 300
# The execution option the SQLite "begin" hook reads to emit BEGIN IMMEDIATE.
WRITE_LOCK_OPTION = "denialscope_write_lock"
# The engine-wide execution option holding the lock timeout in seconds.
LOCK_TIMEOUT_OPTION = "denialscope_lock_timeout"
# Advisory lock keys (any bigint; these spell "dsingest" and "dsmigrat" in ASCII).
INGEST_LOCK = 0x6473696E67657374
MIGRATION_LOCK = 0x64736D6967726174


def lock_timeout_seconds(connection: Connection) -> int:
    """How long a writer on this connection waits for another one (set by ``make_engine``)."""
    value = connection.get_execution_options().get(LOCK_TIMEOUT_OPTION)
    return int(value) if value else DEFAULT_LOCK_TIMEOUT_S


def lock_connection(connection: Connection, key: int) -> None:
    """On PostgreSQL, wait (up to the lock timeout) for the advisory lock ``key``.

    Call it first in a transaction; the lock lasts until the transaction ends. On SQLite
    the transaction's BEGIN IMMEDIATE is the lock, so nothing is done here.
    """
    if connection.dialect.name != "postgresql":
        return
    timeout_ms = lock_timeout_seconds(connection) * 1000
    connection.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def take_write_lock(session: Session, key: int = INGEST_LOCK) -> None:
    """Make the session's new transaction the only writer of its kind until it ends.

    Must be the first thing the transaction does: the SQLite write lock is taken by the
    BEGIN that the session's first connection emits.
    """
    connection = session.connection(execution_options={WRITE_LOCK_OPTION: True})
    lock_connection(connection, key)


def begin_writing(session: Session) -> None:
    """Make the session's transaction one that may write, without the ingest lock.

    On SQLite a transaction that began by reading cannot start writing once another
    connection has committed meanwhile ("database is locked" at once, whatever the busy
    timeout): a web request that reads a page and then writes its audit row, or touches its
    session, would fail under concurrent users. So a transaction still holding the read lock
    only is committed (it wrote nothing yet, or what it wrote is kept) and a new one begins
    with the write lock (BEGIN IMMEDIATE, waiting up to the lock timeout). PostgreSQL has
    no such upgrade failure: nothing to do.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.connection().get_execution_options().get(WRITE_LOCK_OPTION):
            return
        session.commit()
    session.connection(execution_options={WRITE_LOCK_OPTION: True})
