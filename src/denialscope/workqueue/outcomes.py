"""Outcomes from later remittances, and the ranking they feed.

A later 835 for a denied claim (after an appeal or a corrected claim) closes its item:
paid -> overturned (or partially overturned when it is still partly denied), denied again
with nothing recovered -> upheld, and the decision tree then says whether the next level is
worth it. Every outcome counts in P(recovery) for its root cause and payer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.db.change_marks import mark_change
from denialscope.orgs.models import Payer
from denialscope.remits.models import ClaimPayment
from denialscope.workqueue.config import WorkqueueConfig, load_workqueue_config
from denialscope.workqueue.decision import ACTION_LEVELS, Recommendation, recommend
from denialscope.workqueue.models import OPEN_STATUSES, WorkItem, WorkItemEvent
from denialscope.workqueue.priority import (
    OutcomeCounts,
    Recovery,
    deadline_for,
    payer_windows,
    priority_score,
    recovery_probability,
    work_cost,
)
from denialscope.workqueue.safety import after_deadline, guard_patient_billing

# The appeal KPIs (overturn rate, recovery and cost per worked appeal) have one
# implementation: denialscope.analytics.rework.appeal_summary.
__all__ = [
    "apply_outcomes",
    "data_as_of",
    "outcome_history",
    "refresh_priorities",
]

_ZERO = Decimal(0)


def data_as_of(session: Session) -> dt.date:
    """The newest adjudication date loaded: "today" for deadlines in a loaded history."""
    newest = session.scalar(select(func.max(ClaimPayment.adjudicated_at)))
    return newest or dt.date.today()


def outcome_history(session: Session) -> dict[tuple[str, int | None], OutcomeCounts]:
    """Recovered and lost denials by (root cause, payer): what P(recovery) learns from."""
    history: dict[tuple[str, int | None], OutcomeCounts] = defaultdict(OutcomeCounts)
    # Counted by the database: ingest calls this once per file, and a Python loop over every
    # decided item would make a small file's cost grow with the whole history.
    totals = session.execute(
        select(WorkItem.root_cause, WorkItem.payer_id, WorkItem.outcome, func.count())
        .where(WorkItem.outcome.in_(("overturned", "upheld")))
        .group_by(WorkItem.root_cause, WorkItem.payer_id, WorkItem.outcome)
    )
    for root_cause, payer_id, outcome, number in totals:
        counts = history[(root_cause, payer_id)]
        if outcome == "overturned":
            counts.won += Decimal(number)
        else:
            counts.lost += Decimal(number)
    rows = session.execute(
        select(
            WorkItem.root_cause,
            WorkItem.payer_id,
            WorkItem.recovered_amount,
            WorkItem.dollars_at_risk,
        ).where(WorkItem.outcome == "partially_overturned")
    )
    for root_cause, payer_id, recovered, at_risk in rows:
        counts = history[(root_cause, payer_id)]
        share = min(Decimal(1), (recovered or _ZERO) / at_risk) if at_risk else _ZERO
        counts.won += share
        counts.lost += 1 - share
    return dict(history)


def _open_items(session: Session, claim_ids: Sequence[int] | None) -> Iterator[WorkItem]:
    # Upheld items stay in: the next level's window runs from the decision that upheld them.
    query = select(WorkItem).where(
        or_(WorkItem.status.in_(OPEN_STATUSES), WorkItem.outcome == "upheld")
    )
    if claim_ids is None:
        yield from session.scalars(query)
        return
    ordered = sorted(set(claim_ids))
    for start in range(0, len(ordered), 500):
        yield from session.scalars(query.where(WorkItem.claim_id.in_(ordered[start : start + 500])))


def refresh_priorities(
    session: Session,
    *,
    config: WorkqueueConfig | None = None,
    as_of: dt.date,
    claim_ids: Sequence[int] | None = None,
    appeal_model: Callable[[WorkItem], Recovery | None] | None = None,
) -> int:
    """Recompute P(recovery), expected net, deadline and priority of the open items (of
    ``claim_ids``, or every one). ``appeal_model`` (denialscope.predict.appeal) estimates
    P(recovery) from decided appeals; None, or no estimate: the Beta-binomial."""
    config = config or load_workqueue_config()
    history = outcome_history(session)
    payers = {p.id: p for p in session.scalars(select(Payer))}
    count = 0
    for item in _open_items(session, claim_ids):
        payer = payers.get(item.payer_id) if item.payer_id else None
        windows = payer_windows(
            config,
            payer_kind=item.payer_kind or (payer.kind if payer else None),
            payer_code=payer.payer_id if payer else None,
        )
        if item.status == "resolved":
            # Upheld: the next level's window runs from the decision, not the first denial.
            _expire_recommendation(session, item, windows, item.resolved_on, as_of)
            continue
        _expire_recommendation(session, item, windows, item.denied_on, as_of)
        action = item.action or item.recommended_action
        level = ACTION_LEVELS.get(action or "", item.appeal_level)
        recovery = recovery_probability(
            config,
            root_cause=item.root_cause,
            stream=item.stream,
            payer_key=item.payer_id,
            level=level,
            history=history,
            model_estimate=appeal_model(item) if appeal_model else None,
        )
        deadline = deadline_for(
            action, windows=windows, denied_on=item.denied_on, service_date=item.service_date
        )
        if action in ("write_off", "bill_patient", "reopening"):
            expected = _ZERO  # nothing to win from the payer; the work is a short close-out
        else:
            expected = recovery.probability * item.dollars_at_risk - work_cost(config, item.queue)
        item.p_recovery = recovery.probability
        item.p_basis = recovery.basis[:300]
        item.expected_net = expected.quantize(Decimal("0.01"))
        item.deadline = deadline.date
        item.deadline_kind = deadline.kind
        item.priority = priority_score(
            config, expected_net=item.expected_net, deadline=deadline.date, as_of=as_of
        )
        count += 1
    if count:
        # Priorities and deadlines rewritten in place, without a history event: the queue's
        # kept pages see it by this mark (db.change_marks).
        mark_change(session, "priorities")
    session.flush()
    return count


def _expire_recommendation(
    session: Session,
    item: WorkItem,
    windows: dict[str, int],
    anchor: dt.date | None,
    as_of: dt.date,
) -> None:
    """An appeal recommended past its window becomes a reopening or a write-off (noted)."""
    chosen = item.action is not None and item.status != "resolved"
    if chosen or item.recommended_action is None:
        # A person chose for this level (the letter refuses a late appeal on its own); after
        # an upheld decision the recommendation for the next level is the system's again.
        return
    current = Recommendation(item.recommended_action, item.recommended_reason or "")
    deadline = deadline_for(
        current.action, windows=windows, denied_on=anchor, service_date=item.service_date
    )
    safer = after_deadline(
        current, deadline=deadline.date, as_of=as_of, windows=windows, denied_on=anchor
    )
    if safer.action != current.action:
        item.recommended_action = safer.action
        item.recommended_reason = safer.reason[:300]
        _event(session, item, "recommendation", f"{safer.action}: {safer.reason}")


def _event(session: Session, item: WorkItem, kind: str, detail: str) -> None:
    session.add(WorkItemEvent(work_item_id=item.id, actor="system", kind=kind, detail=detail))


def apply_outcomes(
    session: Session,
    *,
    config: WorkqueueConfig | None = None,
    as_of: dt.date | None = None,
    claim_ids: Sequence[int] | None = None,
) -> int:
    """Close items that a later remittance decided (of ``claim_ids``, or of every claim); the
    number of items closed or updated."""
    config = config or load_workqueue_config()
    query = select(WorkItem).where(
        or_(WorkItem.status.in_(OPEN_STATUSES), WorkItem.outcome == "upheld")
    )
    if claim_ids is None:
        items = list(session.scalars(query))
    else:
        ordered = sorted(set(claim_ids))
        items = [
            item
            for start in range(0, len(ordered), 500)
            for item in session.scalars(
                query.where(WorkItem.claim_id.in_(ordered[start : start + 500]))
            )
        ]
    if not items:
        return 0
    by_claim: dict[int, list[ClaimPayment]] = defaultdict(list)
    item_claims = [item.claim_id for item in items]
    for start in range(0, len(item_claims), 500):
        payments_query = (
            select(ClaimPayment)
            .where(ClaimPayment.claim_id.in_(item_claims[start : start + 500]))
            .order_by(ClaimPayment.claim_id, ClaimPayment.seq, ClaimPayment.id)
        )
        for payment in session.scalars(payments_query):
            assert payment.claim_id is not None
            by_claim[payment.claim_id].append(payment)
    changed = 0
    for item in items:
        payments = by_claim.get(item.claim_id, [])
        seq_of = {p.id: p.seq for p in payments}
        denial = next((p for p in payments if p.id == item.denial_payment_id), None)
        anchor = seq_of.get(item.resolved_payment_id or item.denial_payment_id)
        if denial is None or anchor is None:
            continue
        reversed_ids = {p.reverses_payment_id for p in payments if p.reverses_payment_id}
        later = [
            p for p in payments if p.seq > anchor and not p.is_reversal and p.id not in reversed_ids
        ]
        if not later:
            continue
        latest = later[-1]
        recovered = max(_ZERO, (latest.paid or _ZERO) - (denial.paid or _ZERO))
        if latest.is_denial and recovered == 0:
            outcome = "upheld"
        elif latest.is_denial:
            outcome = "partially_overturned"
        else:
            outcome = "overturned"
        _close(session, item, latest, outcome, recovered, config)
        changed += 1
    session.flush()
    if changed:
        refresh_priorities(
            session, config=config, as_of=as_of or data_as_of(session), claim_ids=claim_ids
        )
    return changed


def _close(
    session: Session,
    item: WorkItem,
    payment: ClaimPayment,
    outcome: str,
    recovered: Decimal,
    config: WorkqueueConfig,
) -> None:
    payer = session.get(Payer, item.payer_id) if item.payer_id else None
    payer_kind = item.payer_kind or (payer.kind if payer else None)
    item.status = "resolved"
    item.outcome = outcome
    item.resolved_payment_id = payment.id
    item.resolved_on = payment.adjudicated_at or dt.date.today()
    item.recovered_amount = recovered
    if item.denied_on is not None:
        item.cycle_days = (item.resolved_on - item.denied_on).days
    detail = f"{outcome} by claim payment {payment.id}: recovered {recovered}"
    if item.cycle_days is not None:
        detail += f" in {item.cycle_days} days"
    if outcome == "upheld":
        upheld_level = max(item.appeal_level, 1)
        choice = recommend(
            config,
            root_cause=item.root_cause,
            dollars_at_risk=item.dollars_at_risk,
            upheld_level=upheld_level,
            denial_type=item.denial_type,
            payer_kind=payer_kind,
        )
        claim = session.get(Claim, item.claim_id)
        if claim is not None:
            choice = guard_patient_billing(choice, payment, claim)
        item.recommended_action = choice.action
        item.recommended_reason = choice.reason[:300]
        detail += f"; next: {choice.action} ({choice.reason})"
    _event(session, item, "outcome", detail)
