"""Fixtures for the classification tests: the shipped defaults and an isolated data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from denialscope.classify import ClassificationConfig, load_config

HERE = Path(__file__).parent
SHARED_REFDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "refdata"


@pytest.fixture(scope="session")
def defaults() -> ClassificationConfig:
    """The shipped defaults only (no organization file)."""
    return load_config([])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data directory, so nothing reads or writes ./data."""
    path = tmp_path / "data"
    monkeypatch.setenv("DENIALSCOPE_DATA_DIR", str(path))
    return path
