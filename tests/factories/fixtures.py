"""Fixtures every test folder may use (a pytest plugin named in tests/conftest.py).

data_dir      the test's private data directory, created (autouse: DENIALSCOPE_DATA_DIR points at
              it in every test, so nothing reads or writes ./data)
db            Db on a fresh migrated database (SQLite and PostgreSQL): ingest, count, query
files         Files: writes synthetic X12 text (or raw bytes) into the test's own folder
samples_dir   ../shared/x12-samples (public real-format files), or the test is skipped
refdata_dir   ../shared/refdata (research copies of the code sets), or the test is skipped
demo_files    the demo's files (3,000 claims, seed 7), generated once per session, read-only
demo_database those files ingested into SQLite once per session, read-only;
              ``demo_database.copy_to(tmp_path)`` for a test that writes
defaults      the shipped classification defaults only (no organization file)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from denialscope.classify import ClassificationConfig, load_config
from denialscope.demo import DemoResult
from factories.database import Db, Files
from factories.demo_db import DemoDatabase, build_demo_database, build_demo_files
from factories.shared import REFDATA_DIR, SAMPLES_DIR


@pytest.fixture(scope="session", autouse=True)
def _session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # The same for the session's own fixtures (migrating the template databases resolves the
    # settings, which creates the data dir; building the demo database).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DENIALSCOPE_DATA_DIR", str(tmp_path_factory.mktemp("session-data")))
        yield


@pytest.fixture(autouse=True)
def _no_shared_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every test: what defaults to the data dir goes to the test's own folder, never ./data or
    # a developer's DENIALSCOPE_DATA_DIR (the analytics tests created ./data); monkeypatch
    # also undoes a command that set the variable itself.
    monkeypatch.setenv("DENIALSCOPE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir of the test's own (organization files, letters, loaded NCCI tables)."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def defaults() -> ClassificationConfig:
    """The shipped classification defaults only (no organization file)."""
    return load_config([])


@pytest.fixture
def db(migrated_database_url: str) -> Iterator[Db]:
    database = Db(migrated_database_url)
    yield database
    database.dispose()


@pytest.fixture
def files(tmp_path: Path) -> Files:
    root = tmp_path / "in"
    root.mkdir()
    return Files(root)


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The public samples, read-only; tests that need them skip where they are absent."""
    if not (SAMPLES_DIR / "SOURCES.md").is_file():
        pytest.skip("../shared/x12-samples is not present")
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def refdata_dir() -> Path:
    """The research copies of the code sets, read-only; tests skip where they are absent."""
    if not REFDATA_DIR.is_dir():
        pytest.skip("../shared/refdata is not present")
    return REFDATA_DIR


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return build_demo_files(tmp_path_factory.mktemp("demo-files"))


@pytest.fixture(scope="session")
def demo_database(
    demo_files: DemoResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoDatabase]:
    demo = build_demo_database(demo_files, tmp_path_factory.mktemp("demo-database"))
    yield demo
    # Shared means read-only: a test that wrote would change what later modules see.
    assert demo.unchanged(), "a test wrote to the shared demo database; use copy_to(tmp_path)"
