"""Options every command that touches the database or the data directory shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["DataDirOption", "DatabaseOption", "JsonOption"]

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
