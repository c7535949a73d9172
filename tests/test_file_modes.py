"""Files holding PHI are created owner-only unless DENIALSCOPE_FILE_MODE says otherwise."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from denialscope.db.engine import make_engine
from denialscope.errors import ConfigurationError
from denialscope.files import dir_mode, ensure_private_dir, file_mode, write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _loose_umask() -> object:
    import os

    old = os.umask(0o022)  # the usual umask: files 0644 unless created otherwise
    yield
    os.umask(old)


def test_sqlite_database_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "ds.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.execute(text("PRAGMA journal_mode=WAL"))
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            connection.commit()
            side = [tmp_path / "ds.db-wal", tmp_path / "ds.db-shm"]
            assert all(p.exists() for p in side)
            assert {_mode(p) for p in [database, *side]} == {0o600}
    finally:
        engine.dispose()


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    database.touch(mode=0o640)
    database.chmod(0o640)
    make_engine(f"sqlite:///{database}").dispose()
    assert _mode(database) == 0o640


def test_data_dir_and_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DENIALSCOPE_FILE_MODE", raising=False)
    data = ensure_private_dir(tmp_path / "data")
    assert _mode(data) == 0o700
    assert _mode(write_atomic(data / "letter.html", "<p>x</p>")) == 0o600


def test_file_mode_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENIALSCOPE_FILE_MODE", "0640")
    assert (file_mode(), dir_mode()) == (0o640, 0o750)
    assert _mode(ensure_private_dir(tmp_path / "group")) == 0o750
    assert _mode(write_atomic(tmp_path / "group" / "x.csv", "a")) == 0o640
    database = tmp_path / "group" / "g.db"
    make_engine(f"sqlite:///{database}").dispose()
    assert _mode(database) == 0o640


@pytest.mark.parametrize("bad", ["rw", "0666", "0700", "0400", "1777"])
def test_a_bad_file_mode_is_refused(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENIALSCOPE_FILE_MODE", bad)
    with pytest.raises(ConfigurationError, match="DENIALSCOPE_FILE_MODE"):
        file_mode()
