"""Work items follow committed data: the queue step of one file, and the catch-up.

Ingest brings the work items of the claims a file touched up to date inside the file's own
transaction (in a savepoint: a failure there leaves the file stored and its
``source_files.queue_synced`` false). ``catch_up`` syncs the claims of every file still
marked false — stored with ``update_work_queues=False``, before classification, or whose
queue step failed — and marks them; it runs after every ingest, so the next command
repairs what a failed or skipped step left, at the cost of those files only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from denialscope.claims.models import ClaimVersion
from denialscope.ingest.lookups import chunks
from denialscope.remits.models import ClaimPayment, Remittance
from denialscope.sources.models import SourceFile
from denialscope.workqueue.config import WorkqueueConfig
from denialscope.workqueue.service import sync_claims

__all__ = ["catch_up", "claims_of_files", "sync_file"]

log = logging.getLogger(__name__)


def claims_of_files(session: Session, *, source_file_ids: Iterable[int]) -> set[int]:
    """Claims that these files stored a version or a payment of."""
    ids = sorted(set(source_file_ids))
    found: set[int] = set()
    for part in chunks(ids):
        found.update(
            session.scalars(
                select(ClaimVersion.claim_id).where(ClaimVersion.source_file_id.in_(part))
            )
        )
        found.update(
            c
            for c in session.scalars(
                select(ClaimPayment.claim_id)
                .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
                .where(Remittance.source_file_id.in_(part))
            )
            if c is not None
        )
    return found


def sync_file(
    session: Session,
    *,
    source_file_id: int,
    claim_ids: Iterable[int],
    config: WorkqueueConfig | None = None,
) -> tuple[int, int]:
    """The queue step of one file, in a savepoint of its transaction: (created, closed).

    Raises what the step raised, after rolling the savepoint back and leaving the file
    marked for the catch-up.
    """
    with session.begin_nested():
        result = sync_claims(session=session, claim_ids=sorted(set(claim_ids)), config=config)
        session.execute(
            update(SourceFile).where(SourceFile.id == source_file_id).values(queue_synced=True),
            execution_options={"synchronize_session": False},
        )
    return result


def catch_up(session: Session, *, config: WorkqueueConfig | None = None) -> tuple[int, int, int]:
    """Sync the claims of every file whose queue step has not run: (created, closed, files),
    with the work-queue ``config`` (default: the shipped one)."""
    pending = list(session.scalars(select(SourceFile.id).where(SourceFile.queue_synced.is_(False))))
    if not pending:
        return 0, 0, 0
    created, closed = sync_claims(
        session=session,
        claim_ids=sorted(claims_of_files(session, source_file_ids=pending)),
        config=config,
    )
    for part in chunks(pending):
        session.execute(
            update(SourceFile).where(SourceFile.id.in_(part)).values(queue_synced=True),
            execution_options={"synchronize_session": False},
        )
    log.info("work queues caught up for %d files", len(pending))
    return created, closed, len(pending)
