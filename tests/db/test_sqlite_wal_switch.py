"""Two processes opening a new SQLite file at once: the WAL switch waits instead of failing.

SQLite answers "database is locked" at once, without calling the busy handler, when waiting
could deadlock, which is what two processes switching a new file to WAL together do (CI saw
one of two ``denialscope ingest`` runs on a fresh database stop on it). The switch retries up
to the lock timeout; these tests drive it with a cursor that is locked a given number of times.
"""

from __future__ import annotations

import sqlite3

import pytest

from denialscope.db.engine import _switch_to_wal


class LockedCursor:
    def __init__(self, times_locked: int, error: str = "database is locked") -> None:
        self.left = times_locked
        self.error = error
        self.calls = 0

    def execute(self, sql: str) -> None:
        assert sql == "PRAGMA journal_mode=WAL"
        self.calls += 1
        if self.left:
            self.left -= 1
            raise sqlite3.OperationalError(self.error)


def test_a_locked_switch_is_retried_until_it_succeeds() -> None:
    cursor = LockedCursor(times_locked=3)
    _switch_to_wal(cursor, lock_timeout_s=30)
    assert cursor.calls == 4


def test_past_the_lock_timeout_the_lock_error_is_raised() -> None:
    cursor = LockedCursor(times_locked=10**9)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _switch_to_wal(cursor, lock_timeout_s=0)
    assert cursor.calls == 1


def test_other_errors_are_not_retried() -> None:
    cursor = LockedCursor(times_locked=5, error="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _switch_to_wal(cursor, lock_timeout_s=30)
    assert cursor.calls == 1
