"""Options every command that touches the database or the data directory shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from denialscope.settings import Settings

__all__ = [
    "DataDirOption",
    "DatabaseOption",
    "JsonOption",
    "cli_settings",
    "open_session",
    "output_file",
]

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="URL",
        help="SQLAlchemy URL (sqlite:///file.db or postgresql://...); "
        "default DENIALSCOPE_DATABASE_URL, else the SQLite file in the data directory.",
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory: SQLite file, demo files, loaded code lists and tables, "
        "organization YAML (default DENIALSCOPE_DATA_DIR or ./data).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def output_file(path: Path | None) -> Path | None:
    """Typer callback for options naming a file to write: refuse before any work is done
    (a report or a letter is built first, and a missing folder would waste it)."""
    if path is None:
        return None
    if path.is_dir():
        raise typer.BadParameter(f"{path} is a folder: give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise typer.BadParameter(f"the folder {folder} does not exist")
    return path


def cli_settings(database: str | None, data_dir: Path | None, *, create: bool = True) -> Settings:
    """The one :class:`Settings` of a command, from ``--database`` and ``--data-dir`` (else
    the environment, else the defaults): build it once, pass it to every service."""
    from denialscope.settings import Settings

    return Settings.resolve(data_dir=data_dir, database=database, create=create)


@contextmanager
def open_session(settings: Settings, *, migrate: bool = True) -> Iterator[Session]:
    """A session on the database of ``settings``; the engine is disposed of afterwards."""
    from denialscope.db.engine import open_database

    engine, factory = open_database(
        settings.database_url, migrate=migrate, lock_timeout_s=settings.lock_timeout_s
    )
    try:
        with factory() as session:
            yield session
    finally:
        engine.dispose()
