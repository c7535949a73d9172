"""`denialscope queue ...` end to end on a small synthetic database."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from denialscope.cli import queue as queue_cli
from denialscope.db.engine import session_factory
from denialscope.errors import NotFoundError
from factories.denied import DeniedLine, load_ptp, make_denied_claim

DAY = dt.date(2026, 3, 2)
LIST_KEYS = {
    "id",
    "claim_id",
    "queue",
    "stream",
    "root_cause",
    "dollars_at_risk",
    "priority",
    "deadline",
    "recommended_action",
}


@pytest.fixture
def cli(
    engine: Engine, migrated_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    monkeypatch.setenv("DENIALSCOPE_DATABASE_URL", migrated_database_url)
    monkeypatch.setenv("DENIALSCOPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    with session_factory(engine)() as session:
        make_denied_claim(
            session,
            root_cause="medical_necessity",
            dollars=Decimal(15000),
            denied_on=DAY - dt.timedelta(days=170),
        )
        load_ptp(tmp_path / "data", [("29880", "20610", 1)], "practitioner")
        make_denied_claim(
            session,
            root_cause="modifier_missing_invalid",
            dollars=Decimal(90),
            denied_on=DAY,
            lines=[DeniedLine("29880", Decimal(900)), DeniedLine("20610", Decimal(90))],
        )
        session.commit()
    return CliRunner()


def _app() -> typer.Typer:
    application = typer.Typer()
    queue_cli.register(application)
    return application


def _run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(_app(), ["queue", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_next_act_letter_and_resubmit(cli: CliRunner, tmp_path: Path) -> None:
    items = json.loads(_run(cli, "list", "--format", "json"))
    assert len(items) == 2
    assert all(set(item) >= LIST_KEYS for item in items)
    assert [i["root_cause"] for i in items] == ["medical_necessity", "modifier_missing_invalid"]
    clinical, coding = items

    taken = json.loads(_run(cli, "next", "--queue", "ur", "--user", "pat", "--format", "json"))
    assert (taken["id"], taken["assigned_to"]) == (clinical["id"], "pat")
    assert "no unassigned" in _run(cli, "next", "--queue", "ur", "--user", "kim")

    shown = json.loads(
        _run(
            cli,
            "act",
            str(clinical["id"]),
            "--action",
            "appeal_level_1",
            "--note",
            "records requested",
            "--user",
            "pat",
            "--format",
            "json",
        )
    )
    assert shown["status"] == "action_chosen"
    assert [h["kind"] for h in shown["history"]][-2:] == ["note", "action"]

    out = tmp_path / "letter.pdf"
    _run(
        cli,
        "letter",
        str(clinical["id"]),
        "--out",
        str(out),
        "--argument",
        "Criteria met.",
        "--date",
        DAY.isoformat(),
        "--draft",
    )
    assert out.read_bytes().startswith(b"%PDF-")

    proposals = json.loads(_run(cli, "resubmit", str(coding["id"]), "--format", "json"))
    (fix,) = proposals["fixes"]
    assert (fix["kind"], fix["proposed"], proposals["written"]) == ("add_modifier", "59", None)
    target = tmp_path / "fixed.837"
    done = json.loads(
        _run(
            cli,
            "resubmit",
            str(coding["id"]),
            "--approve",
            str(fix["fix"]),
            "--out",
            str(target),
            "--format",
            "json",
        )
    )
    assert done["written"] == str(target)
    text = target.read_text()
    assert "CLM*" in text and ":7*" in text and "REF*F8*" in text


def test_an_unknown_item_is_a_denialscope_error(cli: CliRunner) -> None:
    result = cli.invoke(_app(), ["queue", "act", "999", "--note", "x"])
    # main() prints a DenialscopeError as one line and exits 1.
    assert isinstance(result.exception, NotFoundError)
    assert "no work item 999" in str(result.exception)


@pytest.mark.parametrize("command", [["list"], ["next"]])
def test_a_misspelt_queue_is_refused_not_shown_empty(cli: CliRunner, command: list[str]) -> None:
    result = cli.invoke(_app(), ["queue", *command, "--queue", "coders"], env={"COLUMNS": "400"})
    assert result.exit_code == 2
    assert "unknown queue 'coders': use one of cdi, ur, physician_advisor, coding" in (
        result.output
    )


def test_a_letter_that_cannot_be_written_leaves_no_file_and_no_version(
    cli: CliRunner, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from sqlalchemy import func, select

    from denialscope import files
    from denialscope.errors import OutputError
    from denialscope.workqueue.models import WorkItemDocument

    items = json.loads(_run(cli, "list", "--format", "json"))
    item_id = str(items[0]["id"])

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    out = tmp_path / "letter.pdf"
    with monkeypatch.context() as patch:
        patch.setattr(files.os, "fsync", disk_full)
        result = cli.invoke(
            _app(),
            ["queue", "letter", item_id, "--out", str(out), "--date", DAY.isoformat(), "--draft"],
        )
    assert isinstance(result.exception, OutputError)
    assert "No space left on device" in str(result.exception)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".letter")] == []
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(WorkItemDocument)) == 0

    _run(cli, "letter", item_id, "--out", str(out), "--date", DAY.isoformat(), "--draft")
    assert out.read_bytes().startswith(b"%PDF-")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with session_factory(engine)() as session:
        versions = session.scalars(select(WorkItemDocument.version)).all()
    assert versions == [1]


def test_items_name_their_claim_in_list_and_show(cli: CliRunner) -> None:
    items = json.loads(_run(cli, "list", "--format", "json"))
    coding = next(i for i in items if i["root_cause"] == "modifier_missing_invalid")
    assert coding["claim_number"].startswith("SYN")
    assert coding["patient_account"] == coding["claim_number"]
    assert coding["payer_claim_number"].startswith("PCN")
    assert (coding["payer"], coding["payer_id"], coding["payer_kind"]) == (
        "PAYERA TEST PLAN",
        "PAYERA",
        "commercial",
    )
    # Denied on DAY, served 30 days before; lines 900 + 90 billed, 90 denied.
    assert (coding["service_from"], coding["service_to"]) == ("2026-01-31", "2026-01-31")
    assert (coding["billed_amount"], coding["denied_amount"]) == ("990.00", "90.00")
    assert (coding["reason_codes"], coding["remark_codes"]) == (["CO-50"], [])
    shown = json.loads(_run(cli, "show", str(coding["id"]), "--format", "json"))
    assert {k: shown[k] for k in ("claim_number", "payer", "reason_codes", "billed_amount")} == {
        k: coding[k] for k in ("claim_number", "payer", "reason_codes", "billed_amount")
    }
    assert shown["history"][0]["kind"] == "created"
    table = _run(cli, "list")
    assert coding["claim_number"] in table


def test_a_resolved_outcome_is_replaced_only_with_force(cli: CliRunner) -> None:
    items = json.loads(_run(cli, "list", "--format", "json"))
    item_id = str(items[0]["id"])
    _run(cli, "act", item_id, "--outcome", "overturned", "--recovered", "1500")
    result = cli.invoke(_app(), ["queue", "act", item_id, "--outcome", "upheld"])
    assert result.exit_code != 0
    assert "already resolved as overturned" in str(result.exception)
    result = cli.invoke(_app(), ["queue", "act", item_id, "--action", "write_off"])
    assert "use --force" in str(result.exception)
    shown = json.loads(_run(cli, "show", item_id, "--format", "json"))
    assert (shown["outcome"], shown["recovered_amount"]) == ("overturned", "1500.00")
    shown = json.loads(
        _run(cli, "act", item_id, "--outcome", "upheld", "--force", "--format", "json")
    )
    assert (shown["outcome"], shown["recovered_amount"]) == ("upheld", None)
    outcomes = [h["detail"] for h in shown["history"] if h["kind"] == "outcome"]
    assert outcomes[0] == "overturned, recovered 1500"
    assert outcomes[1].startswith("upheld; replaces overturned (recovered 1500.00) of ")
