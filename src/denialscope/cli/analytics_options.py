"""Options the analytics commands share (``report``, ``event``, ``plan``): the scope
filters and dates, checked by :func:`denialscope.analytics.service.scope_filters`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.options import output_file
from denialscope.errors import InputError

if TYPE_CHECKING:
    from denialscope.analytics.cohort import Filters

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
        "--by",
        help=(
            "Group by month, quarter, payer, service_line, department, facility, attending "
            "or rendering_provider."
        ),
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="table, json or csv.")]
SheetFormatOption = Annotated[
    str, typer.Option("--format", help="table, json, csv or xlsx (xlsx needs --out).")
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Output file (for --format xlsx).", callback=output_file),
]
MinClaimsOption = Annotated[
    int | None,
    typer.Option(
        "--min-claims",
        help="Fewest adjudicated claims a period needs to show rates "
        "(default DENIALSCOPE_MIN_CLAIMS or 30).",
    ),
]
CHART_SUFFIXES = (".png", ".svg", ".html", ".htm")


def chart_file(path: Path | None) -> Path | None:
    """Typer callback for --chart: a writable file with a suffix we can draw."""
    if path is not None and path.suffix.lower() not in CHART_SUFFIXES:
        raise typer.BadParameter(f"{path}: name it FILE.png, FILE.svg or FILE.html")
    return output_file(path)


ChartOption = Annotated[
    Path | None,
    typer.Option(
        "--chart",
        help="Also write a chart: FILE.png, FILE.svg or FILE.html.",
        callback=chart_file,
    ),
]


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def build_filters(
    payer: str | None,
    stream: str | None,
    department: str | None,
    service_line: str | None,
    facility: str | None,
    date_from: str | None,
    date_to: str | None,
) -> Filters:
    """The scope options as checked filters (see analytics.service.scope_filters)."""
    from denialscope.analytics.service import scope_filters

    return scope_filters(
        payer=payer,
        stream=stream,
        department=department,
        service_line=service_line,
        facility=facility,
        date_from=date_from,
        date_to=date_to,
    )


def pareto_target(target: str) -> Decimal:
    """``--target`` of a Pareto (``report pareto``, ``spark pareto``) as a Decimal share."""
    try:
        return Decimal(target)
    except InvalidOperation:
        raise InputError(f"--target {target!r} is not a number") from None
