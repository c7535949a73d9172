"""`denialscope parse FILE...`: read X12 files, print what they hold and what is wrong.

Records are streamed and discarded; only the reader's counters and diagnostics are kept, so a
file of any size parses in flat memory. Output is a human report (rich) or, with ``--json``,
one JSON object per file per line. Exit code 0 when every file could be read (content
problems are diagnostics, not failures), 2 when at least one could not be read at all.

A diagnostic's ``value`` (the offending element) is printed as read only for rules whose
values are codes, counts, amounts or control numbers; any other value may be patient data and
is shown as its shape (``99999999``), never in name, address or demographic segments, in
human and JSON output alike (see :mod:`denialscope.x12.diagnostics`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import typer

from denialscope.errors import UnreadableFileError
from denialscope.output.jsonout import dumps
from denialscope.x12.diagnostics import (
    CODE_VALUE_RULES,
    PRIVATE_SEGMENTS,
    Diagnostic,
    mask_value,
)
from denialscope.x12.envelope import FileSummary
from denialscope.x12.reader import open_x12

__all__ = [
    "SHOWN_VALUE_RULES",
    "FileReport",
    "expand_paths",
    "read_file",
    "register",
    "report_json",
    "run",
    "shown_value",
]

# The reader's sink already masks values (denialscope.x12.diagnostics); these names stay
# for callers that imported them from here.
SHOWN_VALUE_RULES = CODE_VALUE_RULES


def shown_value(d: Diagnostic) -> str | None:
    """The diagnostic's value, masked unless it is a code; None in name/address segments."""
    if d.value is None or d.segment_id in PRIVATE_SEGMENTS:
        return None
    return mask_value(d.rule, d.segment_id, d.value)


@dataclass(slots=True)
class FileReport:
    """What reading one file produced: counters and diagnostics, or why it could not be read."""

    file: str
    summary: FileSummary | None = None
    diagnostics: Sequence[Diagnostic] = ()
    dropped: int = 0  # diagnostics beyond the reader's cap
    error: str | None = None
    error_offset: int | None = None


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """The files to read: the one path expander's (:mod:`denialscope.input_paths`); a
    missing path or a folder with nothing to read raises InputError (exit 1)."""
    from denialscope.input_paths import expand_paths as expand

    yield from expand(paths)


def read_file(path: Path) -> FileReport:
    """Read one file to the end, keeping only its summary and diagnostics."""
    name = str(path)
    if path.is_dir():
        return FileReport(file=name, error="a folder with no files to read")
    try:
        with open_x12(path, name=name) as reader:
            for _ in reader:
                pass
            return FileReport(
                file=name,
                summary=reader.summary,
                diagnostics=reader.diagnostics,
                dropped=reader.sink.dropped,
            )
    except UnreadableFileError as exc:
        return FileReport(file=name, error=exc.reason, error_offset=exc.context.get("offset"))
    except OSError as exc:
        return FileReport(file=name, error=f"cannot read: {exc.strerror or type(exc).__name__}")
    except Exception as exc:  # a reader bug must not print a traceback full of file content
        return FileReport(
            file=name,
            error=f"denialscope failed while reading ({type(exc).__name__}); please report it",
        )


def _money(value: Any) -> str:
    return str(value)


def report_json(report: FileReport) -> dict[str, Any]:
    """The ``--json`` object of one file (money as decimal strings, exact)."""
    if report.error is not None:
        return {"file": report.file, "error": report.error, "offset": report.error_offset}
    s = report.summary
    assert s is not None
    return {
        "file": report.file,
        "transaction": s.transaction,
        "version": s.version,
        "interchanges": s.interchanges,
        "groups": s.groups,
        "transactions": s.transactions,
        "claims": s.claims,
        "service_lines": s.service_lines,
        "adjustments": s.adjustments,
        "provider_adjustments": s.provider_adjustments,
        "total_charge": _money(s.total_charge),
        "total_paid": _money(s.total_paid),
        "total_payment": _money(s.total_payment),
        "accepted": s.accepted,
        "rejected": s.rejected,
        "errors": sum(1 for d in report.diagnostics if d.severity == "error"),
        "warnings": sum(1 for d in report.diagnostics if d.severity == "warning"),
        "diagnostics_dropped": report.dropped,
        "diagnostics": [
            {
                "severity": d.severity.value,
                "rule": d.rule,
                "segment_index": d.segment_index,
                "offset": d.offset,
                "segment_id": d.segment_id,
                "element": d.element,
                "value": shown_value(d),
                "interchange": d.interchange,
                "transaction": d.transaction,
                "message": d.message,
            }
            for d in report.diagnostics
        ],
    }


def _error_line(report: FileReport) -> str:
    where = f" (at byte {report.error_offset})" if report.error_offset is not None else ""
    return f"error: {report.file}: {report.error}{where}"


def _print_human(report: FileReport, limit: int, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    # A pipe has no width; 160 columns keeps messages on one line in logs and CI output.
    width = None if out.isatty() else 160
    console = Console(file=out, width=width, highlight=False, markup=False, emoji=False)
    s = report.summary
    assert s is not None
    kinds = set(s.kinds)
    is_835 = "835" in kinds
    is_837 = any(k.startswith("837") for k in kinds)
    is_ack = bool(kinds & {"277CA", "999", "997", "277"})
    rows: list[tuple[str, str]] = [
        ("transaction", s.transaction or "-"),
        ("version", s.version or "-"),
        ("interchanges", f"{s.interchanges:,}"),
        ("transactions", f"{s.transactions:,}"),
        ("claims", f"{s.claims:,}"),
        ("service lines", f"{s.service_lines:,}"),
    ]
    if is_835 or is_837:
        rows.append(("adjustments", f"{s.adjustments:,}"))
    if is_835:
        rows.append(("provider adjustments", f"{s.provider_adjustments:,}"))
    if is_835 or is_837 or s.total_charge:
        rows.append(("total charge", _money(s.total_charge)))
    if is_835:
        rows.append(("total paid (CLP04)", _money(s.total_paid)))
        rows.append(("total payment (BPR02)", _money(s.total_payment)))
    if is_ack:
        rows.append(("accepted", f"{s.accepted:,}"))
        rows.append(("rejected", f"{s.rejected:,}"))
    console.print(report.file, style="bold")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column(justify="right")
    for key, value in rows:
        facts.add_row(key, value)
    console.print(facts)
    diags = list(report.diagnostics)
    total = len(diags) + report.dropped
    if not diags:
        console.print("no problems found")
        console.print()
        return
    errors = sum(1 for d in diags if d.severity == "error")
    console.print(f"{total:,} diagnostics ({errors:,} errors)")
    table = Table(show_edge=False, pad_edge=False)
    for column in ("severity", "rule", "segment", "where", "byte"):
        table.add_column(column, no_wrap=True)
    table.add_column("message", overflow="fold")
    for d in diags[:limit]:
        where = d.segment_id or ""
        if d.segment_id and d.element:
            where = f"{d.segment_id}{d.element:02d}"
        shown = shown_value(d)
        message = d.message if shown is None else f"{d.message} [value: {shown}]"
        table.add_row(
            d.severity.value,
            d.rule,
            "" if d.segment_index is None else str(d.segment_index),
            where,
            "" if d.offset is None else str(d.offset),
            message,
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
    out = out or sys.stdout
    err = err or sys.stderr
    code = 0
    for path in expand_paths(paths):
        report = read_file(path)
        if report.error is not None:
            code = 2
            print(_error_line(report), file=err, flush=True)
            if as_json:
                print(dumps(report_json(report), indent=None), file=out, flush=True)
            continue
        if as_json:
            print(dumps(report_json(report), indent=None), file=out, flush=True)
        else:
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
