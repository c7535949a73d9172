"""Fixtures for the ingest tests (``db`` and ``files`` come from factories.fixtures).

ingest_db   the test's Db: ingest paths, count every table, run queries
"""

from __future__ import annotations

import pytest

from factories.database import Db


@pytest.fixture
def ingest_db(db: Db) -> Db:
    return db
