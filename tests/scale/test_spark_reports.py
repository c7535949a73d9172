"""KPIs, Pareto and department rates on Spark equal the database's, to the cent.

The database is exported with ``export parquet --from-database``; the Spark services run the
same analytics functions over views of those Parquet tables. The documents compared are the
JSON the ``report`` commands print (``output.jsonout.dumps``), whole, parsed: every key and
value equal, lists in the same order (the order of keys in a map of streams follows the
order the engine returns rows in, which SQL leaves open).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from denialscope.analytics.departments import department_report
from denialscope.analytics.pareto import pareto
from denialscope.analytics.service import kpi_summary, scope_filters
from denialscope.classify.config import load_config
from denialscope.cli.main import app
from denialscope.db.engine import open_database
from denialscope.errors import InputError
from denialscope.ingest.service import ingest_paths
from denialscope.output.jsonout import dumps
from denialscope.scale.export import export_database, export_files
from denialscope.scale.spark_reports import (
    parquet_session,
    spark_departments,
    spark_kpis,
    spark_pareto,
)
from denialscope.settings import Settings
from factories.demo_db import DemoDatabase
from factories.x12text import Cas, Clm, Clp, Line, Svc, x12_835, x12_837p

D = Decimal
DAY = dt.date(2024, 3, 1)


def _database_documents(engine: Engine, settings: Settings, payers: list[str]) -> dict[str, str]:
    """The documents of `report kpis|pareto|departments --format json` on the database."""
    out: dict[str, str] = {}
    with sessionmaker(engine)() as session:
        for by in (None, "payer", "department"):
            report = kpi_summary(session=session, settings=settings, filters=scope_filters(), by=by)
            out[f"kpis by {by}"] = dumps(report.to_dict())
        for measure in ("count", "dollars"):
            out[f"pareto {measure}"] = dumps(pareto(session, measure=measure))
        for payer in payers:
            result = pareto(session, filters=scope_filters(payer=payer), measure="dollars")
            out[f"pareto {payer}"] = dumps(result)
        departments = department_report(session, filters=scope_filters())
        out["departments"] = dumps([r.to_dict() for r in departments])
        session.commit()  # the cube kpi_summary refreshed
    return out


def _spark_documents(session: Any, settings: Settings, payers: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for by in (None, "payer", "department"):
        report = spark_kpis(session=session, settings=settings, filters=scope_filters(), by=by)
        out[f"kpis by {by}"] = dumps(report.to_dict())
    for measure in ("count", "dollars"):
        out[f"pareto {measure}"] = dumps(
            spark_pareto(session=session, filters=scope_filters(), measure=measure)
        )
    for payer in payers:
        result = spark_pareto(
            session=session, filters=scope_filters(payer=payer), measure="dollars"
        )
        out[f"pareto {payer}"] = dumps(result)
    departments = spark_departments(session=session, filters=scope_filters())
    out["departments"] = dumps([r.to_dict() for r in departments])
    return out


def test_demo_figures_on_spark_equal_sqlite(
    spark: Any, demo_database: DemoDatabase, tmp_path: Path
) -> None:
    settings = Settings.resolve(data_dir=tmp_path / "settings")
    engine, _ = open_database(demo_database.copy_to(tmp_path))
    try:
        with engine.connect() as conn:
            payers = sorted(n for (n,) in conn.exec_driver_sql("SELECT name FROM payers"))
        expected = _database_documents(engine, settings, payers[:3])
        export_database(engine=engine, out=tmp_path / "parquet")
    finally:
        engine.dispose()
    session = parquet_session(spark=spark, parquet=tmp_path / "parquet")
    got = _spark_documents(session, settings, payers[:3])
    assert len(payers) >= 3
    # Not vacuous: the demo has denials in every document compared.
    assert '"initial_denials": 0' not in expected["kpis by None"]
    assert expected["departments"].count('"department"') >= 3
    for name, document in expected.items():
        assert json.loads(got[name]) == json.loads(document), name


def _hand_case(folder: Path) -> Path:
    folder.mkdir()
    claims = [
        Clm("C1", [Line("99213", D(100), DAY)]),
        Clm("C2", [Line("99214", D(150), DAY)]),
        Clm("C3", [Line("99215", D(150), DAY)]),
        Clm("C4", [Line("99213", D(100), DAY), Line("80053", D(50), DAY)]),
    ]
    (folder / "a.837").write_text(x12_837p(claims))
    payments = [
        Clp("C1", "1", D(100), D(100), "P1", services=[Svc("99213", D(100), D(100), DAY)]),
        Clp("C2", "4", D(150), D(0), "P2", adjustments=[Cas("CO", "16", D(150))]),
        Clp("C3", "4", D(150), D(0), "P3", adjustments=[Cas("CO", "50", D(150))]),
        Clp("C4", "1", D(150), D(100), "P4", services=[
            Svc("99213", D(100), D(100), DAY),
            Svc("80053", D(50), D(0), DAY, adjustments=[Cas("CO", "50", D(50))]),
        ]),
    ]  # fmt: skip
    (folder / "b.835").write_text(x12_835(payments, paid_on=dt.date(2024, 3, 20)))
    return folder


def test_hand_case_through_parquet_on_spark(spark: Any, engine: Engine, tmp_path: Path) -> None:
    """PostgreSQL (and SQLite) -> Parquet -> Spark: the hand-computed figures, both sides."""
    ingest_paths([_hand_case(tmp_path / "in")], session_factory=sessionmaker(engine))
    settings = Settings.resolve(data_dir=tmp_path / "settings")
    expected = _database_documents(engine, settings, [])
    export_database(engine=engine, out=tmp_path / "parquet")
    session = parquet_session(spark=spark, parquet=tmp_path / "parquet")
    got = _spark_documents(session, settings, [])
    assert {k: json.loads(v) for k, v in got.items()} == {
        k: json.loads(v) for k, v in expected.items()
    }
    kpis = spark_kpis(session=session, settings=settings, filters=scope_filters()).groups["all"]
    # 4 claims adjudicated; C2 and C3 denied whole, C4 one line of two: 3 denials.
    assert (kpis.claims_submitted, kpis.claims_adjudicated, kpis.initial_denials) == (4, 4, 3)
    assert kpis.initial_denial_rate_count == D("0.75")
    assert (kpis.zero_pay_denial_rate, kpis.partial_pay_denial_rate) == (D("0.5"), D("0.25"))
    assert kpis.denied_charges == D("350.00")  # 150 + 150 + 50
    result = spark_pareto(session=session, filters=scope_filters(), measure="dollars")
    assert [(e.root_cause, e.dollars, e.claims) for e in result.entries] == [
        ("medical_necessity", D("200.00"), 2),
        ("missing_information", D("150.00"), 1),
    ]


def test_file_export_without_claim_links_is_refused(spark: Any, tmp_path: Path) -> None:
    export_files(
        paths=[_hand_case(tmp_path / "in")], out=tmp_path / "files", classification=load_config([])
    )
    with pytest.raises(InputError, match=r"have no claim link .*--from-database"):
        parquet_session(spark=spark, parquet=tmp_path / "files")


def test_cli_refuses_a_folder_without_tables_before_spark_starts(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["spark", "kpis", "--parquet", str(tmp_path)])
    # main() prints a DenialscopeError as one line and exits 1 (tests/cli covers that).
    assert isinstance(result.exception, InputError)
    assert "no Parquet tables here" in result.exception.message
    assert result.exception.context["file"] == str(tmp_path)
