"""Names that look like formulas or rich markup reach CSV, xlsx and tables as plain text."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.cli import report as report_cli
from denialscope.orgs.models import Payer

FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKUP = "BETA [/] CARE [bold]"


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    report_cli.register(application)
    return application


@pytest.fixture
def hostile(governed: Session) -> Session:
    names = {"ALPHA": FORMULA, "BETA": MARKUP}
    for payer in governed.scalars(select(Payer)):
        payer.name = names[payer.payer_key]
    governed.commit()
    return governed


def test_csv_and_xlsx_exports_are_inert(
    hostile: Session, migrated_database_url: str, app: typer.Typer, tmp_path: Path
) -> None:
    runner = CliRunner()
    db = ["--database", migrated_database_url]
    made = runner.invoke(app, ["report", "kpis", "--by", "payer", "--format", "csv", *db])
    assert made.exit_code == 0, made.output
    rows = list(csv.DictReader(io.StringIO(made.output)))
    assert [r["group"] for r in rows] == ["'" + FORMULA, MARKUP]
    # Hand count: ALPHA has 20 claims, 10 of them denied in full at $100 (one at $250).
    alpha = rows[0]
    assert alpha["claims_submitted"] == "20"
    assert alpha["initial_denial_rate.count"] == "40.0%"

    sheet_path = tmp_path / "kpis.xlsx"
    made = runner.invoke(
        app, ["report", "kpis", "--by", "payer", "--format", "xlsx", "--out", str(sheet_path), *db]
    )
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(sheet_path.stat().st_mode) == 0o600
    sheet = openpyxl.load_workbook(sheet_path).active
    header = sheet[1]
    assert [c.value for c in header[1:3]] == [FORMULA, MARKUP]
    assert header[1].data_type == "s"  # text, never a formula
    assert header[1].quotePrefix
    rate = next(r for r in sheet.iter_rows() if r[0].value == "initial_denial_rate.count")
    assert rate[1].value == pytest.approx(0.4) and rate[1].number_format == "0.0%"


def test_markup_in_a_payer_name_prints_in_the_table(
    hostile: Session, migrated_database_url: str, app: typer.Typer
) -> None:
    runner = CliRunner()
    db = ["--database", migrated_database_url]
    for columns in ("200", "60"):
        shown = runner.invoke(
            app, ["report", "kpis", "--by", "payer", *db], env={"COLUMNS": columns}
        )
        assert shown.exit_code == 0, shown.output
        # A narrow terminal may wrap the name; its characters all arrive, in order.
        assert _squeeze(MARKUP) in _squeeze(shown.output)
        assert "…" not in shown.output


def test_ingest_summary_prints_markup_in_file_names(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from denialscope.cli.ingest import _print_summary
    from denialscope.ingest.report import FileResult, IngestReport

    monkeypatch.setenv("COLUMNS", "200")
    name = "batch.zip:[/]odd[bold].835"
    report = IngestReport(files=[FileResult(name=name, status="failed", error=f"{name}: not X12")])
    _print_summary(report)
    captured = capsys.readouterr()
    assert "batch.zip:[/]odd[bold].835" in captured.out
    assert "[/]odd[bold].835: not X12" in captured.err


def _squeeze(text: str) -> str:
    return "".join(text.split())
