"""Each claim as it was first sent: a correction must not teach the model its own fix.

The claims table holds a claim's latest submission: ingest stores a replacement (frequency
7) as the next version of the row, header, codes and lines updated. A claim denied for a
missing modifier and corrected with the modifier restored would be read with it, which is
the fix made after the denial, not what the claim looked like on the day it left; the model
would learn "modifier present, denied" and score the uncorrected claims of the next month
low. The label is the first adjudication, so the features must be those of the first
submission too.

``claim_versions`` keeps every version's source file and content fingerprint: the first
version is read again from its 837 file and taken by that fingerprint. When the file is
gone, moved or no longer holds that content, the stored (latest) content stays and is
counted, so a report can say how many corrected claims were read as they were last sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim as ClaimRow
from denialscope.claims.models import ClaimVersion
from denialscope.errors import DenialscopeError
from denialscope.ingest.claim_identity import claim_fingerprint
from denialscope.sources.models import SourceFile
from denialscope.x12.claim837.records import Claim

__all__ = ["FirstSent", "first_submissions"]


@dataclass(slots=True)
class FirstSent:
    """First submissions of the claims stored with later versions, by claim id."""

    records: dict[int, Claim] = field(default_factory=dict)
    corrected: int = 0  # claims with more than one stored version
    unavailable: int = 0  # of those, read as last sent: the first version's file is missing
    keys: set[str] = field(default_factory=set)  # claim keys of ``records`` (load_history)

    def to_dict(self) -> dict[str, int]:
        return {
            "corrected_claims": self.corrected,
            "read_as_first_sent": len(self.records),
            "read_as_last_sent": self.unavailable,
        }


def _claims_of(path: Path) -> Iterable[Claim]:
    from denialscope.x12.reader import open_x12

    with open_x12(path) as reader:
        yield from (r for r in reader if isinstance(r, Claim))


def first_submissions(session: Session, *, claim_ids: Iterable[int] | None = None) -> FirstSent:
    """The first version of every (or each of ``claim_ids``) claim stored with later ones,
    read from its 837 file."""
    query = (
        select(ClaimVersion.claim_id, ClaimVersion.fingerprint, SourceFile.name)
        .join(ClaimRow, ClaimRow.id == ClaimVersion.claim_id)
        .outerjoin(SourceFile, SourceFile.id == ClaimVersion.source_file_id)
        .where(
            ClaimVersion.version_no == 1,
            ClaimRow.current_version > 1,
            ClaimRow.is_stub.is_(False),
        )
    )
    wanted = set(claim_ids) if claim_ids is not None else None
    by_file: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    out = FirstSent()
    for claim_id, fp, name in session.execute(query).tuples():
        if wanted is not None and claim_id not in wanted:
            continue
        out.corrected += 1
        if fp and name:
            by_file[name][fp].append(claim_id)
    for name, wanted_fps in sorted(by_file.items()):
        path = Path(name)
        if not path.is_file():
            continue
        try:
            for record in _claims_of(path):
                ids = wanted_fps.get(claim_fingerprint(record))
                for claim_id in ids or ():
                    out.records[claim_id] = record
        except (OSError, DenialscopeError):
            continue  # unreadable or changed since it was loaded: those stay as last sent
    out.unavailable = out.corrected - len(out.records)
    return out
