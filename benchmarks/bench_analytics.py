"""Analytics benchmark: the full KPI report on 1M and 5M claim lines, SQLite and PostgreSQL.

    python benchmarks/bench_analytics.py                       # 1M and 5M lines, SQLite
    python benchmarks/bench_analytics.py --lines 1000000       # one size
    python benchmarks/bench_analytics.py --postgres ADMIN_URL  # also PostgreSQL (a fresh
                                                               # database on that server)

Synthetic rows are inserted directly (Core executemany in batches, no X12): 2.5 lines per
claim, one initial adjudication per claim (15% denied, 5% adjudicated again), 1-3 CAS per
payment. Printed per size and engine, measured in the same run so the ratio holds on a
noisy machine: a plain ``SELECT COUNT(*) FROM claim_lines``, the dashboard summary
(cohort totals + denials by stream) computed live and from the pre-aggregated cube (with
the cube's rebuild time), and the full KPI report (every KPI of docs/analytics.md), as
seconds and as a ratio to the COUNT(*). Target: dashboard summary < 2 s at 5M lines on
SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, make_url, text
from sqlalchemy.pool import NullPool

from denialscope.analytics import kpis
from denialscope.analytics.cube import refresh_cube
from denialscope.analytics.summary import kpi_report
from denialscope.claims.models import Claim, ClaimLine
from denialscope.db.engine import make_engine, session_factory
from denialscope.db.migrate import upgrade
from denialscope.orgs.models import Department, Facility, Payer
from denialscope.remits.models import Adjustment, ClaimPayment, Remittance
from denialscope.sources.models import SourceFile

BATCH = 20_000
STREAM_CAUSES = [
    ("clinical", "medical_necessity", "50"),
    ("coding", "modifier_missing_invalid", "4"),
    ("access", "eligibility_terminated", "27"),
    ("billing", "missing_information", "16"),
]
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def populate(engine: Engine, lines: int, seed: int = 5) -> int:
    """Insert ``lines`` claim lines with their claims, payments and adjustments."""
    rng = random.Random(seed)
    claims = int(lines / 2.5)
    with engine.begin() as conn:
        conn.execute(insert(SourceFile), [{"sha256": "b" * 64, "name": "bench"}])
        conn.execute(insert(Remittance), [{"source_file_id": 1}])
        conn.execute(
            insert(Payer),
            [{"payer_key": f"P{i}", "name": f"PAYER {i}", "payer_id": f"P{i}"} for i in range(5)],
        )
        conn.execute(insert(Facility), [{"code": "F1", "name": "F1"}, {"code": "F2", "name": "F2"}])
        conn.execute(
            insert(Department),
            [
                {"code": f"D{i}", "name": f"D{i}", "service_line": f"line{i % 5}",
                 "facility_id": 1 + i % 2}
                for i in range(10)
            ],
        )  # fmt: skip

    line_counts = [2 + (1 if rng.random() < 0.5 else 0) for _ in range(claims)]
    total = sum(line_counts)
    if total > lines:  # trim the last claims so the line count is exact
        line_counts[-1] -= total - lines

    def claim_rows() -> Iterator[dict[str, Any]]:
        start = dt.date(2025, 1, 1)
        for i in range(claims):
            yield {
                "id": i + 1, "claim_key": f"K{i}|1", "control_number": f"K{i}",
                "kind": "837P", "claim_type": "professional", "payer_id": 1 + i % 5,
                "department_id": 1 + (i * 7) % 10, "facility_id": 1 + i % 2,
                "service_line": f"line{i % 5}", "facility_code": "11",
                "total_charge": Decimal(100 + i % 900), "is_stub": False,
                "submitted_at": start + dt.timedelta(days=i % 365), "current_version": 1,
                "created_at": NOW, "updated_at": NOW,
            }  # fmt: skip

    def line_rows() -> Iterator[dict[str, Any]]:
        for i, count in enumerate(line_counts):
            for n in range(max(count, 0)):
                yield {"claim_id": i + 1, "line_no": n + 1, "procedure": "99213",
                       "charge": Decimal(40 + n)}  # fmt: skip

    adjustments: list[dict[str, Any]] = []

    def payment_rows() -> Iterator[dict[str, Any]]:
        pid = 0
        for i in range(claims):
            charge = Decimal(100 + i % 900)
            denied = rng.random() < 0.15
            stream, cause, carc = STREAM_CAUSES[i % 4]
            for seq in (1, 2) if rng.random() < 0.05 else (1,):
                pid += 1
                is_denial = denied and seq == 1
                paid = Decimal(0) if is_denial else charge * Decimal("0.6")
                yield {
                    "id": pid, "remittance_id": 1, "claim_id": i + 1, "match_method": "clp01_payer",
                    "seq": seq, "status_code": "4" if is_denial else "1",
                    "payer_responsibility": "unknown" if is_denial else "primary",
                    "is_reversal": False, "charge": charge, "paid": paid,
                    "patient_responsibility": Decimal(0),
                    "adjudicated_at": dt.date(2025, 1, 1) + dt.timedelta(days=i % 365 + 10 * seq),
                    "denial_type": "full_denial" if is_denial else "paid", "is_denial": is_denial,
                    "primary_stream": stream if is_denial else "none",
                    "primary_root_cause": cause if is_denial else None,
                    "denied_amount": charge if is_denial else Decimal(0),
                }  # fmt: skip
                adjustments.append(
                    {"claim_payment_id": pid, "level": "claim",
                     "group_code": "CO", "reason_code": carc if is_denial else "45",
                     "amount": charge if is_denial else charge * Decimal("0.3"),
                     "category": "denial" if is_denial else "contractual",
                     "is_denial": is_denial, "stream": stream if is_denial else "none",
                     "root_cause": cause if is_denial else "not_a_denial"}
                )  # fmt: skip
                if not is_denial:
                    adjustments.append(
                        {"claim_payment_id": pid, "level": "claim", "group_code": "PR",
                         "reason_code": "2", "amount": charge * Decimal("0.1"),
                         "category": "patient_share", "is_denial": False, "stream": "none",
                         "root_cause": "not_a_denial"}
                    )  # fmt: skip

    for table, rows in ((Claim.__table__, claim_rows()), (ClaimLine.__table__, line_rows())):
        for batch in _batches(rows):
            with engine.begin() as conn:
                conn.execute(insert(table), batch)
    # Payments and their adjustments go in together so memory stays one batch deep.
    for batch in _batches(payment_rows()):
        with engine.begin() as conn:
            conn.execute(insert(ClaimPayment.__table__), batch)
            conn.execute(insert(Adjustment.__table__), adjustments)
        adjustments.clear()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return claims


def _timed(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(engine: Engine) -> dict[str, float]:
    factory = session_factory(engine)
    with factory() as session:

        def count() -> object:
            return session.execute(text("SELECT COUNT(*) FROM claim_lines")).scalar()

        def live_summary() -> object:
            return (
                kpis.cohort_totals(session, use_cube=False),
                kpis.denials_by_stream(session, use_cube=False),
            )

        def summary() -> object:
            return (kpis.cohort_totals(session), kpis.denials_by_stream(session))

        def refresh() -> object:
            refresh_cube(session)
            session.commit()
            return None

        def report() -> object:
            return kpi_report(session=session)

        base = _timed(count)
        live = _timed(live_summary)
        rebuild = _timed(refresh, repeat=1)
        dash = _timed(summary)
        full = _timed(report, repeat=1)
    ratio = lambda seconds: round(seconds / base, 1) if base else 0.0  # noqa: E731
    return {
        "count_s": round(base, 3),
        "summary_live_s": round(live, 3),
        "summary_live_ratio": ratio(live),
        "cube_refresh_s": round(rebuild, 3),
        "summary_s": round(dash, 4),
        "summary_ratio": ratio(dash),
        "report_s": round(full, 3),
        "report_ratio": ratio(full),
    }


def run_sqlite(lines: int, folder: Path) -> dict[str, Any]:
    path = folder / f"bench_{lines}.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    claims = populate(engine, lines)
    loaded = time.perf_counter() - started
    figures = measure(engine)
    engine.dispose()
    return {"engine": "sqlite", "lines": lines, "claims": claims, "load_s": round(loaded, 1),
            **figures}  # fmt: skip


def run_postgres(lines: int, admin_url: str) -> dict[str, Any]:
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"denialscope_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        claims = populate(engine, lines)
        loaded = time.perf_counter() - started
        figures = measure(engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    return {"engine": "postgresql", "lines": lines, "claims": claims,
            "load_s": round(loaded, 1), **figures}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to use as well")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    try:
        for lines in args.lines:
            if not args.no_sqlite:
                print(json.dumps(run_sqlite(lines, folder)), flush=True)
            if args.postgres:
                print(json.dumps(run_postgres(lines, args.postgres)), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
