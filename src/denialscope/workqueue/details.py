"""Work-queue services as interfaces call them: list, take, show, act, resubmit.

Each returns the typed shapes of :mod:`denialscope.workqueue.schemas` (never ORM rows, never
printed text) and flushes; the caller (CLI command, web request) commits. The lower-level
services they combine live in :mod:`denialscope.workqueue.service`,
:mod:`denialscope.workqueue.outcomes` and :mod:`denialscope.appeals.corrected`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.errors import InputError, NotFoundError
from denialscope.settings import Settings
from denialscope.workqueue import service
from denialscope.workqueue.claim_facts import claim_facts
from denialscope.workqueue.config import WorkqueueConfig
from denialscope.workqueue.models import WorkItemDocument
from denialscope.workqueue.outcomes import apply_outcomes
from denialscope.workqueue.schemas import (
    DocumentVersion,
    FixProposal,
    HistoryEntry,
    WorkItemDetails,
    WorkItemSummary,
)

__all__ = [
    "Resubmission",
    "act",
    "get_details",
    "get_document",
    "list_work",
    "resubmit",
    "take_next",
]


def list_work(
    *,
    session: Session,
    config: WorkqueueConfig,
    queue: str | None = None,
    status: str | None = None,
    include_resolved: bool = False,
    limit: int | None = 50,
) -> list[WorkItemSummary]:
    """Ranked items, highest priority first, after bringing the queues up to date (missing
    items created, outcomes of new remittances applied)."""
    service.sync_work_items(session=session, config=config)
    apply_outcomes(session, config=config)
    items = service.list_items(
        session=session, queue=queue, status=status, limit=limit, include_resolved=include_resolved
    )
    facts = claim_facts(session=session, items=items)
    return [WorkItemSummary.of(item, facts[item.id]) for item in items]


def get_details(*, session: Session, item_id: int) -> WorkItemDetails:
    """One item with its claim, ranking basis, fixes, documents and history (NotFoundError)."""
    item = service.get_or_raise(session=session, item_id=item_id)
    documents = session.execute(
        select(
            WorkItemDocument.kind,
            WorkItemDocument.version,
            WorkItemDocument.filename,
            WorkItemDocument.created_by,
            WorkItemDocument.created_at,
        )
        .where(WorkItemDocument.work_item_id == item.id)
        .order_by(WorkItemDocument.id)
    )
    return WorkItemDetails(
        item=WorkItemSummary.of(item, claim_facts(session=session, items=[item])[item.id]),
        history=tuple(HistoryEntry(e.at, e.actor, e.kind, e.detail) for e in item.events),
        fixes=tuple(
            FixProposal(f.id, f.kind, f.line_no, f.current, f.proposed, f.status, f.reason)
            for f in item.fixes
        ),
        documents=tuple(DocumentVersion(k, v, f, b, a) for k, v, f, b, a in documents),
    )


def get_document(*, session: Session, item_id: int, kind: str, version: int) -> WorkItemDocument:
    """One stored version of an item's letter or corrected claim, content included."""
    document = session.scalars(
        select(WorkItemDocument).where(
            WorkItemDocument.work_item_id == item_id,
            WorkItemDocument.kind == kind,
            WorkItemDocument.version == version,
        )
    ).one_or_none()
    if document is None:
        raise NotFoundError(f"work item {item_id} has no {kind} version {version}")
    return document


def take_next(
    *,
    session: Session,
    queue: str | None,
    user: str,
    streams: Collection[str] | None = None,
) -> WorkItemDetails | None:
    """Hand the top unassigned item of ``queue`` (None: any) of ``streams`` (None: any) to
    ``user`` (None: nothing to take).

    Commit right after: the claim on the item is visible to other workers once committed.
    """
    item = service.next_item(session=session, queue=queue, user=user, streams=streams)
    if item is None:
        return None
    return get_details(session=session, item_id=item.id)


def act(
    *,
    session: Session,
    config: WorkqueueConfig,
    item_id: int,
    actor: str,
    note: str | None = None,
    action: str | None = None,
    reason: str | None = None,
    status: str | None = None,
    outcome: str | None = None,
    recovered: Decimal | None = None,
    force: bool = False,
) -> WorkItemDetails:
    """Add a note, choose an action, move the status and/or record an outcome, in that order."""
    if not any((action, status, note, outcome)):
        raise InputError("give --action, --status, --note or --outcome")
    if note:
        service.add_note(session=session, item_id=item_id, actor=actor, text=note)
    if action:
        service.choose_action(
            session=session,
            item_id=item_id,
            action=action,
            actor=actor,
            reason=reason,
            force=force,
            config=config,
        )
    if status:
        service.set_status(session=session, item_id=item_id, status=status, actor=actor)
    if outcome:
        service.resolve(
            session=session,
            item_id=item_id,
            outcome=outcome,
            actor=actor,
            recovered=recovered,
            force=force,
        )
    return get_details(session=session, item_id=item_id)


@dataclass(frozen=True, slots=True)
class Resubmission:
    """The fixes after review and, when some were approved, the corrected 837 written."""

    details: WorkItemDetails
    filename: str | None = None
    content: bytes | None = None


def resubmit(
    *,
    session: Session,
    item_id: int,
    actor: str,
    approve: Sequence[tuple[int, str | None]] = (),
    reject: Sequence[int] = (),
    settings: Settings | None = None,
) -> Resubmission:
    """Propose the coding fixes (the NCCI tables of ``settings``' data directory judge
    bundling modifiers), record the reviews given (fix id, value supplied), and when any fix
    stands approved write the corrected claim (frequency 7) as a new version."""
    from denialscope.appeals.corrected import propose_fixes, review_fix, write_corrected

    propose_fixes(session, item_id=item_id, actor=actor, settings=settings)
    for fix_id, value in approve:
        review_fix(session, fix_id=fix_id, approve=True, actor=actor, value=value or None)
    for fix_id in reject:
        review_fix(session, fix_id=fix_id, approve=False, actor=actor)
    details = get_details(session=session, item_id=item_id)
    if not any(f.status == "approved" for f in details.fixes):
        return Resubmission(details=details)
    document = write_corrected(session, item_id=item_id, actor=actor)
    return Resubmission(
        details=get_details(session=session, item_id=item_id),
        filename=document.filename,
        content=document.content,
    )
