"""``denialscope report ...`` and ``denialscope event ...``: analytics on the stored data.

Thin commands over :mod:`denialscope.analytics`: they open the database, call one analytics
function and render its result as a table, JSON or CSV (and an SVG chart on request).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from denialscope.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from denialscope.analytics.cohort import Filters

__all__ = ["register"]

FORMATS = ("table", "json", "csv", "xlsx")

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL; default DENIALSCOPE_DATABASE_URL or SQLite."),
]
DataDirOption = Annotated[Path | None, typer.Option("--data-dir", help="Data directory.")]
PayerOption = Annotated[str | None, typer.Option("--payer", help="Payer name (part), key or id.")]
StreamOption = Annotated[
    str | None, typer.Option("--stream", help="clinical, coding, access or billing.")
]
DepartmentOption = Annotated[str | None, typer.Option("--department", help="Department code.")]
ServiceLineOption = Annotated[str | None, typer.Option("--service-line", help="Service line.")]
FacilityOption = Annotated[str | None, typer.Option("--facility", help="Facility code.")]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First cohort (submission) date, YYYY-MM-DD.")
]
ToOption = Annotated[str | None, typer.Option("--to", help="Last cohort date, YYYY-MM-DD.")]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by", help="Group by month, quarter, payer, service_line, department, facility."
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="table, json or csv.")]
SheetFormatOption = Annotated[
    str, typer.Option("--format", help="table, json, csv or xlsx (xlsx needs --out).")
]
OutOption = Annotated[Path | None, typer.Option("--out", help="Output file (for --format xlsx).")]
ChartOption = Annotated[
    Path | None,
    typer.Option("--chart", help="Also write a chart: FILE.png, FILE.svg or FILE.html."),
]


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def _filters(
    payer: str | None,
    stream: str | None,
    department: str | None,
    service_line: str | None,
    facility: str | None,
    date_from: str | None,
    date_to: str | None,
) -> Filters:
    from denialscope.analytics.cohort import Filters
    from denialscope.classify.taxonomy import DENIAL_STREAMS

    if stream is not None and stream not in DENIAL_STREAMS:
        raise InputError(f"--stream {stream!r}: use one of {', '.join(DENIAL_STREAMS)}")
    return Filters(
        payer=payer,
        stream=stream,
        department=department,
        service_line=service_line,
        facility=facility,
        date_from=_date(date_from, "--from"),
        date_to=_date(date_to, "--to"),
    )


@contextmanager
def _session(database: str | None, data_dir: Path | None) -> Iterator[Session]:
    from denialscope.db.engine import open_database

    engine, factory = open_database(database, data_dir=data_dir)
    try:
        with factory() as session:
            yield session
    finally:
        engine.dispose()


def _refresh_if_stale(session: Session) -> None:
    """Rebuild the summary cube when the data changed, so the next summary is fast."""
    from denialscope.analytics.cube import cube_is_fresh, refresh_cube

    if not cube_is_fresh(session):
        refresh_cube(session)
        session.commit()


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, list):
        out[prefix] = ";".join(str(v) for v in value)
    else:
        out[prefix] = value


def _emit(
    rows: list[dict[str, Any]],
    fmt: str,
    *,
    title: str,
    document: Any = None,
    transpose: bool = False,
    out: Path | None = None,
) -> None:
    """Print rows as a table (one column per row when ``transpose``), CSV, or JSON.

    ``xlsx`` writes a workbook to ``out`` instead (only commands with ``--out`` offer it).
    """
    from denialscope.analytics.results import jsonable

    if fmt not in FORMATS or (fmt == "xlsx" and out is None):
        usable = FORMATS if out is not None else FORMATS[:-1]
        hint = " (xlsx needs --out FILE.xlsx)" if fmt == "xlsx" else ""
        raise InputError(f"--format {fmt!r}: use one of {', '.join(usable)}{hint}")
    if fmt == "xlsx":
        from denialscope.governance.workbook import write_xlsx

        assert out is not None
        write_xlsx(rows, out, title=title, transpose=transpose)
        typer.echo(f"{title}: {len(rows)} row(s) written to {out}")
        return
    if fmt == "json":
        typer.echo(json.dumps(jsonable(document if document is not None else rows), indent=2))
        return
    flat: list[dict[str, Any]] = []
    for row in rows:
        line: dict[str, Any] = {}
        _flatten("", jsonable(row), line)
        flat.append(line)
    columns: list[str] = []
    for line in flat:
        columns.extend(k for k in line if k not in columns)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flat)
        typer.echo(buffer.getvalue(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    if transpose:
        table.add_column(columns[0] if columns else "", no_wrap=True)
        for line in flat:
            table.add_column(str(line.get(columns[0], "")), justify="right")
        for column in columns[1:]:
            cells = ("" if line.get(column) is None else str(line.get(column)) for line in flat)
            table.add_row(column, *cells)
        Console(highlight=False).print(table)
        return
    for column in columns:
        table.add_column(column, overflow="fold")
    for line in flat:
        table.add_row(*("" if line.get(c) is None else str(line.get(c)) for c in columns))
    Console(highlight=False).print(table)


def _write_chart(path: Path, svg: str, *, title: str) -> None:
    """An SVG file, a PNG of it (.png), or an HTML page embedding it (.html)."""
    if path.suffix.lower() == ".png":
        import cairosvg  # renders with the system's Cairo, offline

        # Twice the SVG's size: sharp on a slide or a high-density screen.
        cairosvg.svg2png(bytestring=svg.encode("utf-8"), write_to=str(path), scale=2)
    elif path.suffix.lower() in (".html", ".htm"):
        from denialscope.governance.workbook import chart_page

        path.write_text(chart_page(svg, title=title), encoding="utf-8")
    elif path.suffix.lower() == ".svg":
        path.write_text(svg, encoding="utf-8")
    else:
        raise InputError(f"--chart {path}: name it FILE.png, FILE.svg or FILE.html")


def _documentation_causes(data_dir: Path | None) -> frozenset[str]:
    from denialscope.classify import load_config
    from denialscope.classify.config import ORGANIZATION_FILE

    own = data_dir / ORGANIZATION_FILE if data_dir is not None else None
    config = load_config([own] if own is not None and own.is_file() else None)
    return frozenset(rc.id for rc in config.root_causes.values() if rc.documentation_driven)


def register(app: typer.Typer) -> None:
    """Add the ``report`` and ``event`` command groups."""
    report = typer.Typer(help="Denial analytics: KPIs, Pareto, departments, events, alerts.")
    event = typer.Typer(help="Register change events (template go-lives, payer policies ...).")
    app.add_typer(report, name="report")
    app.add_typer(event, name="event")

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
        from denialscope import settings
        from denialscope.analytics.rework import load_rework_config
        from denialscope.analytics.summary import kpi_report

        filters = _filters(payer, stream, department, service_line, facility, date_from, date_to)
        with _session(database, data_dir) as session:
            _refresh_if_stale(session)
            groups = kpi_report(
                session,
                filters=filters,
                by=by,
                documentation_causes=_documentation_causes(data_dir),
                rework=load_rework_config(settings.data_dir(data_dir)),
            )
        if not groups:
            typer.echo(
                "no adjudicated claims in scope: load 837/835 files with `denialscope ingest`, "
                "or try `denialscope demo`",
                err=True,
            )
        rows = [{"group": label, **values} for label, values in groups.items()]
        if by is None:
            document: Any = groups.get("all", {})
        else:
            document = {"by": by, "groups": groups}
        _emit(rows, fmt, title="KPIs", document=document, transpose=True, out=out)

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

        filters = _filters(payer, stream, department, service_line, facility, date_from, date_to)
        try:
            share = Decimal(target)
        except InvalidOperation:
            raise InputError(f"--target {target!r} is not a number") from None
        with _session(database, data_dir) as session:
            result = pareto(session, filters=filters, target=share, measure=measure)  # type: ignore[arg-type]
        rows = [e.to_dict() for e in result.entries]
        _emit(rows, fmt, title=f"Pareto ({measure}, target {target})", document=result, out=out)
        if chart is not None:
            from denialscope.analytics.charts import pareto_svg

            _write_chart(chart, pareto_svg(result), title="Pareto of root causes")

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

        filters = _filters(payer, stream, None, service_line, facility, date_from, date_to)
        with _session(database, data_dir) as session:
            results = department_report(session, filters=filters)
        _emit(
            [r.to_dict() for r in results],
            fmt,
            title="Departments (case-mix adjusted)",
            out=out,
        )
        if chart is not None:
            from denialscope.analytics.charts import funnel_svg

            _write_chart(chart, funnel_svg(results), title="Departments: funnel plot")

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
        from denialscope.analytics.events import event_impact, list_events

        with _session(database, data_dir) as session:
            impacts = [
                event_impact(
                    session,
                    event_date=e.event_date,
                    department=e.department,
                    service_line=e.service_line,
                    payer=payer,
                    window_days=window_days,
                    event_id=e.id,
                )
                for e in list_events(session)
            ]
        rows = [
            {"event_id": i.event_id, "event_date": i.event_date, "scope": i.scope, **c.to_dict()}
            for i in impacts
            for c in i.causes
        ]
        _emit(rows, fmt, title="Root causes before vs after events", document=impacts)

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
        filters = _filters(payer, stream, department, None, None, date_from, date_to)
        with _session(database, data_dir) as session:
            alerts = cusum_alerts(
                session,
                filters=filters,
                level=level,  # type: ignore[arg-type]
                across=across,  # type: ignore[arg-type]
                baseline_months=baseline_months,
                ratio=ratio,
                threshold=threshold,
            )
        _emit([a.to_dict() for a in alerts], fmt, title="CUSUM alerts")

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
        fmt: SheetFormatOption = "table",
        out: OutOption = None,
        chart: ChartOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Initial denial rate and denials per stream, per month (or --by quarter ...)."""
        from denialscope.analytics.trends import trend_rows

        filters = _filters(payer, stream, department, service_line, facility, date_from, date_to)
        with _session(database, data_dir) as session:
            _refresh_if_stale(session)
            rows = trend_rows(session, filters=filters, by=by or "month")
        _emit(rows, fmt, title=f"Trends by {by}", out=out)
        if chart is not None:
            from denialscope.analytics.charts import trend_svg

            _write_chart(chart, trend_svg(rows), title=f"Initial denial rate by {by}")

    # After the analytics commands, so `report --help` lists it last.
    from denialscope.cli.governance import add_report_command

    add_report_command(report)

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

        when = _date(date, "--date")
        assert when is not None
        with _session(database, data_dir) as session, session.begin():
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

        with _session(database, data_dir) as session, session.begin():
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

        with _session(database, data_dir) as session:
            rows = [
                {
                    "id": e.id,
                    "date": e.event_date,
                    "kind": e.kind,
                    "department": e.department,
                    "service_line": e.service_line,
                    "description": e.description,
                }
                for e in list_events(session)
            ]
        _emit(rows, fmt, title="Change events")
