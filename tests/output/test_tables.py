"""Tables print data literally and switch to one block per row when the terminal is narrow."""

from __future__ import annotations

import io
from decimal import Decimal

from rich.console import Console

from denialscope.output.tables import print_table

ROWS = [
    {
        "payer": "ACME [/] PLAN [bold]",
        "claims_adjudicated": 1200,
        "initial_denial_rate": Decimal("0.125"),
    },
    {"payer": "BETA", "claims_adjudicated": 3, "initial_denial_rate": None},
]
COLUMNS = ["payer", "claims_adjudicated", "initial_denial_rate"]


def _print(width: int) -> str:
    buffer = io.StringIO()
    out = Console(file=buffer, width=width, markup=False, highlight=False)
    print_table(ROWS, COLUMNS, title="Payers", out=out)
    return buffer.getvalue()


def test_markup_in_data_prints_as_written() -> None:
    text = _print(120)
    assert "ACME [/] PLAN [bold]" in text
    assert "1,200" in text and "12.5%" in text


def test_narrow_terminal_gets_records_not_ellipses() -> None:
    text = _print(30)
    assert "…" not in text
    lines = text.splitlines()
    assert lines[0] == "Payers"
    assert "claims_adjudicated  : 1,200" in lines
    assert "initial_denial_rate : 12.5%" in lines
    assert all(len(line) <= 30 for line in lines)


def test_long_headers_wrap_before_falling_back() -> None:
    # 60 columns: too narrow for the headers on one line, wide enough once they wrap.
    text = _print(60)
    assert "claims_" in text and "adjudicated" in text and "payer" in text
    assert "claims_adjudicated  :" not in text
