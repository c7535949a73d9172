"""The quarterly governance report, kept while nothing it reads has changed.

The report gathers a Pareto per stream and per payer, trends and the scorecard: seconds on a
large database, and the governance page (with its JSON twin and downloads) asks for it on
every view. The figures change only when the data, the plans or the organization's
configuration change, so the report is kept per process, keyed by what it reads:

* the data's fingerprint (:func:`denialscope.analytics.cube.fingerprint`: new claims,
  remittances, classification changes, mappings, departments);
* the action plans (their count, newest id and last update);
* the quarter asked for, ``min_claims``, the configuration files' modification times, and
  the calendar day (a plan is judged against its due date).

Twenty users opening the page at once compute it once: the others wait for that result.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cube import fingerprint
from denialscope.governance.models import ActionPlan
from denialscope.governance.report import governance_report
from denialscope.governance.report_types import GovernanceReport

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = ["cached_governance_report", "clear_governance_cache"]

KEPT: Final = 16  # reports kept (quarters × databases); the oldest is dropped first
Key = tuple[str, ...]

_reports: OrderedDict[Key, GovernanceReport] = OrderedDict()
_computing: dict[Key, threading.Lock] = {}
_guard = threading.Lock()


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


def cached_governance_report(
    session: Session, *, quarter: str | None, settings: Settings
) -> GovernanceReport:
    """:func:`~denialscope.governance.report.governance_report` of ``quarter`` (None = the
    latest complete one), computed again only when something it reads changed."""
    key = _key(session, quarter, settings)
    with _guard:
        if key in _reports:
            _reports.move_to_end(key)
            return _reports[key]
        lock = _computing.setdefault(key, threading.Lock())
    with lock:  # one computation per key; the others wait for it
        with _guard:
            if key in _reports:
                return _reports[key]
        report = governance_report(session, quarter=quarter, settings=settings)
        with _guard:
            _reports[key] = report
            while len(_reports) > KEPT:
                _reports.popitem(last=False)
            _computing.pop(key, None)
        return report


def clear_governance_cache() -> None:
    """Forget every kept report (tests)."""
    with _guard:
        _reports.clear()
        _computing.clear()
