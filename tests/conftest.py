"""Shared database fixtures: every test that uses them runs on SQLite and on PostgreSQL.

    database_url            a fresh, EMPTY database (for migration tests)
    migrated_database_url   a fresh database already at the newest revision
    engine                  an engine on migrated_database_url
    session                 a session on that engine (rolled back and closed afterwards)
    backend                 "sqlite" or "postgresql": which one this run uses

PostgreSQL runs on the server named by ``DENIALSCOPE_TEST_POSTGRES_URL`` (an admin URL, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): each test gets its own database,
dropped afterwards. Without that variable the PostgreSQL half is skipped, unless
``DENIALSCOPE_REQUIRE_POSTGRES=1`` (CI), which makes it fail instead. ``-m "not postgres"``
runs SQLite only.

Fresh databases are cheap: the schema is migrated once per test session into a template (a
SQLite file that is copied; a PostgreSQL ``TEMPLATE`` database that is cloned).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from denialscope.db.engine import make_engine, session_factory
from denialscope.db.migrate import upgrade

# The fixtures every folder shares (data_dir, samples_dir, ...) live in the support package.
pytest_plugins = ["factories.fixtures"]

POSTGRES_URL_ENV = "DENIALSCOPE_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "DENIALSCOPE_REQUIRE_POSTGRES"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


class PostgresServer:
    """Creates and drops throwaway databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        url = make_url(admin_url)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._template: str | None = None

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, *, template: str | None = None) -> str:
        name = f"denialscope_test_{uuid.uuid4().hex[:12]}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}{clause}"))
        return self.url_for(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def template(self) -> str:
        """The name of a database at the newest revision, made on first use."""
        if self._template is None:
            url = self.create()
            engine = make_engine(url)
            try:
                upgrade(engine)
            finally:
                engine.dispose()  # a template must have no connections when cloned
            self._template = make_url(url).database or ""
        return self._template

    def close(self) -> None:
        if self._template is not None:
            self.drop(self.url_for(self._template))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    admin_url = os.environ.get(POSTGRES_URL_ENV)
    if not admin_url:
        message = f"PostgreSQL tests need {POSTGRES_URL_ENV} (an admin URL to a test server)"
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"{message}; {REQUIRE_POSTGRES_ENV}=1 forbids skipping them")
        pytest.skip(message)
    server = PostgresServer(admin_url)
    try:
        with server.admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        server.admin.dispose()
        pytest.fail(f"cannot reach the PostgreSQL test server from {POSTGRES_URL_ENV}: {error}")
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest revision, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on the current backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create()
    yield url
    server.drop(url)


@pytest.fixture
def migrated_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A fresh database on the current backend, already at the newest revision."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "migrated.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create(template=server.template())
    yield url
    server.drop(url)


@pytest.fixture
def engine(migrated_database_url: str) -> Iterator[Engine]:
    """An engine on a fresh migrated database."""
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a fresh migrated database; the test may commit (the database is its own)."""
    with session_factory(engine)() as session:
        yield session
        session.rollback()
