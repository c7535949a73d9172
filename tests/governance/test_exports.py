"""``--format xlsx --out FILE`` and ``--chart FILE.html`` on the report commands."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.analytics.results import Rate
from denialscope.cli import report as report_cli
from denialscope.errors import InputError
from denialscope.output.pages import chart_page
from denialscope.output.xlsx import flatten_row


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    report_cli.register(application)
    return application


def test_flatten_keeps_numbers() -> None:
    row = {"a": {"b": Rate(Decimal(1), Decimal(4)), "c": [1, 2]}, "d": Decimal("2.50")}
    assert flatten_row(row) == {"a.b": Decimal("0.25"), "a.c": "1;2", "d": Decimal("2.50")}


def test_chart_page_is_self_contained() -> None:
    page = chart_page('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', title="A <b>")
    assert "<svg><rect/></svg>" in page and "A &lt;b&gt;" in page
    assert "http" not in page


def _sheet_rows(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_outputs(
    governed: Session, migrated_database_url: str, app: typer.Typer, tmp_path: Path
) -> None:
    runner = CliRunner()
    db = ["--database", migrated_database_url]

    pareto = tmp_path / "pareto.xlsx"
    page = tmp_path / "pareto.html"
    made = runner.invoke(
        app,
        ["report", "pareto", "--format", "xlsx", "--out", str(pareto), "--chart", str(page), *db],
    )
    assert made.exit_code == 0, made.output
    header, *rows = _sheet_rows(pareto)
    assert header[:4] == ["root_cause", "stream", "claims", "dollars"]
    # All quarters: 9 claims denied for the modifier cause ($900), 1 for medical necessity.
    assert [r[:4] for r in rows] == [
        ["modifier_missing_invalid", "coding", 9, 900],
        ["medical_necessity", "clinical", 1, 250],
    ]
    assert page.read_text(encoding="utf-8").count("<svg") == 1

    trends = tmp_path / "trends.xlsx"
    made = runner.invoke(
        app, ["report", "trends", "--by", "quarter", "--format", "xlsx", "--out", str(trends), *db]
    )
    assert made.exit_code == 0, made.output
    header, *rows = _sheet_rows(trends)
    assert header[:3] == ["quarter", "claims_adjudicated", "initial_denials"]
    assert [r[:3] for r in rows] == [["2025-Q1", 10, 5], ["2025-Q2", 12, 5]]

    kpis = tmp_path / "kpis.xlsx"
    made = runner.invoke(
        app, ["report", "kpis", "--by", "payer", "--format", "xlsx", "--out", str(kpis), *db]
    )
    assert made.exit_code == 0, made.output
    table = {row[0]: row[1:] for row in _sheet_rows(kpis)}
    assert table["group"] == ["ALPHA HEALTH", "BETA CARE"]
    assert table["claims_submitted"] == [20, 2]

    departments = tmp_path / "departments.xlsx"
    made = runner.invoke(
        app, ["report", "departments", "--format", "xlsx", "--out", str(departments), *db]
    )
    assert made.exit_code == 0, made.output
    header, *rows = _sheet_rows(departments)
    assert len(rows) == 1 and "D1" in rows[0]


def test_xlsx_needs_out_and_chart_needs_a_known_suffix(
    governed: Session, migrated_database_url: str, app: typer.Typer, tmp_path: Path
) -> None:
    runner = CliRunner()
    db = ["--database", migrated_database_url]
    refused = runner.invoke(app, ["report", "trends", "--format", "xlsx", *db])
    assert isinstance(refused.exception, InputError)
    # The chart's name is checked before the report runs: a usage error.
    refused = runner.invoke(
        app,
        ["report", "trends", "--chart", str(tmp_path / "x.gif"), *db],
        env={"COLUMNS": "400"},  # rich would wrap the message at 80 columns
    )
    assert refused.exit_code == 2
    assert "FILE.png, FILE.svg or FILE.html" in refused.output
    assert not (tmp_path / "x.gif").exists()


def test_charts_as_png_svg_and_html(
    governed: Session, migrated_database_url: str, app: typer.Typer, tmp_path: Path
) -> None:
    db = ["--database", migrated_database_url]
    for name in ("trend.png", "trend.svg", "trend.html"):
        made = CliRunner().invoke(
            app, ["report", "trends", "--format", "json", "--chart", str(tmp_path / name), *db]
        )
        assert made.exit_code == 0, made.output
    assert (tmp_path / "trend.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "trend.svg").read_text().lstrip().startswith("<svg")
    assert "<svg" in (tmp_path / "trend.html").read_text()


def test_kpis_json_has_rework_and_appeals(
    governed: Session, migrated_database_url: str, app: typer.Typer
) -> None:
    shown = CliRunner().invoke(
        app, ["report", "kpis", "--format", "json", "--database", migrated_database_url]
    )
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.output)
    # 9 coding denials at $46 and 1 clinical at $110 over both quarters (money as text).
    assert document["rework"]["rework_cost"]["coding"] == "414.00"
    assert document["rework"]["total_cost"] == "524.00"
    assert document["appeals"]["worked"] == 0 and document["appeals"]["volume"] == 0
