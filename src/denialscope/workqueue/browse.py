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
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from sqlalchemy import Boolean, ColumnElement, Select, func, literal_column, select
from sqlalchemy.orm import Session

from denialscope.analytics.figure_cache import FigureCache
from denialscope.analytics.netbasis import claim_net_ratios, payment_to_charge_ratios
from denialscope.claims.models import Claim
from denialscope.db.change_marks import newest_change_mark
from denialscope.errors import InputError
from denialscope.orgs.models import Payer
from denialscope.remits.models import ClaimPayment
from denialscope.sources.models import SourceFile
from denialscope.workqueue.claim_facts import claim_facts
from denialscope.workqueue.models import OPEN_STATUSES, QUEUES, STATUSES, WorkItem
from denialscope.workqueue.outcomes import data_as_of
from denialscope.workqueue.schemas import WorkItemSummary

__all__ = [
    "SORTS",
    "QueueFilters",
    "QueuePage",
    "QueueRow",
    "browse_queue",
    "items_in_streams",
    "likely",
    "queue_stamp",
]

SORTS: Final = ("priority", "deadline", "dollars")
ASSIGNED: Final = ("me", "unassigned")
# Sent already: the payer has it, so a passed deadline is no longer the worker's to beat.
_SENT: Final = ("submitted", "awaiting_payer")
_CENT: Final = Decimal("0.01")
MAX_PER_PAGE: Final = 200
TAKEABLE: Final = ("new", "in_review", "action_chosen")  # what "take next" hands out


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


def likely(session: Session, term: ColumnElement[bool]) -> ColumnElement[bool]:
    """``term``, marked for SQLite's planner as true for most rows.

    A worker's streams and the open statuses match a large share of the items, but SQLite
    (no statistics unless ANALYZE ran) takes any equality as selective: it would read every
    item of the streams through ``ix_work_items_open`` and sort them all for a page of 50.
    Marked likely, it walks ``ix_work_items_rank`` in the queue's order and stops at the
    page. PostgreSQL keeps statistics and plans this itself: the term is left alone.
    """
    if session.get_bind().dialect.name != "sqlite":
        return term
    return func.likelihood(term, literal_column("0.9"), type_=Boolean)


def _conditions(
    session: Session, f: QueueFilters, as_of: dt.date, *, ranked: bool
) -> list[ColumnElement[bool]]:
    """The filters as SQL terms; ``ranked``: for the page in the queue's order (the broad
    terms marked :func:`likely`), else for counting (``ix_work_items_open`` answers)."""
    stream: ColumnElement[bool] = WorkItem.stream.in_(sorted(f.streams))
    status: ColumnElement[bool] = WorkItem.status.in_((f.status,) if f.status else OPEN_STATUSES)
    terms: list[ColumnElement[bool]] = (
        [likely(session, stream), likely(session, status)] if ranked else [stream, status]
    )
    if f.queue:
        terms.append(WorkItem.queue == f.queue)
    if f.payer_id is not None:
        terms.append(WorkItem.payer_id == f.payer_id)
    if f.root_cause:
        terms.append(WorkItem.root_cause == f.root_cause)
    if f.assigned == "me":
        terms.append(WorkItem.assigned_to == f.user)
    elif f.assigned == "unassigned":
        terms.append(WorkItem.assigned_to.is_(None))
    if f.overdue:
        terms.extend(
            (
                WorkItem.deadline < as_of,
                WorkItem.status.in_(OPEN_STATUSES),
                WorkItem.status.not_in(_SENT),
            )
        )
    return terms


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
# claim paid clean, so computed once per load rather than once per page view. The load is
# recognized by the newest payment, claim and file ids (primary keys: one index step each;
# nothing deletes payments, and a file removed would change the files' count).
_ESTIMATES: dict[tuple[object, ...], dict[tuple[Any, ...], Decimal]] = {}
_ESTIMATES_LOCK = threading.Lock()


def _estimates(session: Session) -> Callable[[], dict[tuple[Any, ...], Decimal]]:
    def compute() -> dict[tuple[Any, ...], Decimal]:
        loaded = session.execute(
            select(
                select(func.max(ClaimPayment.id)).scalar_subquery(),
                select(func.max(Claim.id)).scalar_subquery(),
                select(func.max(SourceFile.id)).scalar_subquery(),
                select(func.count(SourceFile.id)).scalar_subquery(),
                newest_change_mark(),  # a reclassify moves which payments are clean
            )
        ).one()
        key = (str(session.get_bind().engine.url), *loaded)
        with _ESTIMATES_LOCK:
            found = _ESTIMATES.get(key)
        if found is None:
            found = payment_to_charge_ratios(session)
            with _ESTIMATES_LOCK:
                _ESTIMATES.clear()  # one database and one load at a time is the usual case
                _ESTIMATES[key] = found
        return found

    return compute


@dataclass(frozen=True, slots=True)
class _Choices:
    queues: tuple[str, ...]
    payers: tuple[tuple[int, str], ...]
    root_causes: tuple[str, ...]


def queue_stamp(session: Session) -> tuple[object, ...]:
    """What moves whenever a queue page could change: the work items (newest change, newest
    id, count, newest history event), the loaded files (newest id, count: a remittance
    moves the net ratios and the "today" deadlines count from) and the newest change mark
    (a reclassification, the organization's payers, priorities refreshed: rows rewritten in
    place, ``db.change_marks``). Index probes only.

    Three subqueries each, not one select of aggregates: SQLite answers a lone max() from the
    index's end, a max() beside another aggregate by reading every row.
    """
    from denialscope.workqueue.models import WorkItemEvent

    return tuple(
        session.execute(
            select(
                select(func.max(WorkItem.updated_at)).scalar_subquery(),
                select(func.max(WorkItem.id)).scalar_subquery(),
                select(func.count(WorkItem.id)).scalar_subquery(),
                select(func.max(WorkItemEvent.id)).scalar_subquery(),
                select(func.max(SourceFile.id)).scalar_subquery(),
                select(func.count(SourceFile.id)).scalar_subquery(),
                newest_change_mark(),  # reclassify, payers, priorities changed in place
            )
        ).one()
    )


# The filter choices (queues, payers, root causes present in a worker's streams) and the
# pages themselves are kept per database, scope and stamp: twenty coders opening the coding
# queue between two changes cost one computation (the others wait for it), and a change (a
# take, an action, an 835) shows on the next view.
_CHOICES = FigureCache(max_entries=64)
_PAGES = FigureCache(max_entries=256)
# The stamp is exact on SQLite: one writer at a time, and every write that moves a page takes
# the write lock before it stamps its rows (``db.locks``), so the newest change is the last
# committed. On PostgreSQL two transactions can commit out of the order of their time stamps
# and ids, so a page read between the two commits would not see the stamp move at the
# second: there a page is also recomputed once this many seconds have passed.
_MAX_AGE_SECONDS: Final = 10.0
clock = time.monotonic  # what the age is counted on (a test holds it still)


def age_part(session: Session) -> int:
    """The part of a kept page's version that moves with time: on PostgreSQL only."""
    if session.get_bind().dialect.name == "sqlite":
        return 0
    return int(clock() // _MAX_AGE_SECONDS)


def _version(session: Session, stamp: tuple[object, ...]) -> str:
    return f"{stamp!r}|{age_part(session)}"


def _choices(session: Session, streams: frozenset[str], stamp: tuple[object, ...]) -> _Choices:
    key = (str(session.get_bind().engine.url), tuple(sorted(streams)))
    return _CHOICES.get(key, _version(session, stamp), lambda: _compute_choices(session, streams))


def _compute_choices(session: Session, streams: frozenset[str]) -> _Choices:
    # One pass over the scope for the three lists.
    present = session.execute(
        select(WorkItem.queue, WorkItem.root_cause, WorkItem.payer_id)
        .where(WorkItem.stream.in_(sorted(streams)))
        .distinct()
    ).all()
    payer_ids = {payer for _q, _c, payer in present if payer is not None}
    names = {
        int(i): name
        for i, name in session.execute(select(Payer.id, Payer.name).where(Payer.id.in_(payer_ids)))
    }
    payers = sorted(
        ((int(i), str(names.get(i) or f"payer {i}")) for i in payer_ids if i in names),
        key=lambda pair: (names[pair[0]] is None, names[pair[0]] or "", pair[0]),
    )
    seen_queues = {queue for queue, _c, _p in present}
    return _Choices(
        queues=tuple(q for q in QUEUES if q in seen_queues),
        payers=tuple(payers),
        root_causes=tuple(sorted({cause for _q, cause, _p in present})),
    )


def browse_queue(*, session: Session, filters: QueueFilters) -> QueuePage:
    """One page of the items of ``filters.streams`` (InputError for a filter not understood),
    computed once per stamp (:func:`queue_stamp`) for everyone asking the same page."""
    filters.check()
    stamp = queue_stamp(session)
    # The user matters only to "assigned to me": other pages are the same for every worker.
    scope = filters if filters.assigned == "me" else replace(filters, user="")
    key = (str(session.get_bind().engine.url), scope)
    # The kept object itself (its filters differ from the asker's in ``user`` only, which
    # nothing shown carries): the web keeps its JSON twin per object.
    version = _version(session, stamp)
    page: QueuePage = _PAGES.get(key, version, lambda: _compute_page(session, scope, stamp))
    return page


def _compute_page(session: Session, filters: QueueFilters, stamp: tuple[object, ...]) -> QueuePage:
    as_of = data_as_of(session)
    # Counted from the index (ix_work_items_open covers stream, status and assignee).
    counted = _conditions(session, filters, as_of, ranked=False)
    total = session.scalar(select(func.count(WorkItem.id)).where(*counted)) or 0
    ranked = _conditions(session, filters, as_of, ranked=filters.sort == "priority")
    page_query = _ordered(select(WorkItem).where(*ranked), filters.sort)
    page_query = page_query.offset((filters.page - 1) * filters.per_page)
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
    choices = _choices(session, filters.streams, stamp)
    unassigned = session.scalar(
        select(func.count(WorkItem.id)).where(
            WorkItem.stream.in_(sorted(filters.streams)),
            WorkItem.status.in_(TAKEABLE),
            WorkItem.assigned_to.is_(None),
        )
    )
    return QueuePage(
        rows=tuple(rows),
        total=total,
        page=filters.page,
        per_page=filters.per_page,
        as_of=as_of,
        filters=filters,
        queues=choices.queues,
        payers=choices.payers,
        root_causes=choices.root_causes,
        unassigned_open=unassigned or 0,
    )
