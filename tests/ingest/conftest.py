"""Fixtures for the ingest tests: a database (SQLite and PostgreSQL) and a folder of files.

ingest_db   IngestDb on a fresh migrated database of the current backend: ingest paths,
            count every table, run queries
files       Files: writes synthetic X12 text (or raw bytes) into the test's folder
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_support import Files, IngestDb


@pytest.fixture
def ingest_db(migrated_database_url: str) -> Iterator[IngestDb]:
    db = IngestDb(migrated_database_url)
    yield db
    db.dispose()


@pytest.fixture
def files(tmp_path: Path) -> Files:
    root = tmp_path / "in"
    root.mkdir()
    return Files(root)
