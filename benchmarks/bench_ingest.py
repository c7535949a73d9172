"""Ingest benchmark: a generated 835 with its 837 into SQLite and PostgreSQL.

    python benchmarks/bench_ingest.py                  # 200,000 claims
    python benchmarks/bench_ingest.py --claims 20000   # quicker
    python benchmarks/bench_ingest.py --postgres URL   # use this server instead of a throwaway

Each measurement runs in a fresh subprocess (peak memory = its VmHWM). Measured in the same
run, so the ratios hold on a noisy shared machine:
- parse only: read the 837 and the 835 with ``open_x12`` and consume every record;
- ingest into a fresh SQLite database, with classification and without (what
  classification costs: target at most +20%);
- the same into PostgreSQL (a throwaway PostgreSQL 15 started here when the binaries are in
  /usr/lib/postgresql/15/bin and no --postgres URL is given).
Targets printed beside the figures: >= 20,000 claims/s into SQLite, ingest within 3x of
parse-only, classification <= +20%, memory bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import generate_x12  # noqa: E402 - a sibling script

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _hwm_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child(mode: str, files: list[str], url: str) -> None:
    """One measurement; prints a JSON line."""
    from denialscope.db.engine import open_database
    from denialscope.ingest.service import ingest_paths
    from denialscope.x12.reader import open_x12

    base = _hwm_kb()
    started = time.perf_counter()
    cpu = time.process_time()
    claims = 0
    if mode == "parse":
        for path in files:
            with open_x12(path) as reader:
                for _ in reader:
                    pass
                claims += reader.summary.claims
    else:
        _, factory = open_database(url)
        started = time.perf_counter()
        cpu = time.process_time()
        report = ingest_paths(
            files,
            session_factory=factory,
            classify=mode != "ingest-noclassify",
            update_work_queues=False,  # measured apart: it is not per-file work
        )
        failed = [f.error for f in report.files if f.status != "ingested"]
        if failed:
            raise SystemExit(f"ingest failed: {failed}")
        totals = report.totals()
        claims = int(totals["claims"]) + int(totals["claim_payments"])
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": seconds,
                "cpu": cpu,
                "claims": claims,
                "peak_mb": _hwm_kb() / 1024,
                "base_mb": base / 1024,
            }
        )
    )


def run(mode: str, files: list[Path], url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def start_postgres() -> tuple[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="denialscope-bench-pg-"))
    os.chmod(folder, 0o755)
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        [*as_pg, str(PG_BIN / "initdb"), "-D", f"{folder}/data", "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_pg,
            str(PG_BIN / "pg_ctl"),
            "-D",
            f"{folder}/data",
            "-l",
            f"{folder}/log",
            "-w",
            "start",
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
        ],
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run(
            [*as_pg, str(PG_BIN / "pg_ctl"), "-D", f"{folder}/data", "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


def fresh_pg_database(url: str, name: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a throwaway one otherwise)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--url", default="")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.files, args.url)
        return 0

    OUT.mkdir(exist_ok=True)
    files = []
    for kind, suffix in (("837P", "837"), ("835", "835")):
        path = OUT / f"ingest_{args.claims}.{suffix}"
        if not path.exists():
            with path.open("w") as out:
                generate_x12.generate(out, kind=kind, claims=args.claims)
        files.append(path)
    print(f"files: {', '.join(f'{p.name} ({p.stat().st_size / 1e6:.0f} MB)' for p in files)}")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    rows = []
    parse = run("parse", files, "")
    rows.append(("parse only", parse))
    tmp = Path(tempfile.mkdtemp(prefix="denialscope-bench-"))
    try:
        for mode in ("ingest", "ingest-noclassify"):
            db = tmp / f"{mode}.db"
            rows.append((f"SQLite {mode}", run(mode, files, f"sqlite:///{db}")))
        stop = None
        url = args.postgres
        if not url and not args.no_postgres and (PG_BIN / "initdb").exists():
            url, stop = start_postgres()
        try:
            if url:
                for mode in ("ingest", "ingest-noclassify"):
                    target = fresh_pg_database(url, f"bench_{mode.replace('-', '_')}")
                    rows.append((f"PostgreSQL {mode}", run(mode, files, target)))
        finally:
            if stop:
                stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\n{'run':32} {'seconds':>8} {'cpu s':>8} {'claims/s':>10} {'peak MB':>8} {'x parse':>8}"
    )
    for name, r in rows:
        rate = r["claims"] / r["seconds"]
        print(
            f"{name:32} {r['seconds']:8.2f} {r['cpu']:8.2f} {rate:10,.0f} {r['peak_mb']:8.1f} "
            f"{r['seconds'] / parse['seconds']:8.2f}"
        )
    print("(PostgreSQL cpu s counts this process only, not the server's work)")
    by = dict(rows)
    print("\ntargets:")
    sq = by["SQLite ingest"]
    print(f"  SQLite >= 20,000 claims/s: {sq['claims'] / sq['seconds']:,.0f}")
    print(f"  ingest within 3x parse-only: {sq['seconds'] / parse['seconds']:.2f}x")
    nc = by["SQLite ingest-noclassify"]
    print(f"  classification cost <= +20%: {100 * (sq['seconds'] / nc['seconds'] - 1):+.0f}%")
    if "PostgreSQL ingest" in by:
        pg, pgn = by["PostgreSQL ingest"], by["PostgreSQL ingest-noclassify"]
        print(
            f"  PostgreSQL: {pg['claims'] / pg['seconds']:,.0f} claims/s, "
            f"{pg['seconds'] / parse['seconds']:.2f}x parse, classification "
            f"{100 * (pg['seconds'] / pgn['seconds'] - 1):+.0f}%"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
