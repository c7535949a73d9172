"""The web latency harness runs end to end on a small demo (no timing asserted): it starts
the server, signs users in, measures the baseline and each URL, and reports a missing page
as "not available" instead of failing."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from factories.demo_db import DemoDatabase

HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_web_latency.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_web_latency", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_web_latency"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_percentiles_are_nearest_rank() -> None:
    bench = _load()
    row = bench.Measured("/x", seconds=[n / 1000 for n in range(20, 0, -1)])  # 1..20 ms
    assert row.percentile(0.5) == 0.010  # rank ceil(10) = 10
    assert row.percentile(0.95) == 0.019  # rank ceil(19) = 19
    assert bench.Measured("/y", seconds=[0.004]).percentile(0.95) == 0.004


def test_the_harness_measures_a_baseline_and_skips_a_missing_page(
    demo_database: DemoDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _load()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(demo_database.path, data / "denialscope.db")
    argv = ["--data-dir", str(data), "--users", "3", "--rounds", "2",
            "--url", "/session.json", "--url", "/no-such-page"]  # fmt: skip
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert "reusing the demo in" in out
    assert re.search(r"database: [\d,]+ claims, [\d,]+ claim lines", out)
    assert "3 users signed in" in out
    # 3 users x 2 rounds, every answer a 200 (the users really are signed in).
    assert re.search(r"^/static/app\.css\s+6\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s", out, re.M)
    assert re.search(r"^/session\.json\s+6\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s", out, re.M)
    assert re.search(r"^/no-such-page\s+not available \(HTTP 404\)$", out, re.M)


def _assigned(database: Path) -> dict[int, str]:
    import sqlite3

    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT id, assigned_to FROM work_items WHERE assigned_to IS NOT NULL"
        ).fetchall()
    return {int(item): str(user) for item, user in rows}


def test_the_work_screens_claim_pages_and_take_next(
    demo_database: DemoDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _load()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(demo_database.path, data / "denialscope.db")
    before = _assigned(data / "denialscope.db")
    # A lead: 2 users x 2 rounds of claim pages (3 claims, cycled) and of take next; every
    # item taken is given back, so the queue is as it was.
    argv = ["--data-dir", str(data), "--users", "2", "--rounds", "2",
            "--claim-pages", "3", "--take-next"]  # fmt: skip
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert "2 users signed in as leader" in out
    assert re.search(r"^/claims/\{id\} ×3\s+4\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s", out, re.M)
    assert re.search(r"^POST /queue/next\s+4\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s", out, re.M)
    assert "/dashboard" not in out  # the work screens alone when no --url is given
    assert _assigned(data / "denialscope.db") == before

    # A coder keeps what it takes: four more coding items are assigned, to the bench coders.
    argv = ["--data-dir", str(data), "--users", "2", "--rounds", "2",
            "--role", "coder", "--take-next"]  # fmt: skip
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert re.search(r"^POST /queue/next\s+4\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s", out, re.M)
    after = _assigned(data / "denialscope.db")
    new = {item: user for item, user in after.items() if item not in before}
    assert len(new) == 4 and set(new.values()) == {"bench-coder-01", "bench-coder-02"}
