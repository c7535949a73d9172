"""How report-like commands print their results: table, CSV, JSON, xlsx, and charts."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import typer

from denialscope.errors import InputError
from denialscope.files import write_atomic
from denialscope.output.values import inert

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
        from denialscope.output.xlsx import write_xlsx

        assert out is not None
        write_xlsx(rows, out, title=title, transpose=transpose)
        typer.echo(f"{title}: {len(rows)} row(s) written to {out}")
        return
    if fmt == "json":
        from denialscope.output.jsonout import dumps

        typer.echo(dumps(document if document is not None else rows))
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
        from denialscope.output.values import csv_cell

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([inert(c) for c in columns])
        for line in flat:
            writer.writerow([csv_cell(c, line.get(c)) for c in columns])
        typer.echo(buffer.getvalue(), nl=False)
        return
    if not rows:  # an empty table would print nothing readable
        typer.echo(f"{title}: none")
        return
    from denialscope.output.tables import print_table
    from denialscope.output.values import display

    if transpose and columns:
        # One column per group, one row per figure: the group labels become the header.
        groups = [str(line.get(columns[0], "")) for line in flat]
        heading = columns[0]
        turned = [
            {
                heading: column,
                **{
                    g: display(column, line.get(column))
                    for g, line in zip(groups, flat, strict=True)
                },
            }
            for column in columns[1:]
        ]
        blocks = [[display(c, line.get(c)) for c in columns] for line in flat]
        print_table(
            turned, [heading, *groups], title=title, formatted=False, narrow=(columns, blocks)
        )
        return
    print_table(flat, columns, title=title)


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
        png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)
        write_atomic(path, png)
    elif path.suffix.lower() in (".html", ".htm"):
        from denialscope.output.pages import chart_page

        write_atomic(path, chart_page(svg, title=title))
    elif path.suffix.lower() == ".svg":
        write_atomic(path, svg)
    else:
        raise InputError(f"--chart {path}: name it FILE.png, FILE.svg or FILE.html")
