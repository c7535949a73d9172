"""Where denialscope keeps its data, which database it talks to, and which configuration
files govern it: one :class:`Settings` built once by the interface (CLI, web) and passed down.

Precedence: an explicit argument (``--database``, ``--data-dir``) beats the environment
(``DENIALSCOPE_DATABASE_URL``, ``DENIALSCOPE_DATA_DIR``), which beats the default: a SQLite
file ``denialscope.db`` in ``./data`` under the current directory. The environment is read
here and nowhere else: domain code receives a ``Settings`` (or the paths it needs) so that
one ``--data-dir`` governs every command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "data_dir", "database_url"]

DEFAULT_DATA_DIR = "data"
DATABASE_FILE = "denialscope.db"
DATA_DIR_ENV = "DENIALSCOPE_DATA_DIR"
DATABASE_URL_ENV = "DENIALSCOPE_DATABASE_URL"
# Organization overrides, all inside the data directory.
CLASSIFICATION_FILE = "classification.yaml"
WORKQUEUE_FILE = "workqueue.yaml"
TEMPLATES_SUBDIR = Path("appeals") / "templates"
REFERENCES_FILE = Path("appeals") / "references.yaml"
UR_FILE = "ur.yaml"
INPATIENT_ONLY_FILE = "inpatient_only.csv"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a service needs to know about where things are.

    Build it with :meth:`Settings.resolve` at the edge of the program; pass it down.
    Paths of organization overrides are properties: a file that does not exist means
    "use the shipped defaults".
    """

    data_dir: Path
    database_url: str

    @classmethod
    def resolve(
        cls,
        *,
        data_dir: str | Path | None = None,
        database: str | None = None,
        create: bool = True,
    ) -> Settings:
        """Settings from explicit options, else the environment, else the defaults.

        ``create`` makes the data directory (owner-only) when it is missing; commands that
        only read (``db url``) pass ``False`` so that no stray ``./data`` appears.
        """
        raw_dir = Path(data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
        if create:
            from denialscope.files import ensure_private_dir

            raw_dir = ensure_private_dir(raw_dir)
        url = database or os.environ.get(DATABASE_URL_ENV)
        if url:
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        else:
            url = f"sqlite:///{(raw_dir / DATABASE_FILE).resolve()}"
        return cls(data_dir=raw_dir, database_url=url)

    @property
    def classification_file(self) -> Path:
        """The organization's classification override (may not exist)."""
        return self.data_dir / CLASSIFICATION_FILE

    @property
    def workqueue_file(self) -> Path:
        """The organization's work-queue / rework override (may not exist)."""
        return self.data_dir / WORKQUEUE_FILE

    @property
    def templates_dir(self) -> Path:
        """The organization's own letter templates (may not exist)."""
        return self.data_dir / TEMPLATES_SUBDIR

    @property
    def references_file(self) -> Path:
        """The organization's appeal reference library (may not exist)."""
        return self.data_dir / REFERENCES_FILE

    @property
    def ur_file(self) -> Path:
        """The organization's utilization-review rules per payer (may not exist)."""
        return self.data_dir / UR_FILE

    @property
    def inpatient_only_file(self) -> Path:
        """The organization's current CMS inpatient-only list (may not exist)."""
        return self.data_dir / INPATIENT_ONLY_FILE


# The two functions below predate Settings; the service-layer refactor replaces their
# callers in domain code with a Settings passed down, then removes them.
def data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory (created owner-only if missing: it holds the database and letters)."""
    from denialscope.files import ensure_private_dir

    path = Path(explicit or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
    return ensure_private_dir(path)


def database_url(explicit: str | None = None, *, data: str | Path | None = None) -> str:
    """The SQLAlchemy URL of the database to use."""
    return Settings.resolve(data_dir=data, database=explicit).database_url
