"""How report-like commands print their results: table, CSV, JSON, xlsx, and charts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import typer

from denialscope.errors import InputError

__all__ = ["FORMATS", "emit", "write_chart"]

FORMATS = ("table", "json", "csv", "xlsx")


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, list):
        out[prefix] = ";".join(str(v) for v in value)
    else:
        out[prefix] = value


def emit(
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
        flatten("", jsonable(row), line)
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
    if not rows:  # an empty table would print nothing readable
        typer.echo(f"{title}: none")
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


def write_chart(path: Path, svg: str, *, title: str) -> None:
    """An SVG file, a PNG of it (.png), or an HTML page embedding it (.html)."""
    try:
        _write_chart_file(path, svg, title=title)
    except OSError as exc:  # Cairo's write errors name neither the file nor the reason
        raise InputError(f"--chart {path}: cannot write it ({exc.strerror or exc})") from None


def _write_chart_file(path: Path, svg: str, *, title: str) -> None:
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
