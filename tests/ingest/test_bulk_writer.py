"""The bulk writer stores exactly what SQLAlchemy's own insert would, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, insert, select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.ingest.bulk import BulkWriter
from denialscope.ingest.lookups import table_of

NOW = dt.datetime(2025, 3, 4, 5, 6, 7, 890, tzinfo=dt.UTC)


def _claim(cid: int, **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": cid,
        "claim_key": f"KEY{cid}",
        "control_number": f"CN{cid}",
        "kind": "837P",
        "claim_type": "professional",
        "total_charge": Decimal("1234.56"),
        "statement_from": dt.date(2025, 1, 31),
        "statement_to": None,
        "submitted_at": dt.date(2025, 2, 1),
        "is_stub": True,
        "current_version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(values)
    return row


def test_bulk_rows_equal_sqlalchemy_rows(session: Session) -> None:
    table = table_of(Claim)
    bulk_rows = [_claim(1), _claim(2, is_stub=False, total_charge=None, statement_from=None)]
    BulkWriter(session).insert(table, bulk_rows)
    session.execute(
        insert(table),
        [_claim(3), _claim(4, is_stub=False, total_charge=None, statement_from=None)],
    )
    columns = [
        table.c[name] for name in bulk_rows[0] if name not in ("id", "claim_key", "control_number")
    ]
    stored = {
        row[0]: row[1:]
        for row in session.execute(select(table.c.id, *columns).order_by(table.c.id))
    }
    assert stored[1] == stored[3]
    assert stored[2] == stored[4]
    assert stored[1][columns.index(table.c.statement_from)] == dt.date(2025, 1, 31)
    assert stored[1][columns.index(table.c.created_at)] == NOW
    # And the raw text/integers in the file are the same too (string comparisons in SQL).
    raw = session.execute(
        select(
            table.c.id,
            table.c.statement_from.cast(table.c.claim_key.type),
            table.c.is_stub.cast(table.c.current_version.type),
        ).order_by(table.c.id)
    ).all()
    assert raw[0][1:] == raw[2][1:] and raw[1][1:] == raw[3][1:]
    assert isinstance(Claim.__table__.c.is_stub.type, Boolean)
    assert isinstance(Claim.__table__.c.statement_from.type, Date)
