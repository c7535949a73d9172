"""Where denialscope keeps its data, and which database it talks to.

Precedence: an explicit argument (``--database``, ``--data-dir``) beats the environment
(``DENIALSCOPE_DATABASE_URL``, ``DENIALSCOPE_DATA_DIR``), which beats the default: a SQLite
file ``denialscope.db`` in ``./data`` under the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "database_url"]

DEFAULT_DATA_DIR = "data"
DATABASE_FILE = "denialscope.db"


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory (created owner-only if missing: it holds the database and letters)."""
    from denialscope.files import ensure_private_dir

    path = Path(explicit or os.environ.get("DENIALSCOPE_DATA_DIR") or DEFAULT_DATA_DIR)
    return ensure_private_dir(path)


def database_url(explicit: str | None = None, *, data: str | Path | None = None) -> str:
    """The SQLAlchemy URL of the database to use."""
    url = explicit or os.environ.get("DENIALSCOPE_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return f"sqlite:///{(data_dir(data) / DATABASE_FILE).resolve()}"
