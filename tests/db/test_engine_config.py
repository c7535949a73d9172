"""Engines: SQLite tuning, URL handling, clear errors instead of tracebacks, open_database."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import StatementError

from denialscope.db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    make_engine,
    open_database,
    session_factory,
)
from denialscope.db.migrate import current_revision, head_revision
from denialscope.errors import ConfigurationError
from denialscope.settings import Settings
from denialscope.sources.models import SourceFile


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def test_sqlite_connections_are_tuned(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tuned.db'}")
    try:
        with engine.connect() as connection:
            pragmas = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
    finally:
        engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    }


def test_sqlite_rolls_back_ddl_with_the_transaction(tmp_path: Path) -> None:
    # pysqlite alone would commit before CREATE TABLE; a failed migration must not.
    engine = make_engine(f"sqlite:///{tmp_path / 'atomic.db'}")
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(text("CREATE TABLE scratch (id INTEGER)"))
            transaction.rollback()
            tables = connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars()
            assert "scratch" not in list(tables)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("not a url at all", "not a database URL"),
        ("mysql://user@host/db", "unsupported database 'mysql'"),
        ("sqlite:////no/such/folder/x.db", "folder for the SQLite database does not exist"),
    ],
)
def test_bad_urls_raise_configuration_errors(url: str, complaint: str) -> None:
    with pytest.raises(ConfigurationError, match=complaint):
        make_engine(url)


def test_unreachable_server_is_a_configuration_error_without_the_password() -> None:
    url = f"postgresql://analyst:s3cret@127.0.0.1:{_free_port()}/denialscope"
    with pytest.raises(ConfigurationError, match="cannot connect to the database") as caught:
        open_database(url)
    assert "s3cret" not in caught.value.message
    assert "postgresql+psycopg://analyst:***@127.0.0.1" in caught.value.message


def test_open_database_defaults_to_sqlite_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DENIALSCOPE_DATABASE_URL", raising=False)
    settings = Settings.resolve(data_dir=tmp_path / "data")
    engine, _ = open_database(settings.database_url)
    try:
        assert engine.url.database == str((tmp_path / "data" / "denialscope.db").resolve())
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_open_database_migrates_once_and_again_is_harmless(database_url: str) -> None:
    for _ in range(2):
        engine, sessions = open_database(database_url)
        try:
            assert current_revision(engine) == head_revision()
            with sessions() as session:
                assert session.scalars(select(SourceFile)).all() == []
        finally:
            engine.dispose()


def test_open_database_without_migrating_leaves_the_database_alone(database_url: str) -> None:
    engine, _ = open_database(database_url, migrate=False)
    try:
        assert current_revision(engine) is None
    finally:
        engine.dispose()


def test_objects_stay_readable_after_commit(engine: Engine) -> None:
    with session_factory(engine)() as session:
        source = SourceFile(sha256="c" * 64, name="a.835")
        session.add(source)
        session.commit()
    assert source.name == "a.835"  # no refresh needed once the session is gone


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with session_factory(engine)() as session:
        session.add(SourceFile(sha256="d" * 64, name="a.835", received_at=dt.datetime(2024, 1, 1)))
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()
