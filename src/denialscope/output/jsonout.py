"""The one JSON encoder of denialscope: every ``--json`` / ``--format json`` output goes
through :func:`dumps`, so one figure has one shape wherever it is printed (and the web's JSON
twins can use the same function).

* **Money and every other Decimal** become decimal strings (``"1234.50"``, never ``1234.5``
  nor ``1.2345E+3``): a float cannot hold cents exactly, and a reader that wants a number
  parses the string without loss. Rates are Decimals too and come out the same way.
* **Dates and times** are ISO 8601; **enums** are their value; **paths** their text.
* **Objects**: a ``to_dict()`` method wins (the result types shape their own JSON), then
  pydantic models (``model_dump``), then dataclasses (their fields); mappings get text keys;
  tuples, lists and sets become lists (sets sorted, so output is stable); anything else is
  written as its text.

:func:`plain` with ``exact=False`` turns Decimals into JSON numbers instead: tables, CSV and
report templates format numbers themselves and need them as numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

__all__ = ["decimal_text", "dumps", "plain"]


def decimal_text(value: Decimal) -> str:
    """A Decimal as fixed-point text with its own places: ``Decimal("1E+2")`` -> ``"100"``."""
    return format(value, "f")


def _number(value: Decimal) -> int | float:
    integral = value == value.to_integral_value()
    return int(value) if integral and value.as_tuple().exponent == 0 else float(value)


def plain(value: Any, *, exact: bool = True) -> Any:
    """``value`` as plain JSON types (dict, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value) if exact else _number(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return plain(value.value, exact=exact)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v, exact=exact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, exact=exact) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v, exact=exact) for v in value), key=repr)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return plain(to_dict(), exact=exact)
    model_dump = getattr(value, "model_dump", None)  # pydantic v2 models
    if callable(model_dump):
        return plain(model_dump(), exact=exact)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name), exact=exact) for f in dataclasses.fields(value)
        }
    return str(value)  # anything else (a UUID, an IP address): its text


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON text (money as decimal strings); ``indent=None``: one line."""
    return json.dumps(plain(value), indent=indent)
