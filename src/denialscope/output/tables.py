"""Tables on a terminal: data printed as plain text, laid out for the terminal's width.

Every cell is a rich :class:`~rich.text.Text`, never a markup string: a payer called
``ACME [/] PLAN`` or a user called ``[bold]x`` prints as written instead of crashing the
command or restyling the table. When the table would not fit the terminal (``COLUMNS=80``
or a phone's SSH session), rows are printed as blocks of ``column: value`` lines instead of
columns squeezed into one letter each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from denialscope.output.values import display

__all__ = ["console", "plain", "print_records", "print_table"]

# Room rich needs around each column (a border and one space either side).
CELL_PADDING = 3
# A wrapped header is at least this wide (or its longest word), so it stays a few lines.
HEADER_WIDTH = 10


def console(*, stderr: bool = False) -> Console:
    """A console that prints text as given: no markup, no emoji codes, no highlighting."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def plain(value: Any, key: str = "") -> Text:
    """A cell: the value formatted for ``key`` and taken literally (no markup)."""
    return Text(display(key, value) if key else ("" if value is None else str(value)))


def _fits(widths: Sequence[int], width: int) -> bool:
    return sum(widths) + CELL_PADDING * len(widths) + 1 <= width


def print_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    out: Console | None = None,
    formatted: bool = True,
    narrow: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None,
) -> None:
    """Rows as a table when it fits the terminal, else as one block per row.

    ``narrow`` gives other blocks (columns, cells) for the narrow layout: a transposed
    table (one column per group) reads best narrow as one block per group.
    """
    out = out or console()
    cells = [
        [display(c, row.get(c)) if formatted else _raw(row.get(c)) for c in columns] for row in rows
    ]
    values = [max((len(line[i]) for line in cells), default=0) for i in range(len(columns))]
    headers = list(columns)
    widths = [max(len(c), v) for c, v in zip(columns, values, strict=True)]
    if not _fits(widths, out.width):
        # Long snake_case headers are what overflow first: break them after an underscore.
        widths = [
            max(v, min(len(c), HEADER_WIDTH), *(len(w) for w in _words(c)))
            for c, v in zip(columns, values, strict=True)
        ]
        headers = [_wrap(c, w) for c, w in zip(columns, widths, strict=True)]
    if not _fits(widths, out.width):
        print_records(*(narrow or (columns, cells)), title=title, out=out)
        return
    table = Table(title=title)
    numeric = [all(_numeric(line[i]) for line in cells) for i in range(len(columns))]
    for header, right in zip(headers, numeric, strict=True):
        table.add_column(Text(header), justify="right" if right else "left", no_wrap=True)
    for line in cells:
        table.add_row(*(Text(cell) for cell in line))
    out.print(table)


def print_records(
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    out: Console | None = None,
) -> None:
    """Each row as ``column: value`` lines (psql's expanded display), for narrow terminals."""
    out = out or console()
    if title:
        out.print(Text(title, style="bold"))
    label = max((len(c) for c in columns), default=0)
    # Keys wider than two thirds of the screen would leave no room for the value.
    label = min(label, max(2 * out.width // 3, 8))
    for number, line in enumerate(cells, start=1):
        out.print(Text(f"-[ {number} ]" + "-" * max(0, min(out.width, 40) - 7 - len(str(number)))))
        for column, cell in zip(columns, line, strict=True):
            out.print(Text(f"{column:<{label}} : {cell}"), overflow="fold")


def _words(header: str) -> list[str]:
    """``initial_denial_rate`` -> ``["initial_", "denial_", "rate"]`` (underscores kept)."""
    parts = header.replace(".", "._").split("_")
    words = [p + "_" for p in parts[:-1]] + [parts[-1]]
    return [w.replace("._", ".") for w in words if w]


def _wrap(header: str, width: int) -> str:
    lines: list[str] = []
    for word in _words(header):
        if lines and len(lines[-1]) + len(word) <= width:
            lines[-1] += word
        else:
            lines.append(word)
    return "\n".join(lines)


def _raw(value: Any) -> str:
    return "" if value is None else str(value)


def _numeric(cell: str) -> bool:
    stripped = cell.removeprefix("-").replace(",", "").replace("$", "").replace("%", "")
    return cell in ("", "–") or stripped.replace(".", "", 1).isdigit()
