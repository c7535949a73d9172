"""Result types the metrics return: exact ratios and the JSON-ready form of a value."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

__all__ = ["RATE_PLACES", "Rate", "jsonable", "to_decimal"]

RATE_PLACES = Decimal("0.000001")


def to_decimal(value: object) -> Decimal:
    """A database aggregate as a Decimal (None -> 0; integers and Decimals stay exact)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    # A float only reaches here from an engine without a decimal type; keep its cents.
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(slots=True, frozen=True)
class Rate:
    """numerator / denominator, kept separately so a reader can audit the division."""

    numerator: Decimal
    denominator: Decimal

    @property
    def value(self) -> Decimal | None:
        """The ratio to six places, None when the denominator is zero."""
        if not self.denominator:
            return None
        return (self.numerator / self.denominator).quantize(RATE_PLACES, ROUND_HALF_EVEN)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


def jsonable(value: Any) -> Any:
    """Plain values for tables, CSV and templates: Decimals as numbers, dates ISO strings,
    result objects as dicts. JSON output uses :func:`denialscope.output.jsonout.dumps`
    (Decimals as exact strings); both are :func:`denialscope.output.jsonout.plain`."""
    from denialscope.output.jsonout import plain

    return plain(value, exact=False)
