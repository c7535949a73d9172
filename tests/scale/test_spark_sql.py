"""Prototype: an analytics function, unchanged, gives the same figures on Spark SQL as on
SQLite (the database tables as Spark views)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from denialscope.analytics.pareto import pareto
from denialscope.db.engine import open_database
from denialscope.ingest.service import ingest_paths
from denialscope.scale.spark_sql import SparkSqlSession, register_database_tables
from factories.x12text import Cas, Clm, Clp, Line, Svc, x12_835, x12_837p

D = Decimal
DAY = dt.date(2024, 3, 1)


def test_pareto_on_spark_equals_sqlite(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    claims = [
        Clm(f"C{n}", [Line("99213", D(100), DAY), Line("80053", D(50), DAY)]) for n in (1, 2, 3)
    ]
    (src / "a.837").write_text(x12_837p(claims))
    payments = [
        Clp("C1", "1", D(150), D(100), "P1", services=[
            Svc("99213", D(100), D(100), DAY),
            Svc("80053", D(50), D(0), DAY, adjustments=[Cas("CO", "50", D(50))]),
        ]),
        Clp("C2", "4", D(150), D(0), "P2", adjustments=[Cas("CO", "16", D("150.00"))]),
        Clp("C3", "4", D(150), D(0), "P3", adjustments=[Cas("CO", "50", D(150))]),
    ]  # fmt: skip
    (src / "b.835").write_text(x12_835(payments, paid_on=dt.date(2024, 3, 20)))
    engine, factory = open_database(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        ingest_paths([src], session_factory=factory, update_work_queues=False)
        with factory() as session:
            expected = pareto(session, measure="dollars")
        assert "claim_payments" in register_database_tables(spark, engine)
    finally:
        engine.dispose()
    got = pareto(SparkSqlSession(spark), measure="dollars")  # type: ignore[arg-type]
    # Hand-computed: medical necessity 50 + 150 = 200.00 on 2 claims, then 150.00 on 1.
    assert [(e.root_cause, e.dollars, e.claims) for e in expected.entries] == [
        ("medical_necessity", D("200.00"), 2),
        ("missing_information", D("150.00"), 1),
    ]
    assert [(e.root_cause, D(e.dollars), e.claims) for e in got.entries] == [
        (e.root_cause, e.dollars, e.claims) for e in expected.entries
    ]
    assert got.total == expected.total
