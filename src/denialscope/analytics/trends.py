"""Trends: the initial denial rate and each stream's denials, period by period.

A period (or group) with fewer adjudicated claims than ``min_claims`` (``--min-claims``,
``DENIALSCOPE_MIN_CLAIMS``, default 30) keeps its counts but shows no rates: three late
claims all denied are "not enough data", not a 100% denial rate. Its ``data`` column says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.cohort import Filters
from denialscope.analytics.periods import min_claims as configured_min_claims
from denialscope.analytics.results import Rate
from denialscope.classify.taxonomy import DENIAL_STREAMS

__all__ = ["NOT_ENOUGH", "RATE_KEYS", "TrendPoint", "trend_points", "trend_rows"]

NOT_ENOUGH = "not enough data"
RATE_KEYS = ("initial_denial_rate", "initial_denial_rate_charges", "initial_denial_rate_trailing3")


def trend_rows(
    session: Session,
    *,
    filters: Filters = kpis.NO_FILTERS,
    by: str = "month",
    min_claims: int | None = None,
) -> list[dict[str, Any]]:
    """One row per period (or group): claims, denials, rates, denials per stream."""
    minimum = configured_min_claims(min_claims)
    totals = kpis.cohort_totals(session, filters=filters, by=by)
    streams = kpis.denials_by_stream(session, filters=filters, by=by)
    trailing = kpis.initial_denial_rate_trailing(session, filters=filters) if by == "month" else {}
    rows: list[dict[str, Any]] = []
    for label, t in sorted(totals.items()):
        row: dict[str, Any] = {
            by: label,
            "claims_adjudicated": int(t["remitted"]),
            "initial_denials": int(t["denied"]),
            "initial_denial_rate": Rate(t["denied"], t["remitted"]).value,
            "initial_denial_rate_charges": Rate(t["charges_denied"], t["charges_remitted"]).value,
        }
        if by == "month":
            rate = trailing.get(label)
            row["initial_denial_rate_trailing3"] = rate.value if rate else None
        for stream in DENIAL_STREAMS:
            if filters.stream in (None, stream):
                found = streams.get(label, {}).get(stream, {})
                row[f"{stream}_denials"] = int(found.get("count", 0))
        claims = row["claims_adjudicated"]
        if claims < minimum:
            for key in RATE_KEYS:
                if key in row:
                    row[key] = None
            row["data"] = f"{NOT_ENOUGH} ({claims:,} of {minimum:,} claims)"
        else:
            row["data"] = "ok"
        rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One period (or group) of a trend: counts always, rates only with enough claims."""

    by: str  # month, quarter, payer ...: the name of ``period`` in the JSON
    period: str
    claims_adjudicated: int
    initial_denials: int
    initial_denial_rate: Decimal | None
    initial_denial_rate_charges: Decimal | None
    initial_denial_rate_trailing3: Decimal | None  # by month only
    stream_denials: dict[str, int] = field(default_factory=dict)  # streams in scope
    data: str = "ok"  # or "not enough data (n of m claims)"

    @property
    def enough_data(self) -> bool:
        return self.data == "ok"

    def to_dict(self) -> dict[str, Any]:
        """The documented row of ``report trends``."""
        row: dict[str, Any] = {
            self.by: self.period,
            "claims_adjudicated": self.claims_adjudicated,
            "initial_denials": self.initial_denials,
            "initial_denial_rate": self.initial_denial_rate,
            "initial_denial_rate_charges": self.initial_denial_rate_charges,
        }
        if self.by == "month":
            row["initial_denial_rate_trailing3"] = self.initial_denial_rate_trailing3
        row.update({f"{stream}_denials": n for stream, n in self.stream_denials.items()})
        row["data"] = self.data
        return row


def trend_points(
    session: Session,
    *,
    filters: Filters = kpis.NO_FILTERS,
    by: str = "month",
    min_claims: int | None = None,
) -> list[TrendPoint]:
    """:func:`trend_rows` as typed points."""
    return [
        TrendPoint(
            by=by,
            period=str(row[by]),
            claims_adjudicated=row["claims_adjudicated"],
            initial_denials=row["initial_denials"],
            initial_denial_rate=row["initial_denial_rate"],
            initial_denial_rate_charges=row["initial_denial_rate_charges"],
            initial_denial_rate_trailing3=row.get("initial_denial_rate_trailing3"),
            stream_denials={
                s: row[f"{s}_denials"] for s in DENIAL_STREAMS if f"{s}_denials" in row
            },
            data=row["data"],
        )
        for row in trend_rows(session, filters=filters, by=by, min_claims=min_claims)
    ]
