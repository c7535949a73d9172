"""Analytics services as interfaces call them: the scope, the KPI report, trends.

(The events loop is :func:`denialscope.analytics.events.impacts_of_registered`.)

The metric functions (:mod:`~denialscope.analytics.kpis`, :mod:`~denialscope.analytics.pareto`
...) compute one thing each; the services here add what every caller would otherwise repeat:
validating the scope, bringing the summary cube up to date before the figures that read it
(refreshed here, by the service that needs it; flushed, the caller commits), and the
organization's configuration (documentation-driven root causes, labor rates) from the
:class:`~denialscope.settings.Settings`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters
from denialscope.analytics.cube import cube_is_fresh, refresh_cube
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.errors import InputError

if TYPE_CHECKING:
    from denialscope.analytics.kpi_types import KpiReport
    from denialscope.analytics.netbasis import NetGroup
    from denialscope.analytics.trends import TrendPoint
    from denialscope.settings import Settings

__all__ = [
    "documentation_causes",
    "kpi_groups_configured",
    "kpi_summary",
    "refresh_if_stale",
    "scope_filters",
    "trends",
]


def _date(value: str | dt.date | None, option: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def scope_filters(
    *,
    payer: str | None = None,
    stream: str | None = None,
    department: str | None = None,
    service_line: str | None = None,
    facility: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    payer_kind: str | None = None,
) -> Filters:
    """The scope of a report, checked: a known denial stream and payer kind, ISO dates
    (InputError)."""
    from denialscope.orgs.models import PAYER_KINDS

    if stream is not None and stream not in DENIAL_STREAMS:
        raise InputError(f"--stream {stream!r}: use one of {', '.join(DENIAL_STREAMS)}")
    if payer_kind is not None and payer_kind not in PAYER_KINDS:
        raise InputError(f"payer kind {payer_kind!r}: use one of {', '.join(PAYER_KINDS)}")
    return Filters(
        payer=payer,
        stream=stream,
        department=department,
        service_line=service_line,
        facility=facility,
        date_from=_date(date_from, "--from"),
        date_to=_date(date_to, "--to"),
        payer_kind=payer_kind,
    )


def refresh_if_stale(*, session: Session) -> bool:
    """Rebuild the summary cube when the stored data changed since it was built (flushes);
    True when it was rebuilt."""
    if cube_is_fresh(session):
        return False
    refresh_cube(session)
    session.flush()
    return True


def documentation_causes(*, settings: Settings) -> frozenset[str]:
    """Root causes the organization's classification marks documentation-driven.

    Parsing the classification YAML takes most of a second, and the web asks on every
    dashboard view: the answer is kept per version of the organization's file (its path,
    modification time and size), so an edited file is read again."""
    path = settings.classification_file
    try:
        found = path.stat()
    except OSError:
        return _documentation_causes(None)
    if not path.is_file():  # as load_config: only a file overrides the defaults
        return _documentation_causes(None)
    return _documentation_causes((str(path), found.st_mtime_ns, found.st_size))


@lru_cache(maxsize=16)
def _documentation_causes(version: tuple[str, int, int] | None) -> frozenset[str]:
    from denialscope.classify import load_config

    config = load_config([] if version is None else [version[0]])
    return frozenset(rc.id for rc in config.root_causes.values() if rc.documentation_driven)


def kpi_summary(
    *,
    session: Session,
    settings: Settings,
    filters: Filters,
    by: str | None = None,
    net: dict[str, NetGroup] | None = None,
) -> KpiReport:
    """Every KPI of docs/analytics.md per group ("all" without ``by``), with the
    organization's documentation-driven causes and labor rates; the cube is refreshed first.
    ``net``: the net basis of these filters and grouping, when the caller computed it."""
    refresh_if_stale(session=session)
    return kpi_groups_configured(
        session=session, settings=settings, filters=filters, by=by, net=net
    )


def kpi_groups_configured(
    *,
    session: Session,
    settings: Settings,
    filters: Filters,
    by: str | None = None,
    net: dict[str, NetGroup] | None = None,
) -> KpiReport:
    """:func:`kpi_summary` without the cube refresh: for a read-only session (Spark SQL,
    :mod:`denialscope.scale.spark_reports`), where the live queries answer."""
    from denialscope.analytics.kpi_types import KpiReport
    from denialscope.analytics.rework import load_rework_config
    from denialscope.analytics.summary import kpi_groups
    from denialscope.workqueue.config import load_workqueue_config

    groups = kpi_groups(
        session,
        filters=filters,
        by=by,
        documentation_causes=documentation_causes(settings=settings),
        rework=load_rework_config(settings=settings),
        workqueue=load_workqueue_config(settings=settings),
        net=net,
    )
    return KpiReport(by=by, groups=groups)


def trends(
    *, session: Session, filters: Filters, by: str = "month", min_claims: int | None = None
) -> list[TrendPoint]:
    """Initial denial rate and denials per stream per period; the cube is refreshed first."""
    from denialscope.analytics.periods import min_claims as configured_min_claims
    from denialscope.analytics.trends import trend_points

    minimum = configured_min_claims(min_claims)
    refresh_if_stale(session=session)
    return trend_points(session, filters=filters, by=by, min_claims=minimum)
