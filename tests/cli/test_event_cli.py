"""`denialscope event add|list`: registering changes, and an empty list that says so."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from denialscope.cli import event as event_cli


def _app() -> typer.Typer:
    application = typer.Typer()
    event_cli.register(application)

    @application.callback()
    def _root() -> None:
        """Keeps `event` a named subcommand, as in the real app."""

    return application


def test_list_says_none_then_shows_the_added_event(tmp_path: Path) -> None:
    app, runner = _app(), CliRunner()
    db = ["--database", f"sqlite:///{tmp_path / 'events.db'}"]
    empty = runner.invoke(app, ["event", "list", *db])
    assert empty.exit_code == 0, empty.output
    assert empty.output.strip() == "Change events: none"
    added = runner.invoke(
        app,
        ["event", "add", "--date", "2025-06-01", "--kind", "template", "--department", "ED",
         "--description", "ED note template v2", *db],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "2025-06-01 template" in added.output
    listed = runner.invoke(app, ["event", "list", "--format", "csv", *db])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "id,date,kind,department,service_line,description",
        "1,2025-06-01,template,ED,,ED note template v2",
    ]


def test_a_bad_date_is_a_clear_error(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        _app(),
        ["event", "add", "--date", "2025-13-01", "--kind", "template",
         "--database", f"sqlite:///{tmp_path / 'events.db'}"],
    )  # fmt: skip
    assert out.exit_code != 0
    assert "--date '2025-13-01' is not a date (YYYY-MM-DD)" in str(out.exception or out.output)
