"""The one JSON encoder: money as exact decimal strings, dates ISO, enums by value, result
objects and dataclasses as objects, on a value built by hand."""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from denialscope.analytics.results import Rate, jsonable
from denialscope.output.jsonout import decimal_text, dumps, plain


class Stream(enum.Enum):
    CODING = "coding"


@dataclass
class Line:
    code: str
    paid: Decimal
    on: dt.date


@dataclass
class Claim:
    number: str
    charge: Decimal
    stream: Stream
    lines: list[Line]
    seen: dt.datetime
    tags: frozenset[str] = field(default_factory=frozenset)
    source: Path = Path("in/a.835")


CLAIM = Claim(
    number="PCN-1",
    charge=Decimal("1234.50"),
    stream=Stream.CODING,
    lines=[
        Line("99213", Decimal("100.00"), dt.date(2025, 1, 31)),
        Line("J3490", Decimal("1E+2"), dt.date(2025, 2, 1)),
    ],
    seen=dt.datetime(2025, 3, 4, 5, 6, 7),
    tags=frozenset({"b", "a"}),
)


def test_a_nested_dataclass_with_money_dates_and_an_enum() -> None:
    assert json.loads(dumps(CLAIM)) == {
        "number": "PCN-1",
        "charge": "1234.50",  # not 1234.5: the cents stay
        "stream": "coding",
        "lines": [
            {"code": "99213", "paid": "100.00", "on": "2025-01-31"},
            {"code": "J3490", "paid": "100", "on": "2025-02-01"},  # never "1E+2"
        ],
        "seen": "2025-03-04T05:06:07",
        "tags": ["a", "b"],
        "source": "in/a.835",
    }
    assert "\n" not in dumps(CLAIM, indent=None)


def test_to_dict_shapes_its_own_json_and_keys_become_text() -> None:
    rate = Rate(Decimal(1), Decimal(3))
    assert plain({2025: rate}) == {
        "2025": {"rate": "0.333333", "numerator": "1", "denominator": "3"}
    }


def test_tables_get_numbers_from_the_same_walk() -> None:
    # jsonable (tables, CSV, templates) is plain(exact=False): Decimals become numbers.
    assert jsonable({"paid": Decimal("100.00"), "n": Decimal(3), "on": dt.date(2025, 1, 2)}) == {
        "paid": 100.0,
        "n": 3,
        "on": "2025-01-02",
    }
    assert decimal_text(Decimal("-0.50")) == "-0.50"
