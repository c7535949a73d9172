"""The claim page kept per claim while nothing it shows has changed.

A claim page is some thirty statements and the re-explanation of every payment: tens of
milliseconds of one core, paid again by every view (the worker who took the item, the lead
looking over it, the worker back from a letter). It is kept per claim under a **stamp** that
moves whenever anything on the page could: the loaded data (the summary cube's fingerprint:
claims, payments, adjustments, claim versions, files, classification changes, provider
mappings, departments), the claim's work item (its last change, its newest history event:
an action, a note, an outcome, a fix reviewed, an assignment; its newest letter or 837
version and fix), the classification file the payments are explained under and the official
code lists loaded in the data directory. The stamp is read on every view (one statement of
index probes), so a change by anyone, in any process, shows on the next view; on PostgreSQL
a page is also recomputed after the queue's age limit, which bounds what commits out of id
order could hide (``workqueue.browse.age_part``).

It holds patient identifiers in the server's memory, as the page being rendered does: at
most ``ENTRIES`` pages per process, nothing written anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.figure_cache import FigureCache
from denialscope.claims.page import ClaimPage, claim_facts_page, with_work, work_part
from denialscope.classify import ClassificationConfig
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.workqueue.browse import age_part
from denialscope.workqueue.models import WorkItem, WorkItemDocument, WorkItemEvent, WorkItemFix

__all__ = ["cached_claim_page", "claim_stamp", "facts_stamp", "prefetch_facts"]

ENTRIES: Final = 256
_PAGES = FigureCache(max_entries=ENTRIES)  # whole pages, by both stamps
_FACTS = FigureCache(max_entries=ENTRIES)  # pages without their work item, by the data's


def _file_stamp(path: Path) -> tuple[str, int, int]:
    try:
        found = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), found.st_mtime_ns, found.st_size)


def claim_stamp(session: Session, claim_id: int, files: tuple[Path, ...] = ()) -> tuple[str, str]:
    """What moves whenever the page of ``claim_id`` could change (see the module doc), in two
    parts: the loaded data and files (the claim's facts) and its work item; ``files``: the
    configuration and code-list files the page is built from."""
    item = select(WorkItem.id).where(WorkItem.claim_id == claim_id).scalar_subquery()

    def newest(column: Any, owner: Any) -> Any:
        return select(func.max(column)).where(owner == item).scalar_subquery()

    parts = session.execute(
        select(
            item,
            select(WorkItem.updated_at).where(WorkItem.claim_id == claim_id).scalar_subquery(),
            newest(WorkItemEvent.id, WorkItemEvent.work_item_id),
            newest(WorkItemDocument.id, WorkItemDocument.work_item_id),
            newest(WorkItemFix.id, WorkItemFix.work_item_id),
        )
    ).one()
    return facts_stamp(session, files), repr(tuple(parts))


def facts_stamp(session: Session, files: tuple[Path, ...] = ()) -> str:
    """The part of every claim's stamp that the loaded data and the files decide."""
    from denialscope.analytics.cube import fingerprint

    stamps = [_file_stamp(path) for path in files]
    return f"{fingerprint(session)}|{stamps!r}"


def cached_claim_page(
    *,
    session: Session,
    claim_id: int,
    config: ClassificationConfig,
    data: Path,
    files: tuple[Path, ...],
) -> ClaimPage:
    """:func:`~denialscope.claims.page.claim_page`, computed once per claim and stamp for
    everyone viewing it (NotFoundError, as it, when there is no such claim: never kept).

    The claim's facts (the 837, the payments re-explained: most of the cost) are kept apart
    from its work item, so an action, a note or a take recomputes the item's part alone."""
    data_stamp, work_stamp = claim_stamp(session, claim_id, files)
    age = age_part(session)

    def facts() -> ClaimPage:
        return _kept_facts(session, claim_id, data_stamp, age, config, data)

    # One object per full stamp: the web keeps its renderings by the page object.
    return _PAGES.get(
        (_where(session), claim_id, data_stamp, work_stamp, age),
        "",
        lambda: with_work(facts(), work_part(session=session, claim_id=claim_id)),
    )


def _where(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _kept_facts(
    session: Session,
    claim_id: int,
    data_stamp: str,
    age: int,
    config: ClassificationConfig,
    data: Path,
) -> ClaimPage:
    """The claim's facts, kept per claim and data stamp: one key for a view and a prefetch."""
    return _FACTS.get(
        (_where(session), claim_id, data_stamp, age),
        "",
        lambda: claim_facts_page(session=session, claim_id=claim_id, config=config, data=data),
    )


PREFETCH_PER_STREAM: Final = 20


def prefetch_facts(
    *,
    session: Session,
    config: ClassificationConfig,
    data: Path,
    files: tuple[Path, ...],
    per_stream: int = PREFETCH_PER_STREAM,
) -> int:
    """Compute, ahead of the first view, the facts of the claims a worker opens next: the
    first open items of each stream's queue and the first unassigned ones ("take next"); the
    number computed (kept ones cost a lookup). A first view is most of a page's cost (the
    837 and every payment re-explained) and the top of the queue is where views go.

    SQLite only: its stamps are exact, so a prefetched page stays good until the data moves;
    on PostgreSQL pages are recomputed after the age limit, prefetched or not."""
    from denialscope.workqueue.browse import TAKEABLE
    from denialscope.workqueue.models import OPEN_STATUSES

    if session.get_bind().dialect.name != "sqlite":  # the age part moves elsewhere
        return 0
    stamp = facts_stamp(session, files)
    wanted: list[int] = []
    for stream in DENIAL_STREAMS:
        for unassigned, statuses in ((False, OPEN_STATUSES), (True, TAKEABLE)):
            query = select(WorkItem.claim_id).where(
                WorkItem.stream == stream, WorkItem.status.in_(sorted(statuses))
            )
            if unassigned:
                query = query.where(WorkItem.assigned_to.is_(None))
            query = query.order_by(WorkItem.priority.desc().nulls_last(), WorkItem.id)
            wanted.extend(session.scalars(query.limit(per_stream)))
    before = _FACTS.computed
    for claim_id in dict.fromkeys(wanted):
        _kept_facts(session, claim_id, stamp, age_part(session), config, data)
    session.rollback()  # end the read
    return _FACTS.computed - before
