"""`denialscope export parquet`: JSON report, exit codes, the files-or-database choice."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import typer
from typer.testing import CliRunner

from denialscope.cli import export as export_cli
from denialscope.errors import InputError
from factories.x12text import Clp, Svc, x12_835

DAY = dt.date(2024, 2, 1)


def _app() -> typer.Typer:
    app = typer.Typer()
    export_cli.register(app)

    @app.callback()
    def _root() -> None:
        """Keeps `export` a named group, as in the real app."""

    return app


def test_export_parquet_json_and_rerun(tmp_path: Path) -> None:
    remit = tmp_path / "b.835"
    payment = Clp("PCN-1", "1", D(100), D(80), "P1", [Svc("99213", D(100), D(80), DAY)])
    remit.write_text(x12_835([payment], paid_on=DAY), encoding="ascii")
    out = tmp_path / "out"
    args = ["export", "parquet", str(remit), "--out", str(out), "--json"]
    args += ["--data-dir", str(tmp_path / "data")]
    first = CliRunner().invoke(_app(), args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["tables"]["claim_payments"] == 1
    assert data["tables"]["service_payments"] == 1
    assert [f["status"] for f in data["files"]] == ["written"]
    again = json.loads(CliRunner().invoke(_app(), args).stdout)
    assert [f["status"] for f in again["files"]] == ["same_bytes"]
    assert sum(again["tables"].values()) == 0


def test_refused_file_exits_1_and_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.835"
    bad.write_text("not x12 at all\n")
    result = CliRunner().invoke(
        _app(), ["export", "parquet", str(bad), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "refused" in result.stdout and "bad.835" in result.stdout


def test_files_or_database_not_both(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["export", "parquet", "--out", str(tmp_path / "o")])
    assert isinstance(result.exception, InputError)
    assert "--from-database" in result.exception.message
