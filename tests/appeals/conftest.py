"""Appeal tests: every test gets an empty private data dir (no organization templates or
library unless the test adds one)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_data_dir(data_dir: Path) -> Path:
    return data_dir
