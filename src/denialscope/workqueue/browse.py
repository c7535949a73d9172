"""The work queue as a worker browses it: one page of items with filters, sorting and counts.

What the web's ``/queue`` shows (and its JSON twin). It reads only: bringing the queues up to
date is ingest's job (``sync_claims`` per file) and ``queue list``'s, not every page view's.
A row is the ``queue list`` row (:class:`WorkItemSummary`) plus what a worker needs to triage
it: the dollars at risk on the net basis (``analytics.netbasis``: denied charges x the claim's
expected net reimbursement ratio) and the days left to the deadline, counted from the newest
adjudication loaded (the "today" the ranking used, :func:`data_as_of`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from denialscope.analytics.netbasis import claim_net_ratios, payment_to_charge_ratios
from denialscope.claims.models import Claim
from denialscope.errors import InputError
from denialscope.orgs.models import Payer
from denialscope.remits.models import ClaimPayment
from denialscope.workqueue.claim_facts import claim_facts
from denialscope.workqueue.models import OPEN_STATUSES, QUEUES, STATUSES, WorkItem
from denialscope.workqueue.outcomes import data_as_of
from denialscope.workqueue.schemas import WorkItemSummary

__all__ = ["SORTS", "QueueFilters", "QueuePage", "QueueRow", "browse_queue", "items_in_streams"]

SORTS: Final = ("priority", "deadline", "dollars")
ASSIGNED: Final = ("me", "unassigned")
# Sent already: the payer has it, so a passed deadline is no longer the worker's to beat.
_SENT: Final = ("submitted", "awaiting_payer")
_CENT: Final = Decimal("0.01")
MAX_PER_PAGE: Final = 200


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the worker asked for; ``streams`` is what the worker may see (never widened)."""

    streams: frozenset[str]
    user: str
    queue: str | None = None
    payer_id: int | None = None
    root_cause: str | None = None
    status: str | None = None  # None: every open status
    assigned: str | None = None  # "me", "unassigned" or None (anyone)
    overdue: bool = False
    sort: str = "priority"
    page: int = 1
    per_page: int = 50

    def check(self) -> None:
        """InputError naming the filter that is not understood."""
        if self.queue is not None and self.queue not in QUEUES:
            raise InputError(f"queue must be one of {', '.join(QUEUES)}, not {self.queue!r}")
        if self.status is not None and self.status not in STATUSES:
            raise InputError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.assigned is not None and self.assigned not in ASSIGNED:
            raise InputError(f"assigned must be me or unassigned, not {self.assigned!r}")
        if self.sort not in SORTS:
            raise InputError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InputError(f"page starts at 1 and per_page is 1 to {MAX_PER_PAGE}")


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One item: the ``queue list`` row, its net-basis dollars and its days left."""

    item: WorkItemSummary
    denied_net: Decimal
    net_estimated: bool  # the ratio rests on the payer's payment-to-charge estimate
    days_left: int | None
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.item.to_dict(),
            "dollars_at_risk_net": str(self.denied_net),
            "net_basis": "estimate" if self.net_estimated else "allowed",
            "days_left": self.days_left,
            "overdue": self.overdue,
        }


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A page of rows, how many match in all, and the choices the filters offer."""

    rows: tuple[QueueRow, ...]
    total: int
    page: int
    per_page: int
    as_of: dt.date
    filters: QueueFilters
    queues: tuple[str, ...] = ()
    payers: tuple[tuple[int, str], ...] = ()
    root_causes: tuple[str, ...] = ()
    unassigned_open: int = 0
    statuses: tuple[str, ...] = field(default=STATUSES)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        f = self.filters
        return {
            "as_of": self.as_of.isoformat(),
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "per_page": self.per_page,
            "unassigned_open": self.unassigned_open,
            "filters": {
                "streams": sorted(f.streams),
                "queue": f.queue,
                "payer_id": f.payer_id,
                "root_cause": f.root_cause,
                "status": f.status,
                "assigned": f.assigned,
                "overdue": f.overdue,
                "sort": f.sort,
            },
            "choices": {
                "queues": list(self.queues),
                "payers": [{"id": i, "name": n} for i, n in self.payers],
                "root_causes": list(self.root_causes),
                "statuses": list(self.statuses),
            },
            "items": [row.to_dict() for row in self.rows],
        }


def items_in_streams(streams: Collection[str]) -> Select[tuple[WorkItem]]:
    """Every work item of these streams (the scope a worker may see)."""
    return select(WorkItem).where(WorkItem.stream.in_(sorted(streams)))


def _filtered(f: QueueFilters, as_of: dt.date) -> Select[tuple[WorkItem]]:
    query = items_in_streams(f.streams)
    if f.queue:
        query = query.where(WorkItem.queue == f.queue)
    if f.payer_id is not None:
        query = query.where(WorkItem.payer_id == f.payer_id)
    if f.root_cause:
        query = query.where(WorkItem.root_cause == f.root_cause)
    if f.status:
        query = query.where(WorkItem.status == f.status)
    else:
        query = query.where(WorkItem.status.in_(OPEN_STATUSES))
    if f.assigned == "me":
        query = query.where(WorkItem.assigned_to == f.user)
    elif f.assigned == "unassigned":
        query = query.where(WorkItem.assigned_to.is_(None))
    if f.overdue:
        query = query.where(
            WorkItem.deadline < as_of,
            WorkItem.status.in_(OPEN_STATUSES),
            WorkItem.status.not_in(_SENT),
        )
    return query


def _ordered(query: Select[tuple[WorkItem]], sort: str) -> Select[tuple[WorkItem]]:
    # "priority" is queue list's order exactly (service.list_items), so the page and the
    # CLI agree row for row.
    priority = (WorkItem.priority.desc().nulls_last(), WorkItem.deadline.asc().nulls_last())
    if sort == "deadline":
        return query.order_by(
            WorkItem.deadline.asc().nulls_last(), WorkItem.priority.desc().nulls_last(), WorkItem.id
        )
    if sort == "dollars":
        return query.order_by(WorkItem.dollars_at_risk.desc(), *priority, WorkItem.id)
    return query.order_by(*priority, WorkItem.id)


def _is_overdue(item: WorkItem, as_of: dt.date) -> bool:
    return (
        item.deadline is not None
        and item.deadline < as_of
        and item.status in OPEN_STATUSES
        and item.status not in _SENT
    )


# Payment-to-charge estimates per database and loaded data: the one aggregate over every
# claim paid clean, so computed once per load rather than once per page view.
_ESTIMATES: dict[tuple[object, ...], dict[tuple[Any, ...], Decimal]] = {}
_ESTIMATES_LOCK = threading.Lock()


def _estimates(session: Session) -> Callable[[], dict[tuple[Any, ...], Decimal]]:
    def compute() -> dict[tuple[Any, ...], Decimal]:
        payments = session.execute(
            select(func.max(ClaimPayment.id), func.count(ClaimPayment.id))
        ).one()
        claims = session.scalar(select(func.max(Claim.id)))
        key = (str(session.get_bind().engine.url), *payments, claims)
        with _ESTIMATES_LOCK:
            found = _ESTIMATES.get(key)
        if found is None:
            found = payment_to_charge_ratios(session)
            with _ESTIMATES_LOCK:
                _ESTIMATES.clear()  # one database and one load at a time is the usual case
                _ESTIMATES[key] = found
        return found

    return compute


def browse_queue(*, session: Session, filters: QueueFilters) -> QueuePage:
    """One page of the items of ``filters.streams`` (InputError for a filter not understood)."""
    filters.check()
    as_of = data_as_of(session)
    query = _filtered(filters, as_of)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page_query = _ordered(query, filters.sort).offset((filters.page - 1) * filters.per_page)
    items = list(session.scalars(page_query.limit(filters.per_page)))
    facts = claim_facts(session=session, items=items)
    ratios = claim_net_ratios(
        session, claim_ids=[item.claim_id for item in items], estimates=_estimates(session)
    )
    rows = []
    for item in items:
        ratio, estimated = ratios.get(item.claim_id, (Decimal(1), True))
        rows.append(
            QueueRow(
                item=WorkItemSummary.of(item, facts[item.id]),
                denied_net=(item.dollars_at_risk * ratio).quantize(_CENT, ROUND_HALF_UP),
                net_estimated=estimated,
                days_left=None if item.deadline is None else (item.deadline - as_of).days,
                overdue=_is_overdue(item, as_of),
            )
        )
    scope = items_in_streams(filters.streams).subquery()
    queues = session.scalars(select(scope.c.queue).distinct())
    causes = session.scalars(select(scope.c.root_cause).distinct())
    payers = session.execute(
        select(Payer.id, Payer.name)
        .where(Payer.id.in_(select(scope.c.payer_id)))
        .order_by(Payer.name)
    )
    unassigned = session.scalar(
        select(func.count()).select_from(
            items_in_streams(filters.streams)
            .where(
                WorkItem.assigned_to.is_(None),
                WorkItem.status.in_(("new", "in_review", "action_chosen")),
            )
            .subquery()
        )
    )
    return QueuePage(
        rows=tuple(rows),
        total=total,
        page=filters.page,
        per_page=filters.per_page,
        as_of=as_of,
        filters=filters,
        queues=tuple(q for q in QUEUES if q in set(queues)),
        payers=tuple((int(i), str(n or f"payer {i}")) for i, n in payers),
        root_causes=tuple(sorted(causes)),
        unassigned_open=unassigned or 0,
    )
