"""KPI benchmark: `report kpis|pareto|departments` on SQLite against Spark local[1] and local[2].

    python benchmarks/bench_spark_kpis.py                  # the 20,000-claim demo
    python benchmarks/bench_spark_kpis.py --claims 5000    # a quicker check

The demo health system of ``--claims`` claims is generated and ingested into SQLite once
(kept in benchmarks/out/ for the next run), then exported with ``export parquet
--from-database``. The same reports are computed three ways, each in a fresh subprocess, in
the same run so the ratios hold on a noisy machine:

- sqlite: the database path without the summary cube (``kpi_groups_configured``, the live
  queries: what Spark runs too), then ``pareto`` and ``department_report``;
- spark local[1] and local[2]: the same functions over the Parquet views
  (``denialscope.scale.spark_reports``); registering the views is timed with the reports,
  the JVM and session start-up apart.

Printed: seconds of each, the ratios local[2] / local[1] and local[1] / sqlite, and whether
the three JSON documents are equal (they must be: the run fails otherwise).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def _documents(session: Any, settings: Any) -> str:
    from denialscope.analytics.departments import department_report
    from denialscope.analytics.kpi_types import KpiReport
    from denialscope.analytics.pareto import pareto
    from denialscope.analytics.service import kpi_groups_configured, scope_filters
    from denialscope.output.jsonout import dumps

    filters = scope_filters()
    report: KpiReport = kpi_groups_configured(session=session, settings=settings, filters=filters)
    by_payer = kpi_groups_configured(
        session=session, settings=settings, filters=filters, by="payer"
    )
    return dumps(
        {
            "kpis": report.to_dict(),
            "kpis_by_payer": by_payer.to_dict(),
            "pareto": pareto(session, filters=filters, measure="dollars"),
            "departments": [r.to_dict() for r in department_report(session, filters=filters)],
        }
    )


def child(mode: str, database: str, parquet: str) -> None:
    """One measurement; prints a JSON line with the seconds and the documents' hash."""
    from denialscope.settings import Settings

    started = time.perf_counter()
    settings = Settings.resolve(data_dir=OUT / "bench-kpis-settings")
    if mode == "sqlite":
        from sqlalchemy.orm import sessionmaker

        from denialscope.db.engine import open_database

        engine, _ = open_database(database)
        begin = time.perf_counter()
        with sessionmaker(engine)() as session:
            text = _documents(session, settings)
        engine.dispose()
    else:
        from denialscope.scale.spark_job import spark_session
        from denialscope.scale.spark_reports import parquet_session

        spark = spark_session(mode, app_name="denialscope-bench-kpis")
        spark.sparkContext.setLogLevel("ERROR")
        spark.range(1).count()  # the JVM and the first job are start-up, not the reports
        begin = time.perf_counter()
        session = parquet_session(spark=spark, parquet=Path(parquet))
        text = _documents(session, settings)
        spark.stop()
    seconds = time.perf_counter() - begin
    # Keys sorted: the order of a map's keys follows the order the engine returns rows in.
    canonical = json.dumps(json.loads(text), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    print(json.dumps({"mode": mode, "seconds": seconds, "startup": begin - started, "sha": digest}))


def _prepare(claims: int) -> tuple[str, Path]:
    """The demo of ``claims`` claims in SQLite and its Parquet export (reused when present)."""
    from denialscope.db.engine import open_database
    from denialscope.demo import generate_demo
    from denialscope.ingest.service import ingest_paths
    from denialscope.scale.export import export_database

    folder = OUT / f"bench-kpis-{claims}"
    db = folder / "demo.db"
    parquet = folder / "parquet"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        began = time.perf_counter()
        result = generate_demo(folder / "files", claims=claims, seed=7)
        engine, factory = open_database(f"sqlite:///{db}")
        ingest_paths(
            [str(p) for p in result.files], session_factory=factory, org_yaml=result.org_yaml
        )
        export_database(engine=engine, out=parquet)
        engine.dispose()
        (folder / "done").write_text("ok")
        print(f"prepared {claims:,} claims in {time.perf_counter() - began:.0f} s")
    return f"sqlite:///{db}", parquet


def _run(mode: str, database: str, parquet: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", mode, "--database", database]
    proc = subprocess.run(
        [*cmd, "--parquet", str(parquet)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{mode} failed")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000, help="demo claims")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--parquet", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.database, args.parquet)
        return 0
    OUT.mkdir(exist_ok=True)
    database, parquet = _prepare(args.claims)
    print(f"demo: {args.claims:,} claims; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    results = {m: _run(m, database, parquet) for m in ("sqlite", "local[1]", "local[2]")}
    for mode, r in results.items():
        print(f"{mode:>9}: {r['seconds']:7.1f} s  (start-up {r['startup']:.1f} s apart)")
    s = {m: r["seconds"] for m, r in results.items()}
    print(f"scaling local[2] / local[1]: {s['local[1]'] / s['local[2]']:.2f}x faster")
    print(f"spark local[1] / sqlite: {s['local[1]'] / s['sqlite']:.1f}x the time")
    same = len({r["sha"] for r in results.values()}) == 1
    print(f"documents equal on the three: {same} (load {os.getloadavg()[0]:.1f} at the end)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
