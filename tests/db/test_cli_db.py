"""``denialscope db upgrade | current | url``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from denialscope.cli import db as db_command
from denialscope.db.migrate import head_revision


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    db_command.register(app)
    return app


def test_upgrade_then_current(app: typer.Typer, database_url: str) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["db", "current", "--database", database_url])
    assert before.exit_code == 0, before.output
    assert "(none)" in before.output and "db upgrade" in before.output

    upgraded = runner.invoke(app, ["db", "upgrade", "--database", database_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"at revision {head_revision()}" in upgraded.output

    after = runner.invoke(app, ["db", "current", "--database", database_url])
    assert f"revision {head_revision()} (up to date)" in after.output


def test_url_hides_the_password(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["db", "url", "--database", "postgresql://analyst:s3cret@db.example/denials"]
    )
    assert result.exit_code == 0
    assert result.output.strip() == "postgresql+psycopg://analyst:***@db.example/denials"


def test_url_defaults_to_the_data_folder(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DENIALSCOPE_DATABASE_URL", raising=False)
    monkeypatch.delenv("DENIALSCOPE_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["db", "url"])
    assert result.output.strip() == f"sqlite:///{tmp_path.resolve() / 'data' / 'denialscope.db'}"


def test_a_bad_url_is_a_message_and_exit_code_1(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("denialscope")
    result = subprocess.run(
        [str(command), "db", "upgrade", "--database", "sqlite:////no/such/folder/x.db"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: the folder for the SQLite database does not exist")
    assert "Traceback" not in result.stderr
