"""Denial analytics: KPIs, Pareto, case-mix-adjusted departments, change events, monitors.

Every metric is a typed function over a SQLAlchemy session; the CLI (``denialscope report``)
and the dashboard call the same functions. See docs/analytics.md for each formula.
"""

from __future__ import annotations

from denialscope.analytics.cohort import GROUP_FIELDS, Filters
from denialscope.analytics.results import Rate, jsonable
from denialscope.analytics.summary import kpi_report

__all__ = ["GROUP_FIELDS", "Filters", "Rate", "jsonable", "kpi_report"]
