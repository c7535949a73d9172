"""How one value is shown to a person or handed to a spreadsheet: one place for every exporter.

Two concerns live here because every table, CSV and workbook needs both:

* **Inert text.** A payer, patient or user name that begins with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return is read as a formula by Excel, LibreOffice and Google Sheets
  (CSV injection). :func:`inert` prefixes such text with a single quote, as OWASP
  recommends, so the cell shows the name and runs nothing. Only text is escaped: numbers we
  computed (a negative amount) stay numbers.
* **Finance formatting.** Rates print as percentages, money as currency with thousands
  separators, counts with thousands separators. The kind of a figure is read from its
  (dotted) key, the way the analytics name their results (``..._rate``, ``..._dollars``,
  ``..._charges``, ``..._net`` ...), so the analytics modules need not change to be shown
  well; :data:`VALUE_KINDS` lists the words. Formatting happens at render time only: JSON
  keeps the raw figures (exact decimal strings, :mod:`denialscope.output.jsonout`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Final, Literal

__all__ = [
    "FORMULA_TRIGGERS",
    "NUMBER_FORMATS",
    "VALUE_KINDS",
    "csv_cell",
    "display",
    "inert",
    "kind_of",
]

# OWASP "CSV Injection": cells beginning with these are evaluated by spreadsheet programs.
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")

Kind = Literal["percent", "percent_points", "money", "days", "count", "number", "text"]

# Words of a key (split on "." and "_") that say what its number is. Checked in this order:
# a rate of dollars ("initial_denial_rate.dollars") is a rate, not money.
VALUE_KINDS: Final[tuple[tuple[Kind, frozenset[str]], ...]] = (
    # Already multiplied by 100 (plan progress): shown with a % sign, not multiplied again.
    ("percent_points", frozenset({"change_pct", "pct_of_way", "time_elapsed_pct"})),
    # "p" as in p_recovery, a probability.
    ("percent", frozenset({"rate", "yield", "pct", "share", "trailing3", "mix", "p"})),
    ("days", frozenset({"days"})),
    (
        "money",
        frozenset(
            {
                "amount",
                "dollars",
                "charges",
                "charge",
                "net",
                "cost",
                "revenue",
                "recovered",
                "recovery",
                "adjustments",
                "responsibility",
                "denied_amount",
            }
        ),
    ),
)

# Excel number formats for the same kinds (openpyxl ``cell.number_format``).
# Words that make a whole number under them a count whatever its parents say:
# "denied_net_basis.claims_estimated" counts claims, it is not dollars.
COUNT_WORDS: Final = frozenset({"claims", "count", "items", "volume", "worked", "files"})

NUMBER_FORMATS: Final[dict[Kind, str]] = {
    "percent": "0.0%",
    "percent_points": '0.0"%"',
    "money": '"$"#,##0.00;-"$"#,##0.00',
    "days": "#,##0.0",
    "count": "#,##0",
    "number": "#,##0.######",
}

NO_VALUE: Final = "–"


def kind_of(key: str, value: Any = None) -> Kind:
    """What the number under ``key`` is (percent, money, days, count), or plain text."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | None):
        return "text"
    parts = key.lower().split(".")
    if parts[-1] == "id" or parts[-1].endswith("_id"):
        return "text"  # an identifier: no thousands separator in claim 12345
    if isinstance(value, int) and any(w in COUNT_WORDS for w in parts[-1].split("_")):
        return "count"
    for kind, words in VALUE_KINDS:
        if kind == "percent_points":
            if parts[-1] in words:
                return kind
            continue
        for part in parts:
            if part in words or any(word in words for word in part.split("_")):
                return kind
    if value is None or isinstance(value, int):
        return "count"
    number = Decimal(str(value)) if isinstance(value, float) else value
    return "count" if number == number.to_integral_value() else "number"


def inert(text: str) -> str:
    """``text`` that a spreadsheet shows as typed instead of evaluating (OWASP)."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def display(key: str, value: Any) -> str:
    """``value`` as a finance reader expects it under the column ``key``."""
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and kind_of(key, Decimal(0)) in ("percent", "money", "days"):
        # Services that hand money over as text ("27280.00") still read as money.
        text: str = value
        try:
            value = Decimal(text)
        except ArithmeticError:
            return text
    if not isinstance(value, int | float | Decimal):
        return str(value)
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    kind = kind_of(key, value)
    if kind == "text":
        return str(value)
    if kind == "percent":
        return f"{number * 100:,.1f}%"
    if kind == "percent_points":
        return f"{number:,.1f}%"
    if kind == "money":
        sign = "-" if number < 0 else ""
        return f"{sign}${abs(number):,.2f}"
    if kind == "days":
        return f"{number:,.1f}"
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,}"


def csv_cell(key: str, value: Any) -> str:
    """A CSV field: formatted like :func:`display`, with text made inert.

    Excel reads ``12.5%``, ``$1,234.00`` and ``1,234`` back as numbers, so the file stays
    summable; a name such as ``=HYPERLINK(...)`` arrives as text.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return inert(value)
    return display(key, value)
