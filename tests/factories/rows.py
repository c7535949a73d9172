"""Database rows the data sets are made of, inserted through the models (no X12).

Small get-or-create factories: a test names only what it cares about; the rest is invented.
"""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.orgs.models import Department, Facility, Payer, Provider
from denialscope.remits.models import Remittance
from denialscope.sources.models import SourceFile
from denialscope.workqueue.models import WorkItem
from factories.x12text import BILLING_NPI

__all__ = [
    "BILLING_NPI",
    "department",
    "payer",
    "provider",
    "remittance",
    "source_file",
    "work_item_for",
]

_files = itertools.count(1)


def source_file(session: Session, *, name: str | None = None) -> SourceFile:
    """A loaded file with a digest of its own (a row every remittance points to)."""
    number = next(_files)
    row = SourceFile(sha256=f"{number:064x}", name=name or f"synthetic-{number}.x12")
    session.add(row)
    session.flush()
    return row


def remittance(session: Session, **fields: object) -> Remittance:
    """A remittance from a new source file; ``fields`` are Remittance columns."""
    row = Remittance(source_file_id=source_file(session).id, **fields)
    session.add(row)
    session.flush()
    return row


def payer(
    session: Session,
    code: str,
    *,
    name: str | None = None,
    kind: str | None = None,
    id_qualifier: str | None = "PI",
) -> Payer:
    """The payer keyed ``code``, created on first use."""
    row = session.scalar(select(Payer).where(Payer.payer_key == code))
    if row is None:
        row = Payer(
            payer_key=code,
            name=name or f"{code} TEST PLAN",
            id_qualifier=id_qualifier,
            payer_id=code,
            kind=kind,
        )
        session.add(row)
        session.flush()
    return row


def provider(session: Session, npi: str = BILLING_NPI) -> Provider:
    row = session.scalar(select(Provider).where(Provider.npi == npi))
    if row is None:
        row = Provider(npi=npi, name="SYNTHETIC CLINIC")
        session.add(row)
        session.flush()
    return row


def department(
    session: Session, code: str, *, name: str, service_line: str, facility: str = "F1"
) -> Department:
    """The department ``code`` of facility ``facility`` (both created on first use)."""
    row = session.scalar(select(Department).where(Department.code == code))
    if row is not None:
        return row
    site = session.scalar(select(Facility).where(Facility.code == facility))
    if site is None:
        site = Facility(code=facility, name=f"Facility {facility}")
        session.add(site)
    row = Department(code=code, name=name, service_line=service_line, facility=site)
    session.add(row)
    session.flush()
    return row


def work_item_for(session: Session, claim_id: int | None) -> WorkItem:
    """The work item the queue holds for a claim (after ``sync_work_items``)."""
    item = session.scalar(select(WorkItem).where(WorkItem.claim_id == claim_id))
    assert item is not None, f"no work item for claim {claim_id}"
    return item
