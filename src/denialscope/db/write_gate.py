"""SQLite writers of one process wait in line for each other, not in SQLite's busy handler.

SQLite has one writer at a time. A second ``BEGIN IMMEDIATE`` waits in the busy handler,
which sleeps 1, 2, 5, 10 ... then 100 ms between tries and never queues: under twenty
concurrent web requests (each view writes its audit row, "take next" writes the take) a
request could lose the race again and again and wait most of a second while the lock was
free for most of that time (measured: "take next" p50 33 ms, p95 827 ms). So the writers of
one process first take a lock of this process, held from the ``BEGIN IMMEDIATE`` to the end
of the transaction: they wait on it and are woken as soon as it is free. Between processes
(``serve --workers N``, an ingest) SQLite's own lock still decides, with at most one waiter
per process.

The gate is released after the transaction's COMMIT or ROLLBACK reached SQLite (the
dialect's ``do_commit``/``do_rollback``, which the pool's reset on return calls too), and,
as a safety net, when the connection is checked in, invalidated or closed.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import Engine, event

__all__ = ["WriteGate", "install_write_gate", "write_gate_of"]

_HELD: Final = "denialscope_write_gate_held"
_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


class WriteGate:
    """This process's turn to write on one SQLite engine."""

    def __init__(self, timeout_s: float) -> None:
        self._lock = threading.Lock()
        self._timeout_s = timeout_s

    def enter(self, info: dict[Any, Any]) -> None:
        """Wait for the turn (OperationalError past the lock timeout, as SQLite's own)."""
        if info.get(_HELD):
            return  # this connection's transaction has it already
        if not self._lock.acquire(timeout=self._timeout_s):
            raise sqlite3.OperationalError(
                f"database is locked (waited {self._timeout_s:g} s for another writer)"
            )
        info[_HELD] = True

    @property
    def held(self) -> bool:
        """Whether a transaction of this process holds the turn now."""
        return self._lock.locked()

    def leave(self, info: dict[Any, Any]) -> None:
        """Give the turn back, once (idempotent: several hooks may see the same end)."""
        if info.pop(_HELD, None):
            self._lock.release()


def _info(dbapi_connection: Any) -> dict[Any, Any]:
    """The pool record's info of a connection; {} for the bare connection SQLAlchemy probes
    once at its first connect (its ``info`` is not implemented)."""
    try:
        info = dbapi_connection.info
    except (AttributeError, NotImplementedError):
        return {}
    return info if isinstance(info, dict) else {}


def install_write_gate(engine: Engine, timeout_s: float) -> WriteGate:
    """Put a gate on ``engine`` (SQLite): :meth:`WriteGate.enter` is called by the caller's
    begin hook before ``BEGIN IMMEDIATE``; the ends of transactions release it here."""
    gate = WriteGate(timeout_s)
    dialect: Any = engine.dialect

    def after(original: Callable[[Any], None]) -> Callable[[Any], None]:
        def end(dbapi_connection: Any) -> None:
            try:
                original(dbapi_connection)
            finally:
                gate.leave(_info(dbapi_connection))

        return end

    # Instance attributes over the dialect's methods: SQLAlchemy has no "after commit" event
    # at the connection level (its ``commit`` event runs before the COMMIT is sent).
    dialect.do_commit = after(dialect.do_commit)
    dialect.do_rollback = after(dialect.do_rollback)

    def release(_dbapi_connection: Any, record: Any, *_rest: Any) -> None:
        if record is not None:
            gate.leave(record.info)

    for name in ("checkin", "invalidate", "soft_invalidate", "close"):
        event.listen(engine.pool, name, release)
    _GATES[engine] = gate
    return gate


def write_gate_of(engine: Engine) -> WriteGate | None:
    """The gate of a SQLite engine made by ``db.engine.make_engine`` (None for others)."""
    return _GATES.get(engine)
