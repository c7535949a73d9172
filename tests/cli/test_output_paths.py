"""Options naming a file to write are checked before any work, and write errors never
end in a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from denialscope.cli import main as cli_main
from denialscope.cli.analytics_options import chart_file
from denialscope.cli.options import output_file


def test_output_file_accepts_a_file_in_an_existing_folder(tmp_path: Path) -> None:
    assert output_file(None) is None
    assert output_file(tmp_path / "report.pdf") == tmp_path / "report.pdf"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing/report.pdf", "does not exist"),
        (".", "is a folder"),
    ],
)
def test_output_file_refuses(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(typer.BadParameter, match=message):
        output_file(tmp_path / name)


def test_chart_file_needs_a_drawable_suffix(tmp_path: Path) -> None:
    assert chart_file(tmp_path / "pareto.PNG") == tmp_path / "pareto.PNG"
    with pytest.raises(typer.BadParameter, match=r"FILE\.png, FILE\.svg or FILE\.html"):
        chart_file(tmp_path / "pareto.doc")


@pytest.mark.parametrize(
    "args",
    [
        ["report", "trends", "--chart", "{missing}/trend.png"],
        ["report", "kpis", "--format", "xlsx", "--out", "{missing}/kpis.xlsx"],
        ["report", "governance", "--format", "pdf", "--out", "{missing}/gov.pdf"],
        ["queue", "letter", "1", "--out", "{missing}/letter.pdf"],
    ],
)
def test_commands_refuse_an_unwritable_output_before_work(tmp_path: Path, args: list[str]) -> None:
    cli_main._register()
    missing = tmp_path / "no-such-folder"
    argv = [a.format(missing=missing) for a in args]
    database = ["--database", f"sqlite:///{tmp_path / 'never-created.db'}"]
    # Wide, so that rich does not wrap the message inside its error box.
    out = CliRunner().invoke(cli_main.app, [*argv, *database], env={"COLUMNS": "400"})
    assert out.exit_code == 2, out.output
    assert "does not exist" in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
    assert not (tmp_path / "never-created.db").exists()  # refused before opening anything


def test_main_reports_an_os_error_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing_app() -> None:
        raise PermissionError(13, "Permission denied", "/srv/reports/gov.pdf")

    monkeypatch.setattr(cli_main, "_register", lambda: None)
    monkeypatch.setattr(cli_main, "app", failing_app)
    with pytest.raises(SystemExit) as exited:
        cli_main.main()
    assert exited.value.code == 1
    assert capsys.readouterr().err.strip() == "error: /srv/reports/gov.pdf: Permission denied"
