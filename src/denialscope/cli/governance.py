"""``denialscope plan ...`` and ``denialscope report governance``: the governance loop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.options import (
    DatabaseOption,
    DataDirOption,
    cli_settings,
    open_session,
    output_file,
)
from denialscope.cli.render import emit
from denialscope.errors import InputError
from denialscope.files import write_atomic

__all__ = ["add_report_command", "register"]


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command group."""
    plan = typer.Typer(help="Action plans: owner, measurable target, progress from the KPIs.")
    app.add_typer(plan, name="plan")

    @plan.command("add")
    def add_command(
        root_cause: Annotated[str, typer.Option("--root-cause", help="Root cause id.")],
        owner_role: Annotated[str, typer.Option("--owner-role")],
        owner_name: Annotated[str, typer.Option("--owner-name")],
        metric: Annotated[str, typer.Option("--metric", help="count, dollars or rate.")],
        change: Annotated[str, typer.Option("--change", help="Percent change, e.g. -40.")],
        due: Annotated[str, typer.Option("--due", help="Due date YYYY-MM-DD.")],
        payer: Annotated[str | None, typer.Option("--payer", help="Payer name (part).")] = None,
        department: Annotated[str | None, typer.Option("--department")] = None,
        service_line: Annotated[str | None, typer.Option("--service-line")] = None,
        note: Annotated[str, typer.Option("--note")] = "",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Register a plan; its baseline is measured now from the stored claims."""
        from denialscope.governance.service import create_plan

        try:
            change_pct = Decimal(change)
        except InvalidOperation:
            raise InputError(f"--change {change!r} is not a number") from None
        try:
            due_date = dt.date.fromisoformat(due)
        except ValueError:
            raise InputError(f"--due {due!r} is not a date (YYYY-MM-DD)") from None
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session, session.begin():
            created = create_plan(
                session,
                root_cause=root_cause,
                owner_role=owner_role,
                owner_name=owner_name,
                metric=metric,
                change_pct=change_pct,
                due_date=due_date,
                payer=payer,
                department=department,
                service_line=service_line,
                note=note,
                settings=settings,
            )
            typer.echo(
                f"plan {created.id}: {root_cause} {metric} baseline {created.baseline_value} "
                f"({created.baseline_from} to {created.baseline_to}), "
                f"target {created.target_value} by {due_date}"
            )

    @plan.command("list")
    def list_command(
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Every plan with its progress over the latest complete months."""
        from denialscope.governance.service import plan_overview

        if fmt not in ("table", "json"):
            raise InputError(f"--format {fmt!r}: use table or json")
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            overview = plan_overview(session=session, min_claims=settings.min_claims)
            rows = [plan.to_dict() for plan in overview]
        emit(rows, fmt, title="Action plans")

    @plan.command("update")
    def update_command(
        plan_id: Annotated[int, typer.Argument(help="Plan id (see plan list).")],
        status: Annotated[
            str | None, typer.Option("--status", help="open, on_track, at_risk, done, dropped.")
        ] = None,
        note: Annotated[str | None, typer.Option("--note")] = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Change a plan's status and/or add a note."""
        from denialscope.governance.service import update_plan

        if status is None and not note:
            raise InputError("give --status and/or --note")
        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            updated = update_plan(session, plan_id, status=status, note=note)
            typer.echo(f"plan {updated.id}: {updated.status}")


def add_report_command(report: typer.Typer) -> None:
    """Add ``report governance`` to the ``report`` group (called by denialscope.cli.report)."""

    @report.command("governance")
    def governance_command(
        quarter: Annotated[
            str | None,
            typer.Option(
                "--quarter",
                help="e.g. 2025Q4; default the latest complete quarter with enough claims.",
            ),
        ] = None,
        min_claims: Annotated[
            int | None,
            typer.Option(
                "--min-claims",
                help="Fewest adjudicated claims a month (and a trend point) needs "
                "(default DENIALSCOPE_MIN_CLAIMS or 30).",
            ),
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="html, pdf or json.")] = "html",
        out: Annotated[
            Path | None, typer.Option("--out", help="Output file.", callback=output_file)
        ] = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """The quarterly governance report: causes, owners, plans, trends, payer scorecard."""
        from denialscope.governance.report import governance_report, render_html, render_pdf
        from denialscope.output.jsonout import dumps

        if fmt not in ("html", "pdf", "json"):
            raise InputError(f"--format {fmt!r}: use html, pdf or json")
        if fmt == "pdf" and out is None:
            raise InputError("--format pdf needs --out FILE.pdf")
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            document = governance_report(
                session, quarter=quarter, min_claims=min_claims, settings=settings
            )
        text = dumps(document.to_dict()) if fmt == "json" else render_html(document)
        if fmt == "pdf":
            assert out is not None
            write_atomic(out, render_pdf(text))
        elif out is not None:
            write_atomic(out, text)
        else:
            typer.echo(text)
            return
        typer.echo(f"governance report {document.quarter} written to {out}")
