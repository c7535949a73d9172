"""`denialscope ingest PATH... [--database URL] [--json]`: JSON shape, summary table, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from denialscope.cli import ingest as ingest_cli
from denialscope.db import engine as engine_module
from denialscope.input_paths import MissingPathError
from factories.x12text import Clm, Clp, Line, Svc, x12_835, x12_837p

DAY = dt.date(2024, 2, 1)
# Wide enough that rich never wraps a temporary path inside the summary table.
WIDE = {"COLUMNS": "400"}


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    ingest_cli.register(application)

    @application.callback()
    def _root() -> None:
        """Keeps `ingest` a named subcommand, as in the real app."""

    return application


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder with a claim file and the remittance that pays it."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    claim = Clm("PCN-1", [Line("99213", D(100), DAY, control="L1")])
    payment = Clp("PCN-1", "1", D(100), D(80), "P1", [Svc("99213", D(100), D(80), DAY, "L1")])
    (folder / "a-claims.837").write_text(x12_837p([claim]), encoding="ascii")
    (folder / "b-remit.835").write_text(x12_835([payment], paid_on=DAY), encoding="ascii")
    return folder


class Opened:
    """The engines the command opened, so a test can see whether it closed them."""

    def __init__(self) -> None:
        self.engines: list[Engine] = []


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[Opened]:
    record = Opened()
    real = engine_module.open_database

    def open_database(*args: Any, **kwargs: Any) -> tuple[Engine, sessionmaker[Session]]:
        engine, factory = real(*args, **kwargs)
        record.engines.append(engine)
        return engine, factory

    monkeypatch.setattr(engine_module, "open_database", open_database)
    yield record
    # A connection left open would surface later as a ResourceWarning in another test.
    for engine in record.engines:
        engine.dispose()


@pytest.fixture
def invoke(app: typer.Typer, opened: Opened) -> Callable[..., tuple[int, str, str]]:
    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["ingest", *args], env=WIDE)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        return result.exit_code, result.stdout, result.stderr

    return run


Invoke = Callable[..., tuple[int, str, str]]


def test_json_has_every_file_and_the_totals(
    invoke: Invoke, inbox: Path, migrated_database_url: str
) -> None:
    code, out, _ = invoke(str(inbox), "--json", "--database", migrated_database_url)
    assert code == 0, out
    data: dict[str, Any] = json.loads(out)
    assert set(data) == {"files", "totals", "work_queues"}
    assert data["work_queues"]["error"] is None
    files = data["files"]
    assert [(Path(f["name"]).name, f["status"], f["file_type"]) for f in files] == [
        ("a-claims.837", "ingested", "837P"),
        ("b-remit.835", "ingested", "835"),
    ]
    for f in files:
        assert {"claims", "claim_payments", "matched", "unmatched", "error", "seconds"} <= set(f)
        assert f["error"] is None
    assert (files[0]["claims"], files[1]["claim_payments"], files[1]["matched"]) == (1, 1, 1)
    totals = data["totals"]
    assert {k: totals[k] for k in ("files", "ingested", "already_ingested", "failed")} == {
        "files": 2,
        "ingested": 2,
        "already_ingested": 0,
        "failed": 0,
    }
    assert (totals["claims"], totals["claim_payments"], totals["matched"]) == (1, 1, 1)

    code, out, _ = invoke(str(inbox), "--json", "--database", migrated_database_url)
    again = json.loads(out)
    assert code == 0
    assert [f["status"] for f in again["files"]] == ["already_ingested"] * 2
    assert again["totals"]["already_ingested"] == 2 and again["totals"]["claims"] == 0


def test_any_failed_file_makes_exit_code_1_and_the_rest_still_loads(
    invoke: Invoke, inbox: Path, migrated_database_url: str
) -> None:
    (inbox / "c-empty.x12").write_bytes(b"")
    code, out, _ = invoke(str(inbox), "--json", "--database", migrated_database_url)
    assert code == 1
    data = json.loads(out)
    # A folder walk reads 837s, then acknowledgments and files it cannot place, then 835s.
    assert [f["status"] for f in data["files"]] == ["ingested", "failed", "ingested"]
    failed = data["files"][1]
    assert failed["error"].startswith(str(inbox / "c-empty.x12"))
    assert "empty" in failed["error"]
    assert data["totals"]["failed"] == 1 and data["totals"]["ingested"] == 2


def test_a_missing_path_is_refused_before_anything_is_stored(
    app: typer.Typer, opened: Opened, inbox: Path, tmp_path: Path, migrated_database_url: str
) -> None:
    # The one path expander's rule (docs/cli.md): named, exit 1 (from `denialscope`), and
    # the good folder given with it is not half loaded.
    missing = tmp_path / "nowhere.835"
    args = ["ingest", str(inbox), str(missing), "--json", "--database", migrated_database_url]
    result = CliRunner().invoke(app, args, env=WIDE)
    assert isinstance(result.exception, MissingPathError)
    assert result.exception.message == f"{missing}: no such file or folder"
    assert result.stdout == ""
    assert opened.engines == []  # the database was not even opened


def test_human_output_is_a_summary_table_and_errors_on_stderr(
    invoke: Invoke, inbox: Path, migrated_database_url: str
) -> None:
    # A CSV export saved as .txt: a folder walk reads .txt files (X12 often comes as .txt).
    (inbox / "c-notes.txt").write_text("claim,charge\nPCN-1,100\n", encoding="ascii")
    code, out, err = invoke(str(inbox), "--database", migrated_database_url)
    assert code == 1
    assert "ingest summary" in out
    header = next(line for line in out.splitlines() if "status" in line)
    for column in ("file", "status", "type", "claims", "remits", "matched", "unmatched"):
        assert column in header
    rows = {
        name: line
        for line in out.splitlines()
        for name in ("a-claims.837", "b-remit.835", "c-notes.txt")
        if name in line
    }
    assert "ingested" in rows["a-claims.837"] and "837P" in rows["a-claims.837"]
    assert "ingested" in rows["b-remit.835"] and "835" in rows["b-remit.835"]
    assert "failed" in rows["c-notes.txt"]
    assert "2 ingested, 0 already ingested, 1 failed" in out
    assert "1 claims, 1 claim payments (1 matched, 0 unmatched)" in out
    assert f"error: {inbox / 'c-notes.txt'} at byte 0: not an X12 file" in err
    assert "Traceback" not in out + err


def test_the_command_closes_its_database_connections(
    invoke: Invoke, opened: Opened, inbox: Path, migrated_database_url: str
) -> None:
    code, _, _ = invoke(str(inbox), "--json", "--database", migrated_database_url)
    assert code == 0
    (engine,) = opened.engines
    assert engine.pool.checkedin() == 0


def test_the_installed_command_exits_1_without_a_traceback(
    inbox: Path, migrated_database_url: str
) -> None:
    (inbox / "c-cut.x12").write_text(x12_837p([Clm("PCN-2", [Line("99213", D(5), DAY)])])[:50])
    command = Path(sys.executable).with_name("denialscope")
    done = subprocess.run(
        [str(command), "ingest", str(inbox), "--database", migrated_database_url],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "400"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert str(inbox / "c-cut.x12") in done.stderr
    assert "2 ingested, 0 already ingested, 1 failed" in done.stdout
