"""``denialscope event ...``: register the changes (template go-lives, order sets, payer
policies) whose effect ``report events`` measures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.analytics_options import (
    DepartmentOption,
    FormatOption,
    ServiceLineOption,
    parse_date,
)
from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings, open_session
from denialscope.cli.render import emit

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``event`` command group."""
    event = typer.Typer(help="Register change events (template go-lives, payer policies ...).")
    app.add_typer(event, name="event")

    @event.command("add")
    def add_command(
        date: Annotated[str, typer.Option("--date", help="YYYY-MM-DD.")],
        kind: Annotated[str, typer.Option("--kind", help="template, order_set, ehr_build ...")],
        department: DepartmentOption = None,
        service_line: ServiceLineOption = None,
        description: Annotated[str, typer.Option("--description")] = "",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Register one change event."""
        from denialscope.analytics.events import create_event

        when = parse_date(date, "--date")
        assert when is not None
        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            created = create_event(
                session,
                event_date=when,
                kind=kind,
                description=description,
                department=department,
                service_line=service_line,
            )
            typer.echo(f"event {created.id} registered: {when} {kind}")

    @event.command("load")
    def load_command(
        path: Annotated[Path, typer.Argument(help="YAML file with an 'events:' list.")],
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Register the events of a YAML file."""
        from denialscope.analytics.events import load_events_yaml

        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            created = load_events_yaml(session, path)
            typer.echo(f"{len(created)} event(s) registered from {path}")

    @event.command("list")
    def list_command(
        fmt: FormatOption = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Every registered event."""
        from denialscope.analytics.events import list_events

        with open_session(cli_settings(database, data_dir)) as session:
            rows = [event.to_dict() for event in list_events(session)]
        emit(rows, fmt, title="Change events")
