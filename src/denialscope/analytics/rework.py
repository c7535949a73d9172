"""Cost of reworking denials, and appeal outcomes, for the claims in scope.

Rework cost per claim of a stream = Σ of its touches × the cost of one item of the touched
queue, from the work queue's own ``work_cost`` configuration (:mod:`denialscope.workqueue.
costs`), so the queue ranking and this report use one set of rates. A reworked claim is a
claim with at least one denial of the stream on its initial adjudication.

The appeal KPIs (:func:`appeal_summary`) are the only implementation of the overturn rate:
the work queue, ``report kpis`` and the governance report all read it. Appeal volume =
appeals sent or decided; the days from denial to appeal need a recorded submission date, so
they are None when the history has none.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort, group_label
from denialscope.analytics.results import Rate, to_decimal
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.workqueue.costs import WorkCost

if TYPE_CHECKING:
    from denialscope.settings import Settings
    from denialscope.workqueue.config import WorkqueueConfig

__all__ = [
    "ReworkConfig",
    "appeal_summary",
    "load_rework_config",
    "no_appeals",
    "rework_costs",
]

CENT = Decimal("0.01")
RESOLVED = ("overturned", "partially_overturned", "upheld")

# The rework rates are the work queue's: one configuration (workqueue/costs.py).
ReworkConfig = WorkCost


def load_rework_config(*, settings: Settings | None = None) -> WorkCost:
    """The ``work_cost`` section of the work-queue configuration (defaults.yaml, with the
    ``workqueue.yaml`` of the data directory of ``settings`` laid over it when it exists)."""
    from denialscope.workqueue.config import load_workqueue_config

    return load_workqueue_config(settings=settings).work_cost


def rework_costs(
    denials: dict[str, dict[str, dict[str, Decimal]]], config: WorkCost
) -> dict[str, dict[str, Any]]:
    """Per group (from :func:`kpis.denials_by_stream`): rework cost per claim and in total."""
    out: dict[str, dict[str, Any]] = {}
    for label, streams in denials.items():
        per_claim = {s: config.cost_per_claim(s) for s in DENIAL_STREAMS if s in streams}
        counts = {s: streams[s]["count"] for s in per_claim}
        costs = {s: (counts[s] * per_claim[s]).quantize(CENT) for s in per_claim}
        out[label] = {
            "cost_per_reworked_claim": per_claim,
            "reworked_claims": counts,
            "rework_cost": costs,
            "total_cost": sum(costs.values(), Decimal(0)),
        }
    return out


APPEAL_ACTIONS: Final = ("appeal_level_1", "appeal_level_2", "external_review")
NO_RECOVERY_ACTIONS: Final = ("write_off", "bill_patient")


@dataclass(slots=True)
class _Appeals:
    volume: int = 0  # appeals sent or decided
    decided: int = 0
    open: int = 0
    won: int = 0
    won_partly: int = 0
    at_risk_net: Decimal = Decimal(0)
    recovered_net: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    corrections: int = 0
    corrections_paid: int = 0
    corrections_recovered_net: Decimal = Decimal(0)
    cycle: list[int] = field(default_factory=list)
    to_appeal: list[int] = field(default_factory=list)
    to_resolution: list[int] = field(default_factory=list)


def _mean(values: list[int]) -> Decimal | None:
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1")) if values else None


def _per(amount: Decimal, count: int) -> Decimal | None:
    return (amount / count).quantize(CENT) if count else None


def _days(later: dt.date | None, earlier: dt.date | None) -> int | None:
    return (later - earlier).days if later is not None and earlier is not None else None


def pursued_action(config: Any, row: Any) -> str | None:
    """What was done about the denial: the person's choice, else the decision tree's first
    recommendation (an outcome replaces the item's recommendation with the next step, so
    the first one is asked again of the tree rather than read from the item)."""
    from denialscope.workqueue.decision import recommend

    if row.action:
        return str(row.action)
    if row.outcome is None:
        return row.recommended_action  # type: ignore[no-any-return]
    return recommend(
        config,
        root_cause=row.root_cause,
        dollars_at_risk=to_decimal(row.dollars_at_risk),
        denial_type=row.denial_type,
    ).action


def appeal_summary(
    session: Session,
    *,
    filters: Filters,
    by: str | None = None,
    claim_net: dict[int, tuple[Decimal, Decimal]] | None = None,
    workqueue: WorkqueueConfig | None = None,
) -> dict[str, dict[str, Any]]:
    """Per group: the one overturn rate (HFMA), open appeals, corrections, cost and cycle time.

    An **appeal** is a work item whose pursued action is an appeal (level 1, 2 or external
    review). It is **decided** when the payer answered (outcome overturned, partially
    overturned or upheld) and **open** otherwise. overturn rate = appeals paid in full or in
    part ÷ decided appeals, by count and by net dollars (recovered net ÷ denied net of the
    decided appeals; an appeal overturned in full recovers 100%). A **correction** is a
    resubmission (eligibility, COB, registration, coding or billing fixes) or a payer
    reprocessing (paid again while the tree had given up on recovery): counted apart.
    ``claim_net`` maps claim id -> (denied net, recovered net) from
    :func:`denialscope.analytics.netbasis.net_basis` (computed when not given);
    ``workqueue``: the work-queue configuration (default: the shipped one).
    """
    from denialscope.workqueue.config import load_workqueue_config

    if claim_net is None:
        from denialscope.analytics.netbasis import net_basis

        claim_net = {}
        for group in net_basis(session, filters=filters).values():
            claim_net.update(group.claims)
    rows = appeal_rows(session, filters=filters, by=by)
    return appeal_kpis_of(
        rows, by=by, claim_net=claim_net, workqueue=workqueue or load_workqueue_config()
    )


def appeal_rows(session: Session, *, filters: Filters, by: str | None = None) -> list[Any]:
    """The work items of the claims in scope (of the filter's stream, when one is set), with
    the cohort's group key: what :func:`appeal_kpis_of` adds up. A caller wanting every
    stream's figures reads them once and splits them by ``row.stream``."""
    from denialscope.workqueue.models import WorkItem

    cohort = claim_cohort(filters, by=by)
    query = select(
        cohort.c.grp,
        WorkItem.claim_id,
        WorkItem.stream,
        WorkItem.queue,
        WorkItem.root_cause,
        WorkItem.denial_type,
        WorkItem.action,
        WorkItem.recommended_action,
        WorkItem.outcome,
        WorkItem.dollars_at_risk,
        WorkItem.recovered_amount,
        WorkItem.cycle_days,
        WorkItem.denied_on,
        WorkItem.submitted_on,
        WorkItem.resolved_on,
    ).join(WorkItem, WorkItem.claim_id == cohort.c.claim_id)
    if filters.stream:
        query = query.where(WorkItem.stream == filters.stream)
    return list(session.execute(query))


def appeal_kpis_of(
    rows: list[Any],
    *,
    by: str | None,
    claim_net: dict[int, tuple[Decimal, Decimal]],
    workqueue: WorkqueueConfig,
) -> dict[str, dict[str, Any]]:
    """:func:`appeal_summary`'s figures per group from :func:`appeal_rows`."""
    from denialscope.workqueue.priority import work_cost

    config = workqueue
    groups: dict[str, _Appeals] = defaultdict(_Appeals)
    for row in rows:
        g = groups[group_label(by, row.grp)]
        pursued = pursued_action(config, row)
        decided = row.outcome in RESOLVED
        paid = row.outcome in ("overturned", "partially_overturned")
        # Without a net figure (a claim outside the initial-denial cohort) the item's own
        # amounts stand in.
        denied_net, recovered_net = claim_net.get(
            row.claim_id,
            (to_decimal(row.dollars_at_risk), to_decimal(row.recovered_amount)),
        )
        if row.outcome == "overturned":
            recovered_net = denied_net
        elif not paid:
            recovered_net = Decimal(0)
        if pursued not in APPEAL_ACTIONS:
            if pursued == "resubmit" or (paid and pursued in NO_RECOVERY_ACTIONS):
                g.corrections += 1
                g.corrections_paid += paid
                g.corrections_recovered_net += recovered_net
            continue
        if row.submitted_on is not None or decided:
            g.volume += 1
        days = _days(row.submitted_on, row.denied_on)
        if days is not None:
            g.to_appeal.append(days)
        if not decided:
            g.open += 1
            continue
        g.decided += 1
        g.won += paid
        g.won_partly += row.outcome == "partially_overturned"
        g.at_risk_net += denied_net
        g.recovered_net += recovered_net
        g.cost += work_cost(config, row.queue)
        if row.cycle_days is not None:
            g.cycle.append(int(row.cycle_days))
        days = _days(row.resolved_on, row.denied_on)
        if days is not None:
            g.to_resolution.append(days)
    return {label: _appeal_kpis(g) for label, g in groups.items()}


def no_appeals() -> dict[str, Any]:
    """The appeal KPIs of a group without any work item."""
    return _appeal_kpis(_Appeals())


def _appeal_kpis(g: _Appeals) -> dict[str, Any]:
    return {
        "volume": g.volume,
        "worked": g.decided,  # appeals with a final decision: the overturn rate's denominator
        "open": g.open,
        "overturned": g.won,
        "overturned_partly": g.won_partly,
        "overturn_rate": {
            "count": Rate(Decimal(g.won), Decimal(g.decided)).value,
            "net": Rate(g.recovered_net, g.at_risk_net).value,
        },
        "denied_net_decided": g.at_risk_net,
        "recovered_net": g.recovered_net,
        "recovery_per_worked": _per(g.recovered_net, g.decided),
        "cost_per_worked": _per(g.cost, g.decided),
        "mean_cycle_days": _mean(g.cycle),
        "mean_days_denial_to_appeal": _mean(g.to_appeal),
        "mean_days_denial_to_resolution": _mean(g.to_resolution),
        "corrections": {
            "items": g.corrections,
            "paid": g.corrections_paid,
            "recovered_net": g.corrections_recovered_net,
        },
    }
