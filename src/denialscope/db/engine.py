"""Engines and sessions for the two supported databases: SQLite (default) and PostgreSQL.

SQLite connections are tuned for one writer (ingest) beside readers (web, analytics): WAL
journal, foreign keys enforced (SQLite ignores them otherwise), ``synchronous=NORMAL`` (safe
under WAL) and a busy timeout so a reader waits instead of failing while ingest commits.
pysqlite's own transaction handling is switched off and SQLAlchemy emits BEGIN itself, so
migrations run in one transaction and SAVEPOINTs work (pysqlite would commit before DDL).

PostgreSQL goes through psycopg 3 (``postgresql+psycopg://``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from denialscope.db.failures import database_failure
from denialscope.db.locks import DEFAULT_LOCK_TIMEOUT_S, LOCK_TIMEOUT_OPTION, WRITE_LOCK_OPTION
from denialscope.db.migrate import upgrade
from denialscope.db.write_gate import WriteGate, install_write_gate
from denialscope.errors import ConfigurationError

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "check_connection",
    "lock_timeout_of",
    "make_engine",
    "open_database",
    "redact_url",
    "session_factory",
]

SQLITE_BUSY_TIMEOUT_MS = DEFAULT_LOCK_TIMEOUT_S * 1000  # unless DENIALSCOPE_LOCK_TIMEOUT says
_CONNECT_TIMEOUT_S = 10
# The web server runs sync routes on up to 40 threads, each holding one connection for its
# request: SQLAlchemy's default pool (5 + 10 overflow) made the 16th concurrent request wait
# 30 s and fail. Connections are opened only when used, so the CLI opens one or two as before.
_POOL: dict[str, int] = {"pool_size": 10, "max_overflow": 40}


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise ConfigurationError(
            "not a database URL: expected sqlite:///path/to/file.db or "
            "postgresql+psycopg://user@host/dbname",
        ) from error
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigurationError(
            f"unsupported database {parsed.drivername!r}: denialscope runs on SQLite "
            "(sqlite:///file.db) or PostgreSQL (postgresql+psycopg://...)",
            url=redact_url(url),
        )
    return parsed


def redact_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return (make_url(url) if isinstance(url, str) else url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<unparseable URL>"


def _sqlite_on_connect(lock_timeout_s: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" hook below emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # The busy timeout first: switching a new file to WAL waits for a lock too. A
            # writer waits as long as the lock timeout for another process's write to end.
            cursor.execute(f"PRAGMA busy_timeout={lock_timeout_s * 1000}")
            _switch_to_wal(cursor, lock_timeout_s)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return on_connect


def _switch_to_wal(cursor: Any, lock_timeout_s: int) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the file.

    SQLite skips the busy handler when waiting could deadlock, and two processes opening a
    new file at once do exactly that (each reads the header, then wants the exclusive lock
    to switch it): one fails at once with "database is locked" whatever the busy timeout.
    So the wait is done here, up to the same lock timeout.
    """
    deadline = time.monotonic() + lock_timeout_s
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _sqlite_on_begin(gate: WriteGate) -> Any:
    def on_begin(connection: Any) -> None:
        # A write transaction (db.locks.take_write_lock) takes the write lock at BEGIN: a
        # deferred one that reads first fails at once ("database is locked") when another
        # process committed meanwhile, whatever the busy timeout. This process's writers
        # wait in line for each other first (db.write_gate).
        if not connection.get_execution_options().get(WRITE_LOCK_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        gate.enter(connection.info)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            gate.leave(connection.info)
            raise

    return on_begin


def _create_private(path: Path) -> None:
    """Create a new SQLite file owner-only (DENIALSCOPE_FILE_MODE) before SQLite does.

    SQLite would create it 0644 under the usual umask; it gives its -wal, -shm and -journal
    files the database file's own mode, so creating this one right covers all of them. An
    existing file is left as it is.
    """
    from denialscope.files import file_mode

    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode())
    except FileExistsError:
        return
    except OSError:
        return  # SQLite reports an unwritable folder itself, with its own message
    os.fchmod(descriptor, file_mode())  # the umask may have taken bits off
    os.close(descriptor)


def lock_timeout_of(engine: Engine) -> int:
    """The seconds a writer on ``engine`` waits for another one (``Settings.lock_timeout_s``)."""
    return int(engine.get_execution_options().get(LOCK_TIMEOUT_OPTION, DEFAULT_LOCK_TIMEOUT_S))


def make_engine(url: str, *, lock_timeout_s: int = DEFAULT_LOCK_TIMEOUT_S) -> Engine:
    """An engine for a SQLite or PostgreSQL URL; a bad URL raises ConfigurationError.

    ``lock_timeout_s``: how long a writer waits for another process's write (SQLite busy
    timeout, PostgreSQL ``lock_timeout`` of the advisory write lock); kept on the engine as
    an execution option that :mod:`denialscope.db.locks` reads.
    """
    options = {LOCK_TIMEOUT_OPTION: lock_timeout_s}
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise ConfigurationError(
                    f"the folder for the SQLite database does not exist: {folder}",
                    url=redact_url(parsed),
                )
            _create_private(Path(database).expanduser())
        engine = create_engine(
            parsed,
            connect_args={"timeout": lock_timeout_s},
            execution_options=options,
            **_POOL,
        )
        event.listen(engine, "connect", _sqlite_on_connect(lock_timeout_s))
        gate = install_write_gate(engine, lock_timeout_s)
        event.listen(engine, "begin", _sqlite_on_begin(gate))
        return engine
    try:
        return create_engine(
            parsed,
            pool_pre_ping=True,
            **_POOL,
            # No server-side prepared statements: after five runs psycopg would switch to a
            # generic plan chosen while ingest's tables were still small (a sequential scan),
            # and keep it as they grow within the same transaction.
            connect_args={"connect_timeout": _CONNECT_TIMEOUT_S, "prepare_threshold": None},
            execution_options=options,
        )
    except (exc.ArgumentError, ImportError) as error:
        raise ConfigurationError(
            f"cannot use database {redact_url(parsed)}: {error}", url=redact_url(parsed)
        ) from error


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit (views render them)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def check_connection(engine: Engine) -> None:
    """Connect once; an unreachable server or unopenable file raises ConfigurationError."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ConfigurationError(
            f"cannot connect to the database {redact_url(engine.url)}: {reason}",
            url=redact_url(engine.url),
        ) from error


def open_database(
    url: str,
    *,
    migrate: bool = True,
    lock_timeout_s: int = DEFAULT_LOCK_TIMEOUT_S,
) -> tuple[Engine, sessionmaker[Session]]:
    """The database at ``url`` (``Settings.database_url``), migrated to head."""
    engine = make_engine(url, lock_timeout_s=lock_timeout_s)
    try:
        check_connection(engine)
        if migrate:
            upgrade(engine)
    except Exception as error:
        engine.dispose()
        mapped = database_failure(error, lock_timeout_s=lock_timeout_s)
        if mapped is not None:  # a migration waited too long, or the disk is full
            raise mapped from error
        raise
    except BaseException:
        engine.dispose()
        raise
    return engine, session_factory(engine)
