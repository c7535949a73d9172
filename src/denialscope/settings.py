"""Where denialscope keeps its data, which database it talks to, and which configuration
files and limits govern it: one :class:`Settings` built once by the interface (CLI, web) and
passed down.

Precedence: an explicit argument (``--database``, ``--data-dir``) beats the environment
(``DENIALSCOPE_DATABASE_URL``, ``DENIALSCOPE_DATA_DIR``), which beats the default: a SQLite
file ``denialscope.db`` in ``./data`` under the current directory. The environment is read
here and nowhere else (``DENIALSCOPE_FILE_MODE`` aside, read by :mod:`denialscope.files`
where every private file is written): domain code receives a ``Settings`` (or the paths and
limits it needs) so that one ``--data-dir`` governs every command.

Limits read from the environment (whole numbers above 0)::

    DENIALSCOPE_LOCK_TIMEOUT        300   seconds a writer waits for another one
    DENIALSCOPE_MIN_CLAIMS           30   adjudicated claims a period needs to show rates
    DENIALSCOPE_ZIP_MAX_MEMBER_MB  1024   one zip member, decompressed (MB of 10^6 bytes)
    DENIALSCOPE_ZIP_MAX_TOTAL_MB   4096   all members of one archive, decompressed
    DENIALSCOPE_ZIP_MAX_RATIO       100   decompressed / compressed size of one member
    DENIALSCOPE_ZIP_MAX_MEMBERS   10000   files in one archive
    DENIALSCOPE_UPLOAD_MAX_MB       256   one web upload (all its files), MB of 10^6 bytes
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from denialscope.errors import ConfigurationError
from denialscope.ingest.zip_limits import MB, ZipLimits

__all__ = ["Settings"]

DEFAULT_DATA_DIR: Final = "data"
DATABASE_FILE: Final = "denialscope.db"
DATA_DIR_ENV: Final = "DENIALSCOPE_DATA_DIR"
DATABASE_URL_ENV: Final = "DENIALSCOPE_DATABASE_URL"
LOCK_TIMEOUT_ENV: Final = "DENIALSCOPE_LOCK_TIMEOUT"
MIN_CLAIMS_ENV: Final = "DENIALSCOPE_MIN_CLAIMS"
DEFAULT_LOCK_TIMEOUT_S: Final = 300
DEFAULT_MIN_CLAIMS: Final = 30
DEFAULT_UPLOAD_MAX_MB: Final = 256
# Organization overrides, all inside the data directory.
CLASSIFICATION_FILE: Final = "classification.yaml"
WORKQUEUE_FILE: Final = "workqueue.yaml"
SCRUB_PACK_FILE: Final = "scrub_pack.yaml"
TEMPLATES_SUBDIR: Final = Path("appeals") / "templates"
REFERENCES_FILE: Final = Path("appeals") / "references.yaml"
UR_FILE: Final = "ur.yaml"
INPATIENT_ONLY_FILE: Final = "inpatient_only.csv"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a service needs to know about where things are and which limits apply.

    Build it with :meth:`Settings.resolve` at the edge of the program; pass it down.
    Paths of organization overrides are properties: a file that does not exist means
    "use the shipped defaults". Built directly (tests), the limits take their defaults.
    """

    data_dir: Path
    database_url: str
    lock_timeout_s: int = DEFAULT_LOCK_TIMEOUT_S
    min_claims: int = DEFAULT_MIN_CLAIMS
    zip_limits: ZipLimits = field(default_factory=ZipLimits)
    upload_max_bytes: int = DEFAULT_UPLOAD_MAX_MB * MB  # one web upload request, all files

    @classmethod
    def resolve(
        cls,
        *,
        data_dir: str | Path | None = None,
        database: str | None = None,
        create: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from explicit options, else the environment, else the defaults.

        ``create`` makes the data directory (owner-only) when the default SQLite database
        is to live in it; with ``--database`` given, or for commands that only read (``db
        url`` passes ``False``), nothing is created. ``environ`` replaces ``os.environ``
        (tests).
        """
        env = os.environ if environ is None else environ
        raw_dir = Path(data_dir or env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
        url = database or env.get(DATABASE_URL_ENV)
        if url:
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        else:
            if create:
                from denialscope.files import ensure_private_dir

                ensure_private_dir(raw_dir)
            url = f"sqlite:///{(raw_dir / DATABASE_FILE).resolve()}"
        return cls(
            data_dir=raw_dir,
            database_url=url,
            lock_timeout_s=_whole(env, LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT_S, "of seconds "),
            min_claims=_whole(env, MIN_CLAIMS_ENV, DEFAULT_MIN_CLAIMS),
            zip_limits=ZipLimits(
                max_member_bytes=_whole(env, "DENIALSCOPE_ZIP_MAX_MEMBER_MB", 1024, "of MB ") * MB,
                max_total_bytes=_whole(env, "DENIALSCOPE_ZIP_MAX_TOTAL_MB", 4096, "of MB ") * MB,
                max_ratio=_whole(env, "DENIALSCOPE_ZIP_MAX_RATIO", 100),
                max_members=_whole(env, "DENIALSCOPE_ZIP_MAX_MEMBERS", 10_000),
            ),
            upload_max_bytes=_whole(
                env, "DENIALSCOPE_UPLOAD_MAX_MB", DEFAULT_UPLOAD_MAX_MB, "of MB "
            )
            * MB,
        )

    def ensure_data_dir(self) -> Path:
        """The data directory, created owner-only if missing (for commands that write into
        it: loaded code lists and tables, the demo, letters)."""
        from denialscope.files import ensure_private_dir

        return ensure_private_dir(self.data_dir)

    @property
    def classification_file(self) -> Path:
        """The organization's classification override (may not exist)."""
        return self.data_dir / CLASSIFICATION_FILE

    @property
    def workqueue_file(self) -> Path:
        """The organization's work-queue / rework override (may not exist)."""
        return self.data_dir / WORKQUEUE_FILE

    @property
    def scrub_pack_file(self) -> Path:
        """The organization's scrub rule pack (may not exist)."""
        return self.data_dir / SCRUB_PACK_FILE

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


def _whole(env: Mapping[str, str], name: str, default: int, unit: str = "") -> int:
    """A whole number above 0 from the environment (``1_000`` and ``1,000`` allowed)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    digits = raw.replace("_", "").replace(",", "")
    if not digits.isdigit() or int(digits) <= 0:
        raise ConfigurationError(
            f"{name} must be a whole number {unit}greater than 0 (got {raw!r})", setting=name
        )
    return int(digits)
