"""The shared filter bar's query-string contract (web/filters.py) and the tiles' definitions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from denialscope.errors import InputError
from denialscope.web.filters import period_dates, read_scope
from denialscope.web.routes.dashboard import kpi_definitions

ANALYTICS_DOC = Path(__file__).resolve().parents[2] / "docs" / "analytics.md"


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025-Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("2025-q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # a leap year
        ("2025-12", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ],
)
def test_a_period_is_its_first_and_last_day(period: str, first: dt.date, last: dt.date) -> None:
    assert period_dates(period) == (first, last)


@pytest.mark.parametrize("period", ["2025-13", "2025-Q5", "25", "2025-06-01", "last year"])
def test_a_wrong_period_is_named(period: str) -> None:
    with pytest.raises(InputError, match="period"):
        period_dates(period)


def test_the_scope_reads_and_writes_the_query_string() -> None:
    scope = read_scope(
        {"period": "2025-Q2", "to": "2025-05-15", "payer": " SUMMIT ", "stream": "", "x": None}
    )
    assert scope.filters.date_from == dt.date(2025, 4, 1)
    assert scope.filters.date_to == dt.date(2025, 5, 15)  # "to" wins over the period's end
    assert scope.filters.payer == "SUMMIT"
    assert scope.filters.stream is None  # empty means all
    assert scope.values == {"period": "2025-Q2", "to": "2025-05-15", "payer": "SUMMIT"}
    assert scope.query() == "period=2025-Q2&to=2025-05-15&payer=SUMMIT"
    assert (
        scope.link("/claims", stream="clinical", root_cause="medical_necessity", payer=None)
        == "/claims?period=2025-Q2&to=2025-05-15&stream=clinical&root_cause=medical_necessity"
    )
    assert read_scope({}).link("/claims") == "/claims"
    with pytest.raises(InputError, match="after"):
        read_scope({"from": "2025-06-01", "to": "2025-05-01"})


def test_every_tile_definition_is_a_documented_kpi() -> None:
    text = ANALYTICS_DOC.read_text(encoding="utf-8")
    definitions = kpi_definitions()
    assert len(definitions) >= 10
    missing = [key for key in definitions if f"`{key}`" not in text]
    assert not missing
