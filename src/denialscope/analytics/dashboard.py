"""The leaders' dashboard and the Pareto on both dollar bases, as the web pages call them.

Nothing here computes a KPI a second way: the dashboard is :func:`kpi_summary` (the same
report as ``report kpis``), the stream rates are :func:`kpis.initial_denial_rate` with the
stream filter (docs/analytics.md: with a stream, a denial is "at least one denial adjustment
of that stream on the initial adjudication"), the appeal outcomes are
:func:`rework.appeal_summary` per stream, the trend is :func:`trends`; the Pareto is
:func:`pareto.pareto` (``report pareto``) with each cause's denied dollars also on the net
basis (each claim's denied amount of the cause × the claim's expected net reimbursement ratio
of :func:`netbasis.net_basis`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort
from denialscope.analytics.kpi_types import AppealKpis, KpiGroup
from denialscope.analytics.pareto import Measure, ParetoEntry, ParetoResult
from denialscope.analytics.results import to_decimal
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.remits.models import Adjustment

if TYPE_CHECKING:
    from denialscope.analytics.trends import TrendPoint
    from denialscope.settings import Settings

__all__ = [
    "Dashboard",
    "NetPareto",
    "StreamSummary",
    "dashboard",
    "filters_dict",
    "pareto_both_bases",
    "with_fields",
]

CENT: Final = Decimal("0.01")


def filters_dict(filters: Filters) -> dict[str, Any]:
    """The scope as a JSON-ready dict (dates as ISO strings), None fields left out."""
    out: dict[str, Any] = {}
    for name in Filters.__slots__:
        value = getattr(filters, name)
        if value is not None:
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def with_fields(filters: Filters, **changes: Any) -> Filters:
    """A copy of ``filters`` with some fields replaced."""
    values = {name: getattr(filters, name) for name in Filters.__slots__}
    values.update(changes)
    return Filters(**values)


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """One denial stream side by side with the others."""

    stream: str
    denied_claims: int  # claims with ≥1 denial of the stream on the initial adjudication
    denial_rate_count: Decimal | None  # those ÷ claims adjudicated
    denial_rate_charges: Decimal | None  # their gross charges ÷ adjudicated gross charges
    denied_charges: Decimal  # Σ the stream's denial adjustments (charges basis)
    denied_net: Decimal  # the same on the expected-net basis
    appeals: AppealKpis | None  # the stream's appeal outcomes (None: no appeal yet)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "denied_claims": self.denied_claims,
            "denial_rate": {"count": self.denial_rate_count, "charges": self.denial_rate_charges},
            "denied_charges": self.denied_charges,
            "denied_net": self.denied_net,
            "appeals": None if self.appeals is None else self.appeals.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The KPI report of the scope, each stream's figures, and the monthly trend."""

    scope: Filters
    kpis: KpiGroup | None  # None: no claim in scope
    streams: list[StreamSummary]
    trend: list[TrendPoint]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": filters_dict(self.scope),
            "kpis": None if self.kpis is None else self.kpis.to_dict(),
            "streams": [s.to_dict() for s in self.streams],
            "trend": [p.to_dict() for p in self.trend],
        }


def dashboard(*, session: Session, settings: Settings, filters: Filters) -> Dashboard:
    """Every figure of the dashboard for ``filters`` (a stream filter narrows to that stream's
    column). The cube is refreshed first (flushed; the caller commits)."""
    from denialscope.analytics import kpis
    from denialscope.analytics.netbasis import net_basis
    from denialscope.analytics.rework import appeal_kpis_of, appeal_rows
    from denialscope.analytics.service import kpi_summary, trends
    from denialscope.workqueue.config import load_workqueue_config

    # One net-basis pass gives every stream's (denied net, recovered net) per claim: what
    # appeal_summary would compute for itself, once per stream, with the stream's filter;
    # without a stream filter it is also the KPI report's own (the slowest figure: once).
    unstreamed = net_basis(session, filters=with_fields(filters, stream=None))
    report = kpi_summary(
        session=session,
        settings=settings,
        filters=filters,
        net=unstreamed if filters.stream is None else None,
    )
    group = report.groups.get("all")
    workqueue = load_workqueue_config(settings=settings)
    per_claim: dict[int, dict[str, tuple[Decimal, Decimal]]] = {}
    for net_group in unstreamed.values():
        per_claim.update(net_group.claim_streams)
    # Every stream's rate and appeal rows from one query each (the same figures as each
    # stream's own filter, which would scan the cohort four times).
    rates_of = kpis.initial_denial_rate_per_stream(
        session, filters=with_fields(filters, stream=None)
    )
    rows = appeal_rows(session, filters=with_fields(filters, stream=None))
    streams: list[StreamSummary] = []
    for stream in DENIAL_STREAMS:
        if filters.stream not in (None, stream):
            continue
        rates = rates_of.get(stream)
        found = group.denials_by_stream.get(stream) if group is not None else None
        claim_net = {cid: nets[stream] for cid, nets in per_claim.items() if stream in nets}
        appeals = appeal_kpis_of(
            [row for row in rows if row.stream == stream],
            by=None,
            claim_net=claim_net,
            workqueue=workqueue,
        ).get("all")
        streams.append(
            StreamSummary(
                stream=stream,
                denied_claims=int(found.count) if found is not None else 0,
                denial_rate_count=rates["count"].value if rates else None,
                denial_rate_charges=rates["charges"].value if rates else None,
                denied_charges=found.charges if found is not None else Decimal(0),
                denied_net=found.net if found is not None else Decimal(0),
                appeals=AppealKpis.of(appeals) if appeals else None,
            )
        )
    points = trends(session=session, filters=filters, by="month")
    return Dashboard(scope=filters, kpis=group, streams=streams, trend=points)


@dataclass(frozen=True, slots=True)
class NetPareto:
    """:func:`pareto.pareto` as ``report pareto`` gives it, with each entry's net dollars."""

    scope: Filters
    result: ParetoResult
    net: dict[tuple[str, str], Decimal]  # (root cause, stream) -> denied net

    def net_of(self, entry: ParetoEntry) -> Decimal:
        return self.net.get((entry.root_cause, entry.stream), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """``report pareto --format json``, each entry with ``dollars_net`` added."""
        document = self.result.to_dict()
        document["entries"] = [
            {**e.to_dict(), "dollars_net": self.net_of(e)} for e in self.result.entries
        ]
        document["scope"] = filters_dict(self.scope)
        return document


def _net_by_cause(session: Session, filters: Filters) -> dict[tuple[str, str], Decimal]:
    from denialscope.analytics.netbasis import net_basis

    ratios: dict[int, Decimal] = {}
    for group in net_basis(session, filters=filters, per_claim_only=True).values():
        ratios.update(group.claim_ratios)
    cohort = claim_cohort(with_fields(filters, stream=None))
    query = (
        select(
            cohort.c.claim_id,
            Adjustment.root_cause,
            Adjustment.stream,
            func.sum(Adjustment.amount).label("dollars"),
        )
        .join(Adjustment, Adjustment.claim_payment_id == cohort.c.payment_id)
        .where(Adjustment.is_denial.is_(True))
        .group_by(cohort.c.claim_id, Adjustment.root_cause, Adjustment.stream)
    )
    if filters.stream:
        query = query.where(Adjustment.stream == filters.stream)
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in session.execute(query):
        ratio = ratios.get(row.claim_id)
        if ratio is None:  # a claim the net basis leaves out (a duplicate): no net at risk
            continue
        key = (row.root_cause or "unclassified", row.stream or "none")
        out[key] += (to_decimal(row.dollars) * ratio).quantize(CENT, ROUND_HALF_UP)
    return dict(out)


def pareto_both_bases(
    *,
    session: Session,
    filters: Filters,
    target: Decimal = Decimal("0.8"),
    measure: Measure = "count",
) -> NetPareto:
    """The Pareto of root causes in scope (``report pareto``) with net dollars per cause."""
    from denialscope.analytics.pareto import pareto

    result = pareto(session, filters=filters, target=target, measure=measure)
    return NetPareto(scope=filters, result=result, net=_net_by_cause(session, filters))
