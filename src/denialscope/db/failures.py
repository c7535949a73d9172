"""Database failures a user can act on, said in one line instead of a driver traceback.

A full disk (SQLite "database or disk is full", ENOSPC, PostgreSQL ``DiskFull``) and a
write lock not granted in time ("database is locked", PostgreSQL ``lock_timeout``) become a
:class:`DatabaseError`; the transaction that met them has been rolled back.
"""

from __future__ import annotations

import errno

from sqlalchemy import exc as sa_exc

from denialscope.errors import DatabaseError

__all__ = ["DiskFullError", "LockTimeoutError", "database_failure"]


class DiskFullError(DatabaseError):
    """The disk holding the database (or its journal) is full."""


class LockTimeoutError(DatabaseError):
    """Another process held the write lock for longer than DENIALSCOPE_LOCK_TIMEOUT."""


# SQLSTATE codes: 53100 disk_full, 55P03 lock_not_available.
_PG_DISK_FULL = {"53100"}
_PG_LOCKED = {"55P03"}


def _disk_full() -> DiskFullError:
    return DiskFullError(
        "the disk holding the database is full; nothing of this was stored and the "
        "database is unchanged. Free some space and run the command again."
    )


def _locked(lock_timeout_s: int | None) -> LockTimeoutError:
    waited = f"{lock_timeout_s:,} s" if lock_timeout_s else "the lock timeout"
    return LockTimeoutError(
        f"the database is busy: another denialscope process kept writing for more than "
        f"{waited}; nothing of this was stored. Run the command again when it has "
        "finished, or raise DENIALSCOPE_LOCK_TIMEOUT."
    )


def database_failure(
    error: BaseException, *, lock_timeout_s: int | None = None
) -> DatabaseError | None:
    """The DatabaseError a failure stands for, or None when it is not one of these;
    ``lock_timeout_s`` (the engine's, see ``db.engine.lock_timeout_of``) is named in the
    message of a lock timeout."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return _disk_full()
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_DISK_FULL:
        return _disk_full()
    if sqlstate in _PG_LOCKED:
        return _locked(lock_timeout_s)
    if type(orig).__module__ == "sqlite3":
        message = str(orig).lower()
        if "disk is full" in message:
            return _disk_full()
        if "database is locked" in message or "database table is locked" in message:
            return _locked(lock_timeout_s)
    if isinstance(orig, OSError) and orig.errno == errno.ENOSPC:
        return _disk_full()
    return None
