"""SQLite writers wait in line for each other, not in SQLite's busy handler.

SQLite has one writer at a time. A second ``BEGIN IMMEDIATE`` waits in the busy handler,
which sleeps 1, 2, 5, 10 ... then 100 ms between tries and never queues: under twenty
concurrent web requests (each view writes its audit row, "take next" writes the take) a
request could lose the race again and again and wait most of a second while the lock was
free for most of that time (measured: "take next" p50 33 ms, p95 827 ms). So a writer first
takes its turn, held from the ``BEGIN IMMEDIATE`` to the end of the transaction:

- among the threads of one process, a lock of the process (woken as soon as it is free);
- among processes (``serve --workers N``, a command run beside it), an exclusive ``flock``
  on ``<database>.write-lock`` next to the database file, waited for in the kernel (woken
  when it is released) up to the lock timeout. Without it one process's queue of writers
  would pass the SQLite lock from one to the next while the other process's writer slept in
  the busy handler (measured with two processes: "take next" p95 4.6 x the baseline, 1.4 x
  with one process).

A writer that does not take a turn (another program) is still ordered by SQLite's own lock.
The turn is released after the transaction's COMMIT or ROLLBACK reached SQLite (the
dialect's ``do_commit``/``do_rollback``, which the pool's reset on return calls too), and,
as a safety net, when the connection is checked in, invalidated or closed.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, event

from denialscope.files import file_mode

__all__ = ["WriteGate", "install_write_gate", "write_gate_of"]

_HELD: Final = "denialscope_write_gate_held"
_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


class WriteGate:
    """The turn to write on one SQLite database: this process's threads, then processes."""

    def __init__(self, timeout_s: float, lock_file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._timeout_s = timeout_s
        self._lock_file = lock_file
        self._fd: int | None = None
        self._held_fd: int | None = None  # the descriptor holding the flock now

    def enter(self, info: dict[Any, Any]) -> None:
        """Wait for the turn (OperationalError past the lock timeout, as SQLite's own)."""
        if info.get(_HELD):
            return  # this connection's transaction has it already
        if not self._lock.acquire(timeout=self._timeout_s):
            raise sqlite3.OperationalError(
                f"database is locked (waited {self._timeout_s:g} s for another writer)"
            )
        try:
            self._enter_processes()
        except BaseException:
            self._lock.release()
            raise
        info[_HELD] = True

    def _enter_processes(self) -> None:
        """The exclusive ``flock``: tried at once (the common case: nobody writing), else
        waited for in the kernel by a helper thread, up to the lock timeout."""
        if self._lock_file is None:
            return
        if self._fd is None:
            try:
                self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, file_mode())
            except OSError:
                self._lock_file = None  # a read-only folder: SQLite's own lock alone
                return
            weakref.finalize(self, os.close, self._fd)  # closed with the engine's gate
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._held_fd = self._fd
            return
        except BlockingIOError:
            pass
        self._held_fd = _wait_for_flock(self._lock_file, self._timeout_s)

    @property
    def held(self) -> bool:
        """Whether a transaction of this process holds the turn now."""
        return self._lock.locked()

    def leave(self, info: dict[Any, Any]) -> None:
        """Give the turn back, once (idempotent: several hooks may see the same end)."""
        if info.pop(_HELD, None):
            held, self._held_fd = self._held_fd, None
            if held is not None:
                fcntl.flock(held, fcntl.LOCK_UN)
                if held != self._fd:
                    os.close(held)  # a waiter's own descriptor
            self._lock.release()


class _Waiter:
    """One wait for the processes' lock, by a helper thread: a blocking ``flock`` is the
    kernel's queue (woken when the lock is released, no polling), but it cannot time out, so
    the writer waits for the helper up to the timeout and, past it, abandons the wait: the
    helper then gives the lock back the moment it gets it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.done = threading.Event()
        self.mutex = threading.Lock()
        self.abandoned = False
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError as error:
            self.error = error
        with self.mutex:  # decided under the mutex: the writer abandons or is told, not both
            if self.abandoned:
                os.close(self.fd)  # releases the lock if it was taken
            else:
                self.done.set()


def _wait_for_flock(lock_file: Path, timeout_s: float) -> int:
    """A descriptor of ``lock_file`` holding its exclusive ``flock`` (its own open file: an
    abandoned wait must not take the gate's), or OperationalError past ``timeout_s``."""
    waiter = _Waiter(os.open(lock_file, os.O_RDWR | os.O_CREAT, file_mode()))
    threading.Thread(target=waiter.run, name="denialscope-write-turn", daemon=True).start()
    got = waiter.done.wait(timeout_s)
    with waiter.mutex:
        if not got and not waiter.done.is_set():
            waiter.abandoned = True
            raise sqlite3.OperationalError(
                f"database is locked (waited {timeout_s:g} s for another process)"
            )
    if waiter.error is not None:
        os.close(waiter.fd)
        raise sqlite3.OperationalError(f"database write lock failed: {waiter.error}")
    return waiter.fd


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
    begin hook before ``BEGIN IMMEDIATE``; the ends of transactions release it here. A
    database file gets the processes' lock file beside it; memory and URI databases none."""
    database = engine.url.database or ""
    lock_file = None
    if database and database != ":memory:" and not database.startswith("file:"):
        lock_file = (
            Path(database).expanduser().resolve().with_name(Path(database).name + ".write-lock")
        )
    gate = WriteGate(timeout_s, lock_file)
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
