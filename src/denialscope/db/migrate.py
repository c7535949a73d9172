"""Schema migrations, run through Alembic's API (no alembic.ini: the scripts ship inside
the package, in ``denialscope/db/migrations``).

Each upgrade or downgrade runs in one transaction on both engines, so a failed migration
leaves the database where it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from denialscope.db.base import load_models
from denialscope.db.locks import MIGRATION_LOCK, WRITE_LOCK_OPTION, lock_connection
from denialscope.errors import ConfigurationError

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "schema_differences",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations (and ``url`` if given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    try:
        # Two processes opening a fresh database at once: the second waits for the first's
        # migration (SQLite BEGIN IMMEDIATE, PostgreSQL advisory lock), then finds the
        # schema at head and does nothing.
        with (
            engine.connect().execution_options(**{WRITE_LOCK_OPTION: True}) as connection,
            connection.begin(),
        ):
            lock_connection(connection, MIGRATION_LOCK)
            # env.py runs on this connection, inside this transaction.
            config.attributes["connection"] = connection
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    except CommandError as error:
        raise ConfigurationError(
            f"cannot {action} the database to {revision!r}: {error} (is the database newer "
            "than this version of denialscope?)",
            revision=revision,
        ) from error


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return  # the usual case: no write lock, so a reader never waits for an ingest
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the database down to ``revision`` (default: empty)."""
    _run(engine, "downgrade", revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this version of denialscope ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise ConfigurationError("no migrations found", folder=str(MIGRATIONS_DIR))
    return head


def schema_differences(engine: Engine) -> list[Any]:
    """What differs between the ORM models and the database (empty when they agree)."""
    metadata = load_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences: list[Any] = compare_metadata(context, metadata)
    return differences
