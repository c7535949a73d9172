"""Finance formatting by key and inert text (OWASP CSV injection) in output/values.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from denialscope.output.values import csv_cell, display, inert, kind_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("ACME HEALTH", "ACME HEALTH"),
        ("", ""),
    ],
)
def test_inert_prefixes_formula_triggers(text: str, expected: str) -> None:
    assert inert(text) == expected


def test_csv_cells_escape_text_but_not_our_numbers() -> None:
    assert csv_cell("payer", "=1+1") == "'=1+1"
    assert csv_cell("denied_amount", Decimal("-1234.5")) == "-$1,234.50"
    assert csv_cell("claims", None) == ""


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("initial_denial_rate.dollars", Decimal("0.167622"), "16.8%"),
        ("first_pass_yield", Decimal("0.858425"), "85.8%"),
        ("clinical.denials_pct_of_net_revenue", Decimal("0.2143"), "21.4%"),
        ("denial_mix.coding", Decimal("0.5"), "50.0%"),
        ("pct_of_way", Decimal("42.5"), "42.5%"),
        ("denied_amount", Decimal("3245736.8"), "$3,245,736.80"),
        ("overturned.dollars", 900, "$900.00"),
        ("denied_net", Decimal("-12.3"), "-$12.30"),
        ("claims_submitted", 20000, "20,000"),
        ("denials_by_stream.access.count", Decimal("265"), "265"),
        ("avg_days_to_pay", Decimal("16.66"), "16.7"),
        ("claim_id", 123456, "123456"),
        ("clean_claim_rate", None, "–"),
        ("payer", "[/] PLAN", "[/] PLAN"),
        ("dollars_at_risk", "27280.00", "$27,280.00"),  # money handed over as text
        ("p_recovery", "0.5893", "58.9%"),
        ("denied_amount", "n/a", "n/a"),
    ],
)
def test_display_by_key(key: str, value: object, shown: str) -> None:
    assert display(key, value) == shown


def test_kind_of_text_and_bools() -> None:
    assert kind_of("payer", "ALPHA") == "text"
    assert kind_of("enough_data", True) == "text"
    assert kind_of("initial_denial_rate", Decimal("0.1")) == "percent"


def test_a_whole_number_of_claims_is_a_count_under_a_money_parent() -> None:
    from denialscope.output.values import display

    assert display("denied_net_basis.claims_estimated", 1630) == "1,630"
    assert display("denied_net_basis.net_estimated", 1630) == "$1,630.00"
    assert display("initial_denial_rate.count", 0.125) == "12.5%"
