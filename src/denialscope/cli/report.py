"""``denialscope report ...``: analytics on the stored data.

Thin commands over :mod:`denialscope.analytics`: they open the database, call one analytics
function and render its result as a table, JSON or CSV (and a chart on request).
"""

from __future__ import annotations

from typing import Annotated

import typer

from denialscope.cli.analytics_options import (
    ByOption,
    ChartOption,
    DepartmentOption,
    FacilityOption,
    FormatOption,
    FromOption,
    MinClaimsOption,
    OutOption,
    PayerOption,
    ServiceLineOption,
    SheetFormatOption,
    StreamOption,
    ToOption,
    build_filters,
    pareto_target,
)
from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings, open_session
from denialscope.cli.render import emit, write_chart
from denialscope.errors import InputError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``report`` command group."""
    report = typer.Typer(help="Denial analytics: KPIs, Pareto, departments, events, alerts.")
    app.add_typer(report, name="report")

    @report.command("kpis")
    def kpis_command(
        payer: PayerOption = None,
        stream: StreamOption = None,
        department: DepartmentOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        by: ByOption = None,
        fmt: SheetFormatOption = "table",
        out: OutOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Every KPI (docs/analytics.md), for all claims in scope or per --by group."""
        from denialscope.analytics.service import kpi_summary

        filters = build_filters(
            payer, stream, department, service_line, facility, date_from, date_to
        )
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            report = kpi_summary(
                session=session,
                settings=settings,
                filters=filters,
                by=by,
            )
            session.commit()  # the cube, when it was refreshed
        if not report.groups:
            typer.echo(
                "no adjudicated claims in scope: load 837/835 files with `denialscope ingest`, "
                "or try `denialscope demo`",
                err=True,
            )
        rows = [{"group": label, **group.to_dict()} for label, group in report.groups.items()]
        document = report.to_dict()
        emit(rows, fmt, title="KPIs", document=document, transpose=True, out=out)

    @report.command("pareto")
    def pareto_command(
        payer: PayerOption = None,
        stream: StreamOption = None,
        department: DepartmentOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        target: Annotated[str, typer.Option("--target", help="Share to reach, e.g. 0.7.")] = "0.8",
        measure: Annotated[str, typer.Option("--measure", help="count or dollars.")] = "count",
        fmt: SheetFormatOption = "table",
        out: OutOption = None,
        chart: ChartOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """The smallest set of root causes reaching --target of the denials in scope."""
        from denialscope.analytics.pareto import pareto

        filters = build_filters(
            payer, stream, department, service_line, facility, date_from, date_to
        )
        share = pareto_target(target)
        with open_session(cli_settings(database, data_dir)) as session:
            result = pareto(session, filters=filters, target=share, measure=measure)  # type: ignore[arg-type]
        rows = [e.to_dict() for e in result.entries]
        emit(rows, fmt, title=f"Pareto ({measure}, target {target})", document=result, out=out)
        if chart is not None:
            from denialscope.analytics.charts import pareto_svg

            write_chart(chart, pareto_svg(result), title="Pareto of root causes")

    @report.command("departments")
    def departments_command(
        payer: PayerOption = None,
        stream: StreamOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        fmt: SheetFormatOption = "table",
        out: OutOption = None,
        chart: ChartOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Denials per 1,000 encounters, case-mix adjusted O/E with 95% CI and funnel limits."""
        from denialscope.analytics.departments import department_report

        filters = build_filters(payer, stream, None, service_line, facility, date_from, date_to)
        with open_session(cli_settings(database, data_dir)) as session:
            results = department_report(session, filters=filters)
        emit(
            [r.to_dict() for r in results],
            fmt,
            title="Departments (case-mix adjusted)",
            out=out,
        )
        if chart is not None:
            from denialscope.analytics.charts import funnel_svg

            write_chart(chart, funnel_svg(results), title="Departments: funnel plot")

    @report.command("events")
    def events_command(
        window_days: Annotated[
            int | None, typer.Option("--window-days", help="Days either side of each event.")
        ] = None,
        payer: PayerOption = None,
        fmt: FormatOption = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Each registered event: every root cause's rate before vs after, and the spikes."""
        from denialscope.analytics.events import impacts_of_registered

        with open_session(cli_settings(database, data_dir)) as session:
            impacts = impacts_of_registered(session=session, payer=payer, window_days=window_days)
        rows = [
            {"event_id": i.event_id, "event_date": i.event_date, "scope": i.scope, **c.to_dict()}
            for i in impacts
            for c in i.causes
        ]
        emit(rows, fmt, title="Root causes before vs after events", document=impacts)

    @report.command("alerts")
    def alerts_command(
        level: Annotated[str, typer.Option("--level", help="stream or root_cause.")] = "stream",
        across: Annotated[str, typer.Option("--across", help="payer or department.")] = "payer",
        baseline_months: Annotated[int, typer.Option("--baseline-months")] = 6,
        ratio: Annotated[
            float | None, typer.Option("--ratio", help="Rise to detect (default 2, 4 by cause).")
        ] = None,
        threshold: Annotated[
            float | None, typer.Option("--threshold", help="CUSUM limit (default 4, 5 by cause).")
        ] = None,
        payer: PayerOption = None,
        stream: StreamOption = None,
        department: DepartmentOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        fmt: FormatOption = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """CUSUM alerts per stream × payer (or root cause × department), with the shift date."""
        from denialscope.analytics.monitor import cusum_alerts

        if level not in ("stream", "root_cause") or across not in ("payer", "department"):
            raise InputError("--level is stream or root_cause; --across is payer or department")
        filters = build_filters(payer, stream, department, None, None, date_from, date_to)
        with open_session(cli_settings(database, data_dir)) as session:
            alerts = cusum_alerts(
                session,
                filters=filters,
                level=level,  # type: ignore[arg-type]
                across=across,  # type: ignore[arg-type]
                baseline_months=baseline_months,
                ratio=ratio,
                threshold=threshold,
            )
        emit([a.to_dict() for a in alerts], fmt, title="CUSUM alerts")

    @report.command("trends")
    def trends_command(
        payer: PayerOption = None,
        stream: StreamOption = None,
        department: DepartmentOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        by: ByOption = "month",
        min_claims: MinClaimsOption = None,
        fmt: SheetFormatOption = "table",
        out: OutOption = None,
        chart: ChartOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Initial denial rate and denials per stream, per month (or --by quarter ...);
        periods with fewer than --min-claims claims show "not enough data", not a rate."""
        from denialscope.analytics.service import trends

        filters = build_filters(
            payer, stream, department, service_line, facility, date_from, date_to
        )
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            points = trends(
                session=session,
                filters=filters,
                by=by or "month",
                min_claims=min_claims or settings.min_claims,
            )
            session.commit()  # the cube, when it was refreshed
        emit([p.to_dict() for p in points], fmt, title=f"Trends by {by}", out=out)
        if chart is not None:
            from denialscope.analytics.charts import trend_svg

            # A period without enough claims has no rate: leave it out rather than draw 0%.
            drawn = [p.to_dict() for p in points if p.initial_denial_rate is not None]
            write_chart(chart, trend_svg(drawn), title=f"Initial denial rate by {by}")

    from denialscope.cli.drg_downgrades import add_report_command as add_drg_downgrades

    add_drg_downgrades(report)

    # After the analytics commands, so `report --help` lists it last.
    from denialscope.cli.governance import add_report_command

    add_report_command(report)
