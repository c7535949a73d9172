"""Work-item services: create items from classified denials, rank, hand out, act, record.

The caller owns the transaction (services flush). ``next_item`` is the one exception in
spirit: it must commit soon after, since the claim on an item is only visible to other
workers once committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.errors import InputError, NotFoundError
from denialscope.orgs.models import Payer
from denialscope.orgs.payer_kinds import claim_payer_kind
from denialscope.remits.models import Adjustment, ClaimPayment, Remittance
from denialscope.workqueue.config import WorkqueueConfig, load_workqueue_config
from denialscope.workqueue.decision import ACTION_LEVELS, recommend
from denialscope.workqueue.models import (
    ACTIONS,
    OPEN_STATUSES,
    OUTCOMES,
    STATUSES,
    WorkItem,
    WorkItemEvent,
)
from denialscope.workqueue.outcomes import data_as_of, refresh_priorities
from denialscope.workqueue.routing import route
from denialscope.workqueue.safety import guard_patient_billing, refuse_patient_billing

__all__ = [
    "AlreadyResolvedError",
    "Taken",
    "add_note",
    "assign",
    "choose_action",
    "data_as_of",
    "get_or_raise",
    "list_items",
    "log_event",
    "next_item",
    "resolve",
    "set_status",
    "sync_claims",
    "sync_work_items",
    "take_top",
]


class AlreadyResolvedError(InputError):
    """A second outcome over one already recorded, without ``force`` (the web asks for an
    explicit confirmation; the CLI for --force)."""

    http_status = 409


_TERMINAL_ACTIONS = {"write_off": "written_off", "bill_patient": "billed_to_patient"}


def log_event(*, session: Session, item: WorkItem, actor: str, kind: str, detail: str) -> None:
    """Append one line to the item's history."""
    session.add(WorkItemEvent(work_item_id=item.id, actor=actor, kind=kind, detail=detail))


def _owner_roles(session: Session, payment_ids: Sequence[int]) -> dict[int, str | None]:
    """Per claim payment, the owner role of its largest denial adjustment."""
    roles: dict[int, tuple[Decimal, str | None]] = {}
    rows = session.execute(
        select(Adjustment.claim_payment_id, Adjustment.amount, Adjustment.owner_role).where(
            Adjustment.claim_payment_id.in_(payment_ids), Adjustment.is_denial
        )
    )
    for payment_id, amount, role in rows:
        if payment_id not in roles or amount > roles[payment_id][0]:
            roles[payment_id] = (amount, role)
    return {key: value[1] for key, value in roles.items()}


def _denials(
    session: Session, claim_ids: Sequence[int] | None
) -> list[tuple[ClaimPayment, Claim, Payer | None]]:
    """The first denial of each claim without a work item (of ``claim_ids``, or of all)."""
    query = (
        select(ClaimPayment, Claim, Payer)
        .join(Claim, Claim.id == ClaimPayment.claim_id)
        .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
        .outerjoin(Payer, Payer.id == func.coalesce(Remittance.payer_id, Claim.payer_id))
        .where(ClaimPayment.is_denial, ClaimPayment.is_reversal.is_(False))
        .order_by(ClaimPayment.claim_id, ClaimPayment.seq)
    )
    if claim_ids is None:
        parts: list[Sequence[int] | None] = [None]
    else:
        ordered = sorted(set(claim_ids))
        parts = [ordered[i : i + 500] for i in range(0, len(ordered), 500)]
    first: dict[int, tuple[ClaimPayment, Claim, Payer | None]] = {}
    for part in parts:
        if part is None:
            rows = session.execute(
                query.where(ClaimPayment.claim_id.not_in(select(WorkItem.claim_id)))
            ).all()
        else:
            have = set(
                session.scalars(select(WorkItem.claim_id).where(WorkItem.claim_id.in_(part)))
            )
            rows = [
                r
                for r in session.execute(query.where(ClaimPayment.claim_id.in_(part))).all()
                if r[1].id not in have
            ]
        for payment, claim, payer in rows:
            first.setdefault(claim.id, (payment, claim, payer))
    return list(first.values())


def sync_claims(
    *,
    session: Session,
    claim_ids: Sequence[int],
    config: WorkqueueConfig | None = None,
    as_of: dt.date | None = None,
) -> tuple[int, int]:
    """Bring the work items of these claims up to date: (items created, items closed).

    What ingest runs inside a file's transaction, for the claims the file touched: its cost
    grows with the file, not with the database (nothing else is read but the payers and the
    outcome counts P(recovery) learns from).
    """
    from denialscope.workqueue.outcomes import apply_outcomes

    if not claim_ids:
        return 0, 0
    config = config or load_workqueue_config()
    as_of = as_of or data_as_of(session)
    created = _create_items(session, _denials(session, claim_ids), config)
    closed = apply_outcomes(session, config=config, as_of=as_of, claim_ids=claim_ids)
    refresh_priorities(session, config=config, as_of=as_of, claim_ids=claim_ids)
    return created, closed


def sync_work_items(
    *,
    session: Session,
    config: WorkqueueConfig | None = None,
    as_of: dt.date | None = None,
    batch: int = 500,
) -> int:
    """Create the missing work items (one per denied claim) and rank every open item."""
    config = config or load_workqueue_config()
    created = _create_items(session, _denials(session, None), config, batch=batch)
    refresh_priorities(session, config=config, as_of=as_of or data_as_of(session))
    return created


def _create_items(
    session: Session,
    chosen: list[tuple[ClaimPayment, Claim, Payer | None]],
    config: WorkqueueConfig,
    *,
    batch: int = 500,
) -> int:
    created = 0
    for start in range(0, len(chosen), batch):
        part = chosen[start : start + batch]
        roles = _owner_roles(session, [payment.id for payment, _c, _p in part])
        for payment, claim, payer in part:
            stream = payment.primary_stream or "billing"
            root_cause = payment.primary_root_cause or "unclassified"
            dollars = payment.denied_amount
            if dollars is None:
                dollars = (payment.charge or Decimal(0)) - (payment.paid or Decimal(0))
            kind = claim_payer_kind(payer, claim, payment)
            choice = recommend(
                config,
                root_cause=root_cause,
                dollars_at_risk=dollars,
                denial_type=payment.denial_type,
                payer_kind=kind.kind,
            )
            choice = guard_patient_billing(choice, payment, claim)
            owner_role = roles.get(payment.id)
            item = WorkItem(
                claim_id=claim.id,
                denial_payment_id=payment.id,
                payer_id=payer.id if payer else None,
                payer_kind=kind.kind,
                payer_kind_source=kind.source,
                queue=route(
                    config,
                    stream=stream,
                    root_cause=root_cause,
                    owner_role=owner_role,
                    claim_kind=claim.kind,
                ),
                stream=stream,
                root_cause=root_cause,
                owner_role=owner_role,
                denial_type=payment.denial_type,
                status="new",
                dollars_at_risk=dollars,
                denied_on=payment.adjudicated_at,
                service_date=claim.statement_from or payment.service_from,
                recommended_action=choice.action,
                recommended_reason=choice.reason[:300],
            )
            session.add(item)
            session.flush()
            log_event(
                session=session,
                item=item,
                actor="system",
                kind="created",
                detail=f"{root_cause} denial of {dollars} routed to {item.queue}",
            )
            created += 1
    session.flush()
    return created


def get_or_raise(*, session: Session, item_id: int) -> WorkItem:
    """The work item with this id, or NotFoundError."""
    item = session.get(WorkItem, item_id)
    if item is None:
        raise NotFoundError(f"no work item {item_id}")
    return item


def list_items(
    *,
    session: Session,
    queue: str | None = None,
    status: str | None = None,
    include_resolved: bool = False,
    assigned_to: str | None = None,
    limit: int | None = 50,
) -> list[WorkItem]:
    """Items ranked by priority (highest first), then the nearest deadline."""
    query = select(WorkItem)
    if queue:
        query = query.where(WorkItem.queue == queue)
    if status:
        query = query.where(WorkItem.status == status)
    elif not include_resolved:
        query = query.where(WorkItem.status.in_(OPEN_STATUSES))
    if assigned_to:
        query = query.where(WorkItem.assigned_to == assigned_to)
    query = query.order_by(
        WorkItem.priority.desc().nulls_last(), WorkItem.deadline.asc().nulls_last(), WorkItem.id
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class Taken:
    """What "take next" claimed: the item, its claim and its queue."""

    item_id: int
    claim_id: int
    queue: str


def take_top(
    *,
    session: Session,
    queue: str | None,
    user: str,
    streams: Collection[str] | None = None,
) -> Taken | None:
    """Hand the highest-priority unassigned item of ``queue`` to ``user``; never to two users.

    ``queue`` None: any queue; ``streams``: only items of these streams (a worker's own).

    PostgreSQL locks the chosen row with FOR UPDATE SKIP LOCKED, so a concurrent worker skips
    it rather than waiting. SQLite has one writer at a time: a single conditional UPDATE
    (the choice is a subquery, guarded by ``assigned_to IS NULL``) claims the row atomically,
    and its row count says whether it did. Commit soon after: the claim is the commit. Two
    statements and no ORM objects: the write lock is held while they run, so the less done
    in it, the sooner the next worker's take.
    """
    from denialscope.workqueue.browse import TAKEABLE, likely

    # Marked likely for SQLite: the top item is then read from ix_work_items_rank in
    # priority order (covering), not found by sorting every unassigned item of the streams.
    candidates = select(WorkItem.id).where(
        likely(session, WorkItem.assigned_to.is_(None)),
        likely(session, WorkItem.status.in_(TAKEABLE)),
    )
    if queue is not None:
        candidates = candidates.where(WorkItem.queue == queue)
    if streams is not None:
        candidates = candidates.where(likely(session, WorkItem.stream.in_(sorted(streams))))
    candidates = candidates.order_by(WorkItem.priority.desc().nulls_last(), WorkItem.id).limit(1)
    now = dt.datetime.now(dt.UTC)
    postgresql = session.get_bind().dialect.name == "postgresql"
    for _attempt in range(20):
        if postgresql:
            item_id = session.scalar(candidates.with_for_update(skip_locked=True))
            if item_id is None:
                return None
            target = WorkItem.id == item_id
        else:
            target = WorkItem.id == candidates.scalar_subquery()
        claimed = session.execute(
            update(WorkItem)
            .where(target, WorkItem.assigned_to.is_(None))
            .values(assigned_to=user, assigned_at=now, status="in_review")
            .returning(WorkItem.id, WorkItem.claim_id, WorkItem.queue),
            execution_options={"synchronize_session": False},
        ).first()
        if claimed is not None:
            taken = Taken(int(claimed.id), int(claimed.claim_id), str(claimed.queue))
            session.execute(
                insert(WorkItemEvent).values(
                    work_item_id=taken.item_id,
                    at=now,
                    actor=user,
                    kind="assigned",
                    detail=f"taken from {queue or taken.queue}",
                )
            )
            return taken
        if not postgresql:
            return None  # the subquery found nothing unassigned
    return None


def next_item(
    *,
    session: Session,
    queue: str | None,
    user: str,
    streams: Collection[str] | None = None,
) -> WorkItem | None:
    """:func:`take_top`, answered with the taken item (None: nothing left to take)."""
    taken = take_top(session=session, queue=queue, user=user, streams=streams)
    if taken is None:
        return None
    return session.get(WorkItem, taken.item_id, populate_existing=True)


def assign(*, session: Session, item_id: int, user: str | None, actor: str) -> WorkItem:
    """Give an item to ``user`` (None: back to the queue)."""
    item = get_or_raise(session=session, item_id=item_id)
    item.assigned_to = user
    item.assigned_at = dt.datetime.now(dt.UTC) if user else None
    if user and item.status == "new":
        item.status = "in_review"
    log_event(
        session=session, item=item, actor=actor, kind="assigned", detail=f"to {user or 'the queue'}"
    )
    session.flush()
    return item


def set_status(*, session: Session, item_id: int, status: str, actor: str) -> WorkItem:
    """Move an open item to another open status (resolve with ``resolve``)."""
    if status not in STATUSES or status == "resolved":
        raise InputError(f"status must be one of {', '.join(OPEN_STATUSES)}, not {status!r}")
    item = get_or_raise(session=session, item_id=item_id)
    old = item.status
    item.status = status
    if status == "submitted" and item.submitted_on is None:
        item.submitted_on = dt.date.today()
    log_event(session=session, item=item, actor=actor, kind="status", detail=f"{old} -> {status}")
    session.flush()
    return item


def choose_action(
    *,
    session: Session,
    item_id: int,
    action: str,
    actor: str,
    reason: str | None = None,
    config: WorkqueueConfig | None = None,
    force: bool = False,
) -> WorkItem:
    """Record the action a person chose; writing off or billing the patient closes the item
    (``force`` to replace the outcome of an item already resolved, see :func:`resolve`)."""
    if action not in ACTIONS:
        raise InputError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    item = get_or_raise(session=session, item_id=item_id)
    if action == "bill_patient":
        refuse_patient_billing(session, item)
    if action in _TERMINAL_ACTIONS:
        _check_not_resolved(item, force)
    item.action = action
    detail = action + (f": {reason}" if reason else "")
    log_event(session=session, item=item, actor=actor, kind="action", detail=detail)
    if action in _TERMINAL_ACTIONS:
        return resolve(
            session=session,
            item_id=item_id,
            outcome=_TERMINAL_ACTIONS[action],
            actor=actor,
            force=force,
        )
    item.appeal_level = ACTION_LEVELS[action]
    if item.status == "resolved":  # a new level after an upheld decision reopens the item
        item.outcome = None
        item.resolved_on = None
    item.status = "action_chosen"
    item.queue = route(
        config or load_workqueue_config(),
        stream=item.stream,
        root_cause=item.root_cause,
        owner_role=item.owner_role,
        appeal_level=item.appeal_level,
        claim_kind=_claim_kind(session, item),
    )
    session.flush()
    return item


def _claim_kind(session: Session, item: WorkItem) -> str | None:
    claim = session.get(Claim, item.claim_id)
    return claim.kind if claim else None


def add_note(*, session: Session, item_id: int, actor: str, text: str) -> WorkItem:
    """Attach a free-text note to the item's history."""
    item = get_or_raise(session=session, item_id=item_id)
    log_event(session=session, item=item, actor=actor, kind="note", detail=text)
    session.flush()
    return item


def resolve(
    *,
    session: Session,
    item_id: int,
    outcome: str,
    actor: str,
    recovered: Decimal | None = None,
    on: dt.date | None = None,
    force: bool = False,
) -> WorkItem:
    """Close an item with its outcome (and the dollars recovered, when any).

    An item already resolved keeps its outcome unless ``force``: then the new one replaces
    it and the history says what it replaced.
    """
    if outcome not in OUTCOMES:
        raise InputError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    item = get_or_raise(session=session, item_id=item_id)
    _check_not_resolved(item, force)
    replaced = None
    if item.status == "resolved" and item.outcome is not None:
        replaced = (
            f"replaces {item.outcome}"
            + (f" (recovered {item.recovered_amount})" if item.recovered_amount is not None else "")
            + (f" of {item.resolved_on.isoformat()}" if item.resolved_on else "")
        )
    item.status = "resolved"
    item.outcome = outcome
    item.resolved_on = on or dt.date.today()
    if recovered is not None or replaced:
        item.recovered_amount = recovered  # a replaced outcome does not keep the old dollars
    if item.denied_on is not None:
        item.cycle_days = (item.resolved_on - item.denied_on).days
    log_event(
        session=session,
        item=item,
        actor=actor,
        kind="outcome",
        detail=outcome
        + (f", recovered {recovered}" if recovered is not None else "")
        + (f"; {replaced}" if replaced else ""),
    )
    session.flush()
    return item


def _check_not_resolved(item: WorkItem, force: bool) -> None:
    if item.status == "resolved" and item.outcome is not None and not force:
        when = f" on {item.resolved_on.isoformat()}" if item.resolved_on else ""
        raise AlreadyResolvedError(
            f"work item {item.id} is already resolved as {item.outcome}{when}; "
            "use --force to replace the outcome (the old one stays in the history)",
            item=item.id,
            outcome=item.outcome,
        )
