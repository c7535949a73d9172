"""Trends: the initial denial rate and each stream's denials, period by period."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.cohort import Filters
from denialscope.analytics.results import Rate
from denialscope.classify.taxonomy import DENIAL_STREAMS

__all__ = ["trend_rows"]


def trend_rows(
    session: Session, *, filters: Filters = kpis.NO_FILTERS, by: str = "month"
) -> list[dict[str, Any]]:
    """One row per period (or group): claims, denials, rates, denials per stream."""
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
            "initial_denial_rate_dollars": Rate(t["charges_denied"], t["charges_remitted"]).value,
        }
        if by == "month":
            rate = trailing.get(label)
            row["initial_denial_rate_trailing3"] = rate.value if rate else None
        for stream in DENIAL_STREAMS:
            if filters.stream in (None, stream):
                found = streams.get(label, {}).get(stream, {})
                row[f"{stream}_denials"] = int(found.get("count", 0))
        rows.append(row)
    return rows
