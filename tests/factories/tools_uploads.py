"""Files the scrubber, ingest and administration tests upload, and a look at what was audited.

``three_claims_837()`` is a hand-built 837P (built by ``x12text``) with three claims of one
patient on 2024-03-01: CLEAN1 (99213 once), DUP2 (99213 twice: both lines duplicate
CLEAN1's, two rejections) and MOD3 (99213-ZZ). Every claim also gets the billing provider's
missing taxonomy (a warning) and J20.9 unspecified (an information). ``truncated_837()`` is
the same file cut inside its transaction set: the reader stops at its last complete segment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.web.models import AuditEvent
from factories.x12text import Cas, Clm, Clp, Line, x12_835, x12_837p

__all__ = [
    "SERVICE_DAY",
    "audit_rows",
    "denial_835",
    "three_claims_837",
    "truncated_837",
]

SERVICE_DAY = dt.date(2024, 3, 1)


def three_claims_837() -> bytes:
    office = Line("99213", D("120"), SERVICE_DAY)
    claims = [
        Clm("CLEAN1", [office]),
        Clm("DUP2", [office, office]),
        Clm("MOD3", [Line("99213", D("100"), SERVICE_DAY, modifiers=("ZZ",))]),
    ]
    return x12_837p(claims).encode()


def truncated_837(keep_segments: int = 12) -> bytes:
    """The first ``keep_segments`` segments of :func:`three_claims_837` (no SE, GE, IEA)."""
    segments = three_claims_837().decode().split("~")
    return ("~".join(segments[:keep_segments]) + "~").encode()


def denial_835() -> bytes:
    """One claim payment, PCN-OP: 400.00 charged, nothing paid, CO-197 400.00 (no DRG: an
    outpatient authorization denial, access / auth_not_obtained by the shipped mapping)."""
    payments = [Clp("PCN-OP", "4", D(400), D(0), "PAY-OP", adjustments=[Cas("CO", "197", D(400))])]
    return x12_835(payments, paid_on=dt.date(2024, 5, 1)).encode()


def audit_rows(url: str) -> list[tuple[str, str, str, str | None, str | None]]:
    """(username, action, subject_type, subject_id, detail) of every audit row, in order."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            rows = session.execute(
                select(
                    AuditEvent.username,
                    AuditEvent.action,
                    AuditEvent.subject_type,
                    AuditEvent.subject_id,
                    AuditEvent.detail,
                ).order_by(AuditEvent.id)
            ).tuples()
            return list(rows)
    finally:
        engine.dispose()
