"""`denialscope adt ...` and `denialscope ur ...` end to end (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from denialscope.cli import adt as adt_cli
from denialscope.cli import ur as ur_cli
from denialscope.errors import DenialscopeError
from factories.hl7 import message


@pytest.fixture
def cli(
    engine: Engine, migrated_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    monkeypatch.setenv("DENIALSCOPE_DATABASE_URL", migrated_database_url)
    monkeypatch.setenv("DENIALSCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _run(cli: CliRunner, *args: str) -> str:
    application = typer.Typer()
    adt_cli.register(application)
    ur_cli.register(application)
    result = cli.invoke(application, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_load_census_worklist_review_escalate_kpis(cli: CliRunner, tmp_path: Path) -> None:
    feed = tmp_path / "feed.hl7"
    feed.write_text(
        message("K1", "A01", "202601050800", payer=("P1", "P1 PLAN"))
        + message("K2", "A08", "202601051030", dx=("J18.9",))
        + message("K3", "A08", "not-a-time")
        + message("K4", "A03", "202601071100", discharge="202601071100"),
        encoding="ascii",
        newline="",
    )
    out = _run(cli, "adt", "load", str(feed))
    assert "3 applied, 0 already applied, 1 refused" in out
    assert "line 11: K3: EVN-2 is not an HL7 date/time" in out  # 5 + 5 segments before it
    assert "TESTPATIENT" not in out and "MEM123456" not in out
    census = json.loads(
        _run(cli, "adt", "census", "--as-of", "2026-01-05T12:00", "--format", "json")
    )
    assert [(r["visit"], r["class"], r["working_dx"]) for r in census] == [("V100", "I", "J18.9")]
    rows = json.loads(
        _run(cli, "ur", "worklist", "--as-of", "2026-01-05T12:00", "--format", "json")
    )
    assert rows[0]["visit_number"] == "V100" and rows[0]["drg"] == "195"
    assert rows[0]["open_triggers"] == ["status_review"]
    assert rows[0]["causes"][0]["cause"] == "level_of_care"
    assert rows[0]["expected_loss"] == str(
        sum(Decimal(c["expected_loss"]) for c in rows[0]["causes"])
    )
    table = _run(cli, "ur", "worklist", "--as-of", "2026-01-05T12:00")
    assert "DRG 195 weight 0.6285" in table
    assert "status: P " in table and "days: P " in table
    assert "expected_loss_dollars" in table and "at_risk_dollars" in table
    likely = json.loads(_run(cli, "ur", "worklist", "--as-of", "2026-01-05T12:00",
                             "--sort", "likely", "--format", "json"))  # fmt: skip
    assert [r["visit_number"] for r in likely] == ["V100"]
    out = _run(cli, "ur", "review", "V100", "--outcome", "escalate", "--criteria-set", "MCG",
               "--reviewer", "RN Lee", "--at", "2026-01-05T13:00")  # fmt: skip
    assert "escalate (MCG)" in out
    out = _run(cli, "ur", "escalate", "V100", "--advisor", "Dr A", "--at", "2026-01-05T14:00")
    assert "peer-to-peer window until 2026-01-07 14:00" in out  # default window: 48 hours
    escalation = out.split()[1].rstrip(":")
    assert "peer-to-peer at" in _run(cli, "ur", "p2p", escalation, "--schedule", "2026-01-06T09:00")
    assert "overturned" in _run(cli, "ur", "p2p", escalation, "--outcome", "overturned")
    assert "4 authorized" in _run(cli, "ur", "authorize", "V100", "--days", "4")
    story = _run(cli, "ur", "stay", "V100")
    assert "A03 discharged I" in story and "escalate (MCG) RN Lee" in story
    assert "no 837I stored yet" in story
    kpis = json.loads(_run(cli, "ur", "kpis", "--json"))  # over discharged stays
    assert kpis["p2p_overturned"] == {"part": 1, "whole": 1, "rate": 1.0}


def test_errors_are_clear(cli: CliRunner, tmp_path: Path) -> None:
    application = typer.Typer()
    ur_cli.register(application)
    result = cli.invoke(application, ["ur", "review", "NOPE", "--outcome", "met",
                                      "--criteria-set", "MCG", "--reviewer", "RN"])  # fmt: skip
    assert isinstance(result.exception, DenialscopeError)
    assert "NOPE" in str(result.exception)
    result = cli.invoke(application, ["ur", "worklist", "--as-of", "yesterday"])
    assert isinstance(result.exception, DenialscopeError)
    assert "--as-of 'yesterday'" in str(result.exception)
    result = cli.invoke(application, ["ur", "worklist", "--sort", "cost"])
    assert isinstance(result.exception, DenialscopeError)
    assert "--sort 'cost': expected one of dollars, likely" in str(result.exception)


def test_train_then_the_worklist_ranks_with_the_saved_model(
    cli: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    from denialscope.db.engine import session_factory
    from factories.stays import ur_history

    with session_factory(engine)() as session:
        ur_history(session)
        session.commit()
    feed = tmp_path / "now.hl7"
    feed.write_text(message("T1", "A01", "202601120800", visit="NOW1", payer=("P1", "P1 PLAN"))
                    + message("T2", "A01", "202601120800", visit="NOW2",
                              payer=("P2", "P2 PLAN"), member="MEM2"),
                    encoding="ascii", newline="")  # fmt: skip
    _run(cli, "adt", "load", str(feed))
    before = json.loads(_run(cli, "ur", "worklist", "--as-of", "2026-01-12T12:00",
                             "--format", "json"))  # fmt: skip
    # No model saved yet; the days from the past stays' lengths (5 days denials are enough).
    assert {r["p_source"] for r in before} == {"status: history, days: length table"}
    out = _run(cli, "ur", "train", "--before", "2026-01-05")
    models = tmp_path / "data" / "models" / "ur_denial"
    assert f"model ur_denial v0001 saved in {models / 'v0001'}" in out
    assert "trained on 120 stay-days of 40 stays (2025-12-01..2025-12-03)" in out
    assert "level_of_care: 8 of 40 stays denied; fitted" in out
    assert "length_of_stay: 5 of 40 stays denied; fitted" in out
    saved = json.loads(_run(cli, "ur", "train", "--before", "2026-01-05", "--format", "json"))
    assert saved["version"] == "v0002" and saved["training_window"]["stays"] == 40
    assert saved["causes"]["level_of_care"]["fitted"] is True and "weights" not in saved
    rows = json.loads(_run(cli, "ur", "worklist", "--as-of", "2026-01-12T12:00",
                           "--format", "json"))  # fmt: skip
    assert [r["visit_number"] for r in rows] == ["NOW1", "NOW2"]
    assert {r["p_source"] for r in rows} == {"status: model v0002, days: length table"}
    assert rows[0]["causes"][0]["source"] == "model v0002"
    table = _run(cli, "ur", "worklist", "--as-of", "2026-01-12T12:00")
    assert "p_from" in table and "model v0002" in table
    plain = json.loads(_run(cli, "ur", "worklist", "--as-of", "2026-01-12T12:00",
                            "--format", "json", "--history-only"))  # fmt: skip
    assert {r["p_source"] for r in plain} == {"status: history, days: length table"}
    # A replay before the model's cut-off does not use it (it learned later outcomes).
    early = json.loads(_run(cli, "ur", "worklist", "--as-of", "2026-01-04T12:00",
                            "--format", "json"))  # fmt: skip
    assert all(r["p_source"] == "history" for r in early)
    # A model of another format: the worklist warns and ranks on the history.
    meta = models / "v0002" / "meta.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"format": 1', '"format": 99'),
                    encoding="utf-8")  # fmt: skip
    application = typer.Typer()
    ur_cli.register(application)
    result = cli.invoke(application, ["ur", "worklist", "--as-of", "2026-01-12T12:00",
                                      "--format", "json"])  # fmt: skip
    assert result.exit_code == 0
    assert "warning: UR model not used:" in result.stderr
    assert "saved by another version of denialscope" in result.stderr
    sources = {r["p_source"] for r in json.loads(result.stdout)}
    assert sources == {"status: history, days: length table"}
    for bad, message_ in ((["--before", "soon"], "--before 'soon'"),
                          (["--l2", "-1"], "--l2: must be 0 or more"),
                          (["--format", "csv"], "--format 'csv'")):  # fmt: skip
        result = cli.invoke(application, ["ur", "train", *bad])
        assert isinstance(result.exception, DenialscopeError)
        assert message_ in str(result.exception)
