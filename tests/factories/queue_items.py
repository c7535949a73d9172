"""A small work queue on a web test database: denied claims of every stream, synced to items.

``seed_queue(url)`` writes five denials (three coding, one access, one clinical) on
:data:`DAY` and returns the work item id per claim number, so tests can name the items they
hand-computed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

from sqlalchemy import select, update

from denialscope.db.engine import open_database
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.service import sync_work_items
from factories.denied import add_payment, make_denied_claim

__all__ = ["DAY", "SEEDED", "seed_queue", "set_item"]

DAY: Final = dt.date(2026, 3, 2)
# (label, root cause, dollars, payer): the label names the item in the tests.
SEEDED: Final = (
    ("coding_small", "ncci_bundling", Decimal("100.00"), "PAYERA"),
    ("coding_big", "modifier_missing_invalid", Decimal("1000.00"), "PAYERB"),
    ("coding_mid", "units_mue", Decimal("300.00"), "PAYERA"),
    ("access", "auth_not_obtained", Decimal("500.00"), "PAYERA"),
    ("clinical", "medical_necessity", Decimal("800.00"), "PAYERB"),
)


def seed_queue(url: str, *, partial_paid: Decimal | None = Decimal("300.00")) -> dict[str, int]:
    """The five items; ``coding_big`` gets a later partial payment of ``partial_paid`` (still
    a denial), which makes its net ratio ``partial_paid / 1000``."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            claims: dict[str, int] = {}
            for label, cause, dollars, payer in SEEDED:
                payment = make_denied_claim(
                    session, root_cause=cause, dollars=dollars, denied_on=DAY, payer_code=payer
                )
                claims[label] = payment.claim_id
                if label == "coding_big" and partial_paid is not None:
                    add_payment(session, payment, paid=partial_paid, on=DAY, is_denial=True)
            sync_work_items(session=session, as_of=DAY)
            session.commit()
            ids = dict(session.execute(select(WorkItem.claim_id, WorkItem.id)).tuples().all())
            return {label: ids[claim_id] for label, claim_id in claims.items()}
    finally:
        engine.dispose()


def set_item(url: str, item_id: int, **values: object) -> None:
    """Overwrite columns of one item (a deadline, an assignee) for a hand-computed case."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            session.execute(update(WorkItem).where(WorkItem.id == item_id).values(**values))
            session.commit()
    finally:
        engine.dispose()
