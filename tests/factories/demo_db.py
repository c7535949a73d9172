"""The demo health system generated, then ingested into a SQLite file, once per test session.

Building it (3,000 claims: generate, then ingest and classify) is the slowest setup in the
suite, so every module shares one copy read-only: the files (``demo_files``) for the tests of
the generator, the database (``demo_database``) for the tests of what is computed from it. A
test that writes (adds an event, refreshes a cube through a command) takes a private copy of
the database file, which costs a file copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from denialscope.db.engine import open_database
from denialscope.demo import DemoResult, generate_demo
from denialscope.ingest.service import ingest_paths

__all__ = ["DEMO_CLAIMS", "DEMO_SEED", "DemoDatabase", "build_demo_database", "build_demo_files"]

DEMO_CLAIMS = 3000
DEMO_SEED = 7


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class DemoDatabase:
    result: DemoResult
    path: Path  # the shared SQLite file: read it, never write it
    truth: dict[str, Any]  # ground_truth.json
    sha256: str  # of the file as built, checked when the session ends

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def copy_to(self, folder: Path) -> str:
        """The URL of a private copy in ``folder``, for a test that writes."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "demo-copy.db"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"

    def unchanged(self) -> bool:
        return _sha256(self.path) == self.sha256


def build_demo_files(folder: Path) -> DemoResult:
    return generate_demo(folder, claims=DEMO_CLAIMS, seed=DEMO_SEED)


def build_demo_database(result: DemoResult, folder: Path) -> DemoDatabase:
    """``result``'s files ingested into ``folder``/demo.db."""
    path = folder / "demo.db"
    engine, factory = open_database(f"sqlite:///{path}")
    try:
        report = ingest_paths(
            [str(p) for p in result.files], session_factory=factory, org_yaml=result.org_yaml
        )
        assert not report.failed, report.to_dict()
    finally:
        engine.dispose()  # closing the last connection folds the WAL into the file
    truth = json.loads(result.ground_truth.read_text(encoding="utf-8"))
    return DemoDatabase(result, path, truth, _sha256(path))
