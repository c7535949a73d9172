"""Action plans: create one with its baseline, update its status, measure its progress.

The measured value of a plan is one of three figures over the claims in the plan's scope
(payer, department, service line) whose cohort (submission) date lies in a period:

    count    claims with at least one denial of the root cause on their initial adjudication
    dollars  the denied amounts of that root cause on those adjudications
    rate     count ÷ claims adjudicated in the same scope and period

A period is ``PERIOD_MONTHS`` whole calendar months of submissions ending with the latest
month whose claims had ``ADJUDICATION_LAG_DAYS`` to get their first answer by the data's
"today" (the newest initial adjudication loaded) and in which every month holds enough
adjudicated claims (:mod:`denialscope.analytics.periods`): a month still waiting for most of
its remittances, or holding a few late claims, would look falsely good or bad. Baseline and
current values cover the same length of time, so they compare directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort
from denialscope.analytics.periods import (
    ADJUDICATION_LAG_DAYS,
    NoPeriodError,
    data_as_of,
    default_window,
)
from denialscope.analytics.results import RATE_PLACES, to_decimal
from denialscope.errors import InputError, NotFoundError
from denialscope.governance.models import METRICS, PLAN_STATUSES, ActionPlan
from denialscope.remits.models import Adjustment

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "ADJUDICATION_LAG_DAYS",
    "PERIOD_MONTHS",
    "PlanOverview",
    "PlanProgress",
    "complete_period",
    "create_plan",
    "governance_as_of",
    "list_plans",
    "measure",
    "plan_overview",
    "plan_progress",
    "update_plan",
]

PERIOD_MONTHS = 3
PLACES = {"count": Decimal(1), "dollars": Decimal("0.01"), "rate": RATE_PLACES}


def governance_as_of(session: Session) -> dt.date:
    """The data's "today": the newest initial adjudication loaded (today when none)."""
    return data_as_of(session)


def complete_period(as_of: dt.date, months: int = PERIOD_MONTHS) -> tuple[dt.date, dt.date]:
    """The ``months`` whole months ending with the last month complete on ``as_of`` minus
    the adjudication lag."""
    as_of = as_of - dt.timedelta(days=ADJUDICATION_LAG_DAYS)
    next_day = as_of + dt.timedelta(days=1)
    # as_of is the month's last day: that month is complete; else it ends the month before.
    end = as_of if next_day.month != as_of.month else as_of.replace(day=1) - dt.timedelta(days=1)
    year, month = end.year, end.month - months + 1
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), end


def _scope(plan_or_fields: Any, start: dt.date, end: dt.date) -> Filters:
    return Filters(
        payer=plan_or_fields.payer,
        department=plan_or_fields.department,
        service_line=plan_or_fields.service_line,
        date_from=start,
        date_to=end,
    )


def measure(session: Session, *, root_cause: str, metric: str, filters: Filters) -> Decimal:
    """The plan metric (count, dollars or rate) of one root cause over the cohort in scope."""
    if metric not in METRICS:
        raise InputError(f"unknown plan metric {metric!r}: use one of {', '.join(METRICS)}")
    cohort = claim_cohort(filters)
    caused = (
        select(
            func.count(func.distinct(cohort.c.claim_id)).label("claims"),
            func.sum(Adjustment.amount).label("dollars"),
        )
        .join(Adjustment, Adjustment.claim_payment_id == cohort.c.payment_id)
        .where(Adjustment.is_denial.is_(True), Adjustment.root_cause == root_cause)
    )
    row = session.execute(caused).one()
    if metric == "count":
        return to_decimal(row.claims)
    if metric == "dollars":
        return to_decimal(row.dollars).quantize(PLACES["dollars"])
    adjudicated = to_decimal(session.scalar(select(func.sum(cohort.c.remitted))))
    if not adjudicated:
        return Decimal(0)
    return (to_decimal(row.claims) / adjudicated).quantize(RATE_PLACES, ROUND_HALF_EVEN)


def _stream_of(session: Session, root_cause: str, settings: Settings | None) -> str:
    found = session.scalar(
        select(Adjustment.stream).where(Adjustment.root_cause == root_cause).limit(1)
    )
    if found is None:
        from denialscope.classify import load_config

        config = load_config(settings=settings)
        cause = config.root_causes.get(root_cause)
        if cause is None:
            raise InputError(f"unknown root cause {root_cause!r} (see `denialscope codes`)")
        found = str(getattr(cause, "stream", "none"))
    return found


def create_plan(
    session: Session,
    *,
    root_cause: str,
    owner_role: str,
    owner_name: str,
    metric: str,
    change_pct: Decimal,
    due_date: dt.date,
    payer: str | None = None,
    department: str | None = None,
    service_line: str | None = None,
    note: str = "",
    as_of: dt.date | None = None,
    settings: Settings | None = None,
) -> ActionPlan:
    """Register a plan; its baseline is the metric over the latest complete period (filled
    with ``settings.min_claims`` claims a month; without settings the shipped defaults)."""
    minimum = settings.min_claims if settings is not None else None
    if metric not in METRICS:
        raise InputError(f"--metric {metric!r}: use one of {', '.join(METRICS)}")
    if not Decimal(-100) <= change_pct <= Decimal(1000) or change_pct == 0:
        raise InputError(f"--change {change_pct}: give a non-zero percent, e.g. -40")
    today = as_of or governance_as_of(session)
    try:
        window = default_window(session, months=PERIOD_MONTHS, as_of=today, minimum=minimum)
    except NoPeriodError as error:
        raise NoPeriodError(f"cannot measure the plan's baseline: {error.message}") from None
    start, end = window.start, window.end
    plan = ActionPlan(
        root_cause=root_cause,
        stream=_stream_of(session, root_cause, settings),
        payer=payer,
        department=department,
        service_line=service_line,
        owner_role=owner_role,
        owner_name=owner_name,
        metric=metric,
        change_pct=change_pct,
        baseline_from=start,
        baseline_to=end,
        due_date=due_date,
        status="open",
        notes=note,
    )
    scope = _scope(plan, start, end)
    if not session.scalar(select(func.sum(claim_cohort(scope).c.remitted))):
        named = ", ".join(
            f"{k} {v}" for k, v in (("payer", payer), ("department", department),
                                   ("service line", service_line)) if v
        )  # fmt: skip
        raise NoPeriodError(
            f"cannot measure the plan's baseline: no adjudicated claims for {named or 'it'} "
            f"in {start} to {end}, the latest complete period; check the scope"
        )
    baseline = measure(session, root_cause=root_cause, metric=metric, filters=scope)
    plan.baseline_value = baseline
    plan.target_value = (baseline * (1 + change_pct / 100)).quantize(
        PLACES[metric], ROUND_HALF_EVEN
    )
    session.add(plan)
    session.flush()
    return plan


def list_plans(session: Session, *, include_dropped: bool = True) -> list[ActionPlan]:
    query = select(ActionPlan).order_by(ActionPlan.id)
    if not include_dropped:
        query = query.where(ActionPlan.status != "dropped")
    return list(session.scalars(query))


def update_plan(
    session: Session, plan_id: int, *, status: str | None = None, note: str | None = None
) -> ActionPlan:
    """Set the status and/or append a dated note."""
    plan = session.get(ActionPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"no action plan {plan_id}")
    if status is not None:
        if status not in PLAN_STATUSES:
            raise InputError(f"--status {status!r}: use one of {', '.join(PLAN_STATUSES)}")
        plan.status = status
    if note:
        stamp = dt.date.today().isoformat()
        plan.notes = f"{plan.notes}\n{stamp}: {note}".strip()
    session.flush()
    return plan


@dataclass(slots=True, frozen=True)
class PlanProgress:
    """Where a plan stands: current value vs baseline vs target, and whether it is on track.

    ``fraction`` is the share of the way from baseline to target already covered (1 = target
    reached; negative = moved the wrong way). ``expected`` is the share of the time from the
    baseline period's end to the due date already gone. On track = fraction ≥ expected.
    """

    plan_id: int
    period_from: dt.date
    period_to: dt.date
    baseline: Decimal
    current: Decimal
    target: Decimal
    fraction: Decimal | None
    expected: Decimal
    assessment: str  # target_met, on_track, behind, missed, no_baseline, no_data

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "period_from": self.period_from,
            "period_to": self.period_to,
            "baseline": self.baseline,
            "current": self.current,
            "target": self.target,
            "pct_of_way": None if self.fraction is None else self.fraction * 100,
            "time_elapsed_pct": self.expected * 100,
            "assessment": self.assessment,
        }


def plan_progress(
    session: Session,
    plan: ActionPlan,
    *,
    as_of: dt.date | None = None,
    min_claims: int | None = None,
) -> PlanProgress:
    """Measure the plan's metric over the latest complete period (filled with ``min_claims``
    claims a month, default 30) and compare."""
    today = as_of or governance_as_of(session)
    enough = True
    try:
        window = default_window(session, months=PERIOD_MONTHS, as_of=today, minimum=min_claims)
        start, end = window.start, window.end
        # No filled period since the baseline's: nothing new to judge the plan by.
        enough = end > plan.baseline_to
    except NoPeriodError:
        start, end = complete_period(today)  # measured, then judged "no_data" below
        enough = False
    current = measure(
        session, root_cause=plan.root_cause, metric=plan.metric, filters=_scope(plan, start, end)
    )
    adjudicated = session.scalar(
        select(func.sum(claim_cohort(_scope(plan, start, end)).c.remitted))
    )
    baseline, target = plan.baseline_value, plan.target_value
    reduce = plan.change_pct < 0
    span = (plan.due_date - plan.baseline_to).days
    gone = (today - plan.baseline_to).days
    expected = Decimal(1) if span <= 0 else max(Decimal(0), min(Decimal(1), Decimal(gone) / span))
    expected = expected.quantize(Decimal("0.0001"))
    fraction: Decimal | None = None
    if baseline != target:
        fraction = ((baseline - current) / (baseline - target)).quantize(Decimal("0.0001"))
    met = current <= target if reduce else current >= target
    if not adjudicated or not enough:
        # Nothing (or too little) adjudicated: a zero would look like success, judge nothing.
        assessment = "no_data"
    elif baseline == 0 and reduce:
        assessment = "no_baseline"
    elif met:
        assessment = "target_met"
    elif today > plan.due_date:
        assessment = "missed"
    elif fraction is not None and fraction >= expected:
        assessment = "on_track"
    else:
        assessment = "behind"
    return PlanProgress(
        plan_id=plan.id,
        period_from=start,
        period_to=end,
        baseline=baseline,
        current=current,
        target=target,
        fraction=fraction,
        expected=expected,
        assessment=assessment,
    )


@dataclass(slots=True, frozen=True)
class PlanOverview:
    """One plan as ``plan list`` and the web show it: who owns it, target, progress."""

    id: int
    root_cause: str
    stream: str
    payer: str | None
    department: str | None
    owner_role: str
    owner_name: str
    metric: str
    change_pct: Decimal
    due: dt.date
    status: str
    baseline: Decimal
    progress: PlanProgress
    notes: str

    def to_dict(self) -> dict[str, Any]:
        """The documented row of ``plan list --format json``."""
        progress = self.progress.to_dict()
        return {
            "id": self.id,
            "root_cause": self.root_cause,
            "stream": self.stream,
            "payer": self.payer,
            "department": self.department,
            "owner": f"{self.owner_name} ({self.owner_role})",
            "metric": self.metric,
            "change_pct": self.change_pct,
            "due": self.due,
            "status": self.status,
            "baseline": self.baseline,
            "current": progress["current"],
            "target": progress["target"],
            "pct_of_way": progress["pct_of_way"],
            "assessment": progress["assessment"],
            "notes": self.notes,
        }


def plan_overview(
    *, session: Session, as_of: dt.date | None = None, min_claims: int | None = None
) -> list[PlanOverview]:
    """Every plan with its progress over the latest complete period, by id."""
    return [
        PlanOverview(
            id=p.id,
            root_cause=p.root_cause,
            stream=p.stream,
            payer=p.payer,
            department=p.department,
            owner_role=p.owner_role,
            owner_name=p.owner_name,
            metric=p.metric,
            change_pct=p.change_pct,
            due=p.due_date,
            status=p.status,
            baseline=p.baseline_value,
            progress=plan_progress(session, p, as_of=as_of, min_claims=min_claims),
            notes=p.notes,
        )
        for p in list_plans(session)
    ]
