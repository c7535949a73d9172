"""Queue-step benchmark: a small file into a large database costs what it costs into an empty one.

    python benchmarks/bench_queue_sync.py                      # 59 claims into 100,000
    python benchmarks/bench_queue_sync.py --large 20000        # quicker
    python benchmarks/bench_queue_sync.py --postgres URL       # PostgreSQL (admin URL) too

Ingest updates the work items of the claims a file touched inside the file's transaction
(``workqueue.service.sync_claims``); before, every ingest re-read every denial and ranked
every open item, so a 59-claim file into a 565k-claim database took 35 s and 1.4 GB. Here,
in the same run: the small 837 + 835 pair (with classification and the queue step) is
ingested into an empty database, then into a database already holding ``--large`` claims
with their remittances and work items. Each measurement is a fresh subprocess (peak memory
is its VmHWM above the baseline after imports). Target: time and memory ratio near 1.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_x12  # noqa: E402 - a sibling script


def _hwm_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child(files: list[str], url: str) -> None:
    """Ingest ``files`` with classification and the queue step; print one JSON line."""
    from denialscope.db.engine import open_database
    from denialscope.ingest.service import ingest_paths

    engine, factory = open_database(url)
    base = _hwm_kb()
    started = time.perf_counter()
    report = ingest_paths(files, session_factory=factory)
    seconds = time.perf_counter() - started
    failed = [f.error for f in report.files if f.status != "ingested"]
    if failed:
        raise SystemExit(f"ingest failed: {failed}")
    engine.dispose()
    totals = report.totals()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": (_hwm_kb() - base) / 1024,
                "claims": totals["claims"] + totals["claim_payments"],
                "items": report.work_items_created,
            }
        )
    )


def _run(files: list[Path], url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _write(path: Path, kind: str, claims: int, seed: int, prefix: str | None = None) -> Path:
    buffer = io.StringIO()
    generate_x12.generate(buffer, kind=kind, claims=claims, seed=seed, claims_per_st=5000)
    text = buffer.getvalue()
    if prefix:  # other claim numbers and traces than the large files'
        text = text.replace("PCN", prefix).replace("TRN*1*EFT", f"TRN*1*{prefix}")
    path.write_text(text)
    return path


def _drop(postgres: str | None, urls: list[str]) -> None:
    if not postgres or not urls:
        return
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for url in urls:
            connection.execute(
                text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")
            )
    admin.dispose()


def _databases(tmp: Path, postgres: str | None) -> list[tuple[str, str, str]]:
    """(name, empty url, large url) per backend."""
    out = [("sqlite", f"sqlite:///{tmp / 'empty.db'}", f"sqlite:///{tmp / 'large.db'}")]
    if postgres:
        from sqlalchemy import create_engine, make_url, text

        admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
        names = [f"bench_queue_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        base = make_url(postgres)
        urls = [base.set(database=n).render_as_string(hide_password=False) for n in names]
        out.append(("postgresql", urls[0], urls[1]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=int, default=100_000, help="claims in the large db")
    parser.add_argument("--small", type=int, default=59, help="claims in the small file")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to measure too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as name:
        tmp = Path(name)
        large = [
            _write(tmp / "large.837", "837P", args.large, 11),
            _write(tmp / "large.835", "835", args.large, 11),
        ]
        small = [
            _write(tmp / "small.837", "837P", args.small, 12, "PCS"),
            _write(tmp / "small.835", "835", args.small, 12, "PCS"),
        ]
        databases = _databases(tmp, args.postgres)
        try:
            _measure(databases, large, small, args.small)
        finally:
            _drop(args.postgres, [u for b, e, la in databases if b != "sqlite" for u in (e, la)])
    return 0


def _measure(
    databases: list[tuple[str, str, str]], large: list[Path], small: list[Path], size: int
) -> None:
    for backend, empty_url, large_url in databases:
        started = time.perf_counter()
        setup = _run(large, large_url)
        print(
            f"{backend}: large database loaded: {setup['claims']:,} claims and payments, "
            f"{setup['items']:,} work items in {time.perf_counter() - started:,.1f} s"
        )
        empty = _run(small, empty_url)
        full = _run(small, large_url)
        for label, r in (("into an empty db", empty), ("into the large db", full)):
            print(
                f"{backend}: {size} claims {label}: {r['seconds']:.2f} s, "
                f"peak +{r['peak_mb']:,.0f} MB, {r['items']} new work items"
            )
        time_ratio = full["seconds"] / empty["seconds"]
        memory_ratio = max(full["peak_mb"], 1.0) / max(empty["peak_mb"], 1.0)
        print(
            f"{backend}: ratio large/empty: time {time_ratio:.2f}x, "
            f"memory {memory_ratio:.2f}x (target: near 1x)"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[3:], sys.argv[2])
    else:
        raise SystemExit(main())
