"""Open work items follow their denial's current classification (after ``reclassify``).

A work item copies its denial payment's root cause and stream when it is created, and routes
on them. When ``reclassify`` changes a stored payment, the open item would otherwise keep
the old root cause, sit in the old queue and be ranked with the old recovery odds: this
module carries the new classification over, with one history event per item saying what
changed. Resolved items are history (their outcome was decided under the old cause, and the
appeal KPIs count them as they were): they are never touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.orgs.models import Payer
from denialscope.orgs.payer_kinds import claim_payer_kind
from denialscope.remits.models import ClaimPayment
from denialscope.workqueue.config import WorkqueueConfig
from denialscope.workqueue.decision import recommend
from denialscope.workqueue.models import OPEN_STATUSES, WorkItem
from denialscope.workqueue.outcomes import data_as_of, refresh_priorities
from denialscope.workqueue.routing import route
from denialscope.workqueue.safety import guard_patient_billing
from denialscope.workqueue.service import _owner_roles, log_event

__all__ = ["ItemReclassified", "follow_classification"]

_IN_LIST = 500  # ids per IN (...)


@dataclass(frozen=True, slots=True)
class ItemReclassified:
    """One open work item whose classification (and perhaps queue) changed."""

    item_id: int
    claim_id: int
    old_root_cause: str
    new_root_cause: str
    old_stream: str
    new_stream: str
    old_queue: str
    new_queue: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "claim_id": self.claim_id,
            "root_cause": {"from": self.old_root_cause, "to": self.new_root_cause},
            "stream": {"from": self.old_stream, "to": self.new_stream},
            "queue": {"from": self.old_queue, "to": self.new_queue},
        }


def _open_items(
    session: Session, claim_payment_ids: Sequence[int] | None
) -> list[tuple[WorkItem, ClaimPayment, Claim, Payer | None]]:
    query = (
        select(WorkItem, ClaimPayment, Claim, Payer)
        .join(ClaimPayment, ClaimPayment.id == WorkItem.denial_payment_id)
        .join(Claim, Claim.id == WorkItem.claim_id)
        .outerjoin(Payer, Payer.id == WorkItem.payer_id)
        .where(WorkItem.status.in_(OPEN_STATUSES))
        .order_by(WorkItem.id)
    )
    if claim_payment_ids is None:
        return [tuple(row) for row in session.execute(query)]
    ordered = sorted(set(claim_payment_ids))
    found: list[tuple[WorkItem, ClaimPayment, Claim, Payer | None]] = []
    for start in range(0, len(ordered), _IN_LIST):
        part = ordered[start : start + _IN_LIST]
        found += [
            tuple(row) for row in session.execute(query.where(WorkItem.denial_payment_id.in_(part)))
        ]
    return found


def follow_classification(
    session: Session,
    *,
    config: WorkqueueConfig,
    claim_payment_ids: Sequence[int] | None = None,
    actor: str = "reclassify",
    config_version: str | None = None,
    as_of: dt.date | None = None,
) -> list[ItemReclassified]:
    """Open items take their denial payment's current root cause, stream, owner and queue.

    Only items whose denial payment is among ``claim_payment_ids`` (None: every open item)
    are looked at; each changed item gets a ``reclassified`` history event by ``actor``
    (old -> new), a new recommendation when no person has chosen an action yet, and a new
    rank. Flushes; the caller commits.
    """
    rows = _open_items(session, claim_payment_ids)
    if not rows:
        return []
    roles = _owner_roles(session, [payment.id for _i, payment, _c, _p in rows])
    changes: list[ItemReclassified] = []
    for item, payment, claim, payer in rows:
        # As the item was created (workqueue.service._create_items): same defaults.
        stream = payment.primary_stream or "billing"
        root_cause = payment.primary_root_cause or "unclassified"
        owner_role = roles.get(payment.id)
        queue = route(
            config,
            stream=stream,
            root_cause=root_cause,
            owner_role=owner_role,
            appeal_level=item.appeal_level,
            claim_kind=claim.kind,
        )
        if (item.root_cause, item.stream, item.owner_role, item.queue) == (
            root_cause,
            stream,
            owner_role,
            queue,
        ):
            continue
        change = ItemReclassified(
            item_id=item.id,
            claim_id=item.claim_id,
            old_root_cause=item.root_cause,
            new_root_cause=root_cause,
            old_stream=item.stream,
            new_stream=stream,
            old_queue=item.queue,
            new_queue=queue,
        )
        item.root_cause, item.stream, item.owner_role, item.queue = (
            root_cause,
            stream,
            owner_role,
            queue,
        )
        item.denial_type = payment.denial_type
        if item.action is None and item.appeal_level == 0:
            # Nobody chose yet: the recommendation is the system's, made for the old cause.
            kind = claim_payer_kind(payer, claim, payment)
            choice = recommend(
                config,
                root_cause=root_cause,
                dollars_at_risk=item.dollars_at_risk,
                denial_type=payment.denial_type,
                payer_kind=kind.kind,
            )
            choice = guard_patient_billing(choice, payment, claim)
            item.recommended_action = choice.action
            item.recommended_reason = choice.reason[:300]
        detail = (
            f"root cause {change.old_root_cause} -> {root_cause}, "
            f"stream {change.old_stream} -> {stream}, queue {change.old_queue} -> {queue}"
        )
        if config_version:
            detail += f" (configuration {config_version})"
        log_event(session=session, item=item, actor=actor, kind="reclassified", detail=detail)
        changes.append(change)
    session.flush()
    if changes:
        # Recovery odds and the cost of a touch depend on the root cause and the queue.
        refresh_priorities(
            session,
            config=config,
            as_of=as_of or data_as_of(session),
            claim_ids=[c.claim_id for c in changes],
        )
    return changes
