"""Appeal tests share the synthetic denied claims of the work-queue tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "workqueue"))


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data dir per test: no organization templates or library unless a test adds one."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("DENIALSCOPE_DATA_DIR", str(folder))
    return folder
