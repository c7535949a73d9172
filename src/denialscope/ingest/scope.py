"""What every store of one file shares inside the file's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from denialscope.ingest.bulk import BulkWriter
from denialscope.ingest.lookups import IdAllocator, Lookups
from denialscope.orgs.service import OrgResolver

__all__ = ["FileScope"]


@dataclass(frozen=True, slots=True)
class FileScope:
    """The session, id allocator, natural-key lookups, organization resolver and bulk writer
    of one file's transaction, and the file's own row id (every stored row points at it)."""

    session: Session
    ids: IdAllocator
    lookups: Lookups
    resolver: OrgResolver
    bulk: BulkWriter
    source_file_id: int

    @classmethod
    def open(cls, session: Session, source_file_id: int) -> FileScope:
        ids = IdAllocator(session)
        bulk = BulkWriter(session)  # one statement cache for all the file's tables
        return cls(
            session=session,
            ids=ids,
            lookups=Lookups(session, ids=ids, bulk=bulk),
            resolver=OrgResolver(session),
            bulk=bulk,
            source_file_id=source_file_id,
        )
