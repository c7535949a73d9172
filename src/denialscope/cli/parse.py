"""`denialscope parse FILE...`: read X12 files, print what they hold and what is wrong.

Arguments → :func:`denialscope.x12.report.file_reports` → a human report (rich) or, with
``--json``, one JSON object per file per line. Exit code 0 when every file could be read
(content problems are diagnostics, not failures), 2 when at least one could not be read.
The reports already hold redacted values only (see :mod:`denialscope.x12.report`).

Import-light on purpose: the reader is imported when the command runs and rich only for the
human report, so ``denialscope --help`` and ``parse --json`` do not pay for them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

if TYPE_CHECKING:
    from denialscope.x12.report import FileReport

__all__ = ["register", "run"]


def _error_line(report: FileReport) -> str:
    where = f" (at byte {report.error_offset})" if report.error_offset is not None else ""
    return f"error: {report.file}: {report.error}{where}"


def _print_human(report: FileReport, limit: int, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    from denialscope.x12.report import summary_facts

    # A pipe has no width; 160 columns keeps messages on one line in logs and CI output.
    width = None if out.isatty() else 160
    console = Console(file=out, width=width, highlight=False, markup=False, emoji=False)
    assert report.summary is not None
    console.print(report.file, style="bold")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column(justify="right")
    for fact in summary_facts(report.summary):
        value = fact.value
        facts.add_row(fact.label, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(facts)
    total = report.total_diagnostics
    if not total:
        console.print("no problems found")
        console.print()
        return
    console.print(f"{total:,} diagnostics ({report.errors:,} errors)")
    table = Table(show_edge=False, pad_edge=False)
    for column in ("severity", "rule", "segment", "where", "byte"):
        table.add_column(column, no_wrap=True)
    table.add_column("message", overflow="fold")
    for d in report.diagnostics[:limit]:
        table.add_row(
            d.severity,
            d.rule,
            "" if d.segment_index is None else str(d.segment_index),
            d.where,
            "" if d.offset is None else str(d.offset),
            d.message if d.value is None else f"{d.message} [value: {d.value}]",
        )
    console.print(table)
    if total > limit:
        console.print(f"{total - limit:,} more")
    console.print()


def run(
    paths: Sequence[Path],
    *,
    as_json: bool = False,
    limit: int = 50,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Parse every file; print the reports; return the exit code (0 all read, 2 otherwise)."""
    from denialscope.input_paths import expand_paths
    from denialscope.output.jsonout import dumps
    from denialscope.x12.report import file_reports, report_json

    out = out or sys.stdout
    err = err or sys.stderr
    code = 0
    files = expand_paths(paths)  # a missing path or an empty folder: InputError, exit 1
    for report in file_reports(paths=files):
        if report.error is not None:
            code = 2
            print(_error_line(report), file=err, flush=True)
        if as_json:
            print(dumps(report_json(report), indent=None), file=out, flush=True)
        elif report.error is None:
            _print_human(report, limit, out)
    return code


def register(app: typer.Typer) -> None:
    @app.command("parse")
    def parse(
        paths: list[Path] = typer.Argument(  # noqa: B008 - typer declares options this way
            ..., help="X12 files (835, 837, 277CA, 999) or folders, read recursively."
        ),
        as_json: bool = typer.Option(
            False, "--json", help="One JSON object per file per line instead of a report."
        ),
        limit: int = typer.Option(
            50, "--limit", min=0, help="Diagnostics shown per file in the report."
        ),
    ) -> None:
        """Read X12 files and report their content counts and every problem found."""
        raise typer.Exit(run(paths, as_json=as_json, limit=limit))
