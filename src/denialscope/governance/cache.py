"""The quarterly governance report and the events analysis, kept while nothing they read
has changed.

The report gathers a Pareto per stream and per payer, trends and the scorecard: seconds on a
large database, and the governance page (with its JSON twin and downloads) asks for it on
every view. The figures change only when the data, the plans or the organization's
configuration change, so the report is kept per process, keyed by what it reads:

* the data's fingerprint (:func:`denialscope.analytics.cube.fingerprint`: new claims,
  remittances, classification changes, mappings, departments);
* the action plans (their count, newest id and last update);
* the quarter asked for, ``min_claims``, the configuration files' modification times, and
  the calendar day (a plan is judged against its due date).

The events page (every registered event's before/after analysis and the CUSUM alerts) is
kept the same way, keyed by the data's fingerprint, the registered events and its scope.
Twenty users opening a page at once compute it once: the others wait for that result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters
from denialscope.analytics.cube import fingerprint
from denialscope.analytics.events import impacts_of_registered, list_events
from denialscope.analytics.figure_cache import FigureCache
from denialscope.analytics.models import ChangeEvent
from denialscope.analytics.monitor import Across, Alert, Level, cusum_alerts
from denialscope.governance.models import ActionPlan
from denialscope.governance.report import governance_report
from denialscope.governance.report_types import GovernanceReport

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "EventAnalysis",
    "cached_event_analysis",
    "cached_governance_report",
    "clear_governance_cache",
]

KEPT: Final = 16  # reports kept (quarters × databases); the oldest is dropped first
Key = tuple[str, ...]
T = TypeVar("T")

_cache = FigureCache(max_entries=KEPT)


def _mtime(path: object) -> str:
    try:
        return str(path.stat().st_mtime_ns)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return "-"  # no such file: the shipped defaults


def _key(session: Session, quarter: str | None, settings: Settings) -> Key:
    plans = session.execute(
        select(func.count(), func.max(ActionPlan.id), func.max(ActionPlan.updated_at))
    ).one()
    files = (settings.classification_file, settings.workqueue_file)
    return (
        settings.database_url,
        quarter or "",
        str(settings.min_claims),
        fingerprint(session),
        "|".join(str(part) for part in plans),
        *(_mtime(path) for path in files),
        dt.date.today().isoformat(),
    )


def _kept(key: Key, compute: Callable[[], T]) -> T:
    """The value kept under ``key``, else ``compute()`` once (concurrent callers wait); the
    key holds every version part, so the cache's own version is constant."""
    return _cache.get(key, "", compute)


def cached_governance_report(
    session: Session, *, quarter: str | None, settings: Settings
) -> GovernanceReport:
    """:func:`~denialscope.governance.report.governance_report` of ``quarter`` (None = the
    latest complete one), computed again only when something it reads changed."""
    key = ("governance", *_key(session, quarter, settings))
    return _kept(key, lambda: governance_report(session, quarter=quarter, settings=settings))


@dataclass(frozen=True, slots=True)
class EventAnalysis:
    """The events page's figures: each registered event's before/after analysis (with the
    event's own fields) and the CUSUM alerts."""

    events: tuple[dict[str, Any], ...]
    alerts: tuple[Alert, ...]


def cached_event_analysis(
    session: Session,
    *,
    filters: Filters,
    level: Level,
    across: Across,
    window_days: int | None,
    database_url: str,
) -> EventAnalysis:
    """``report events`` and ``report alerts`` for one scope, kept while the data and the
    registered events are unchanged."""
    registered = session.execute(
        select(func.count(), func.max(ChangeEvent.id), func.max(ChangeEvent.created_at))
    ).one()
    key = (
        "events", database_url, repr(filters), level, across, str(window_days),
        fingerprint(session), "|".join(str(part) for part in registered),
    )  # fmt: skip

    def compute() -> EventAnalysis:
        fields = {event.id: event.to_dict() for event in list_events(session)}
        impacts = impacts_of_registered(
            session=session, payer=filters.payer, window_days=window_days
        )
        alerts = cusum_alerts(session, filters=filters, level=level, across=across)
        return EventAnalysis(
            events=tuple({**fields[i.event_id or 0], **i.to_dict()} for i in impacts),
            alerts=tuple(alerts),
        )

    return _kept(key, compute)


def clear_governance_cache() -> None:
    """Forget every kept report (tests)."""
    _cache.clear()
