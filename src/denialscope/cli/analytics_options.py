"""Options and helpers the analytics commands share (``report``, ``event``, ``plan``):
the scope filters, dates, and one way to open the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.options import output_file
from denialscope.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from denialscope.analytics.cohort import Filters
    from denialscope.settings import Settings

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
        date_from=parse_date(date_from, "--from"),
        date_to=parse_date(date_to, "--to"),
    )


def refresh_if_stale(session: Session) -> None:
    """Rebuild the summary cube when the data changed, so the next summary is fast."""
    from denialscope.analytics.cube import cube_is_fresh, refresh_cube

    if not cube_is_fresh(session):
        refresh_cube(session)
        session.commit()


def documentation_causes(settings: Settings) -> frozenset[str]:
    from denialscope.classify import load_config

    config = load_config(settings=settings)
    return frozenset(rc.id for rc in config.root_causes.values() if rc.documentation_driven)
