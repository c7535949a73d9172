"""Fixtures for the Parquet export and Spark tests.

The synthetic X12 builders of the ingest tests are reused (tests/ingest/ingest_x12.py).
Spark tests share one local[2] session per test session (a JVM start costs seconds); they
need no database, so they run once, not once per backend, and they are skipped (with the
reason) only when no Java runtime is installed: ./scripts/test installs Java 17.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: install openjdk-17-jre-headless (./scripts/test does)")
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    from denialscope.scale.spark_job import spark_session

    session = spark_session("local[2]", app_name="denialscope-tests")
    yield session
    session.stop()
