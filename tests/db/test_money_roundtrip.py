"""Money stays exact: single values and sums come back as the Decimals that went in."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.sources.models import SourceFile

EDGE_AMOUNTS = [
    Decimal("0.01"),
    Decimal("0.10"),
    Decimal("-0.01"),
    Decimal("1234.5"),
    Decimal("-98765.43"),
    Decimal("999999999999.99"),  # the largest Numeric(14, 2)
    Decimal("-999999999999.99"),
    Decimal("100000000000.07"),
]


def _claims(amounts: list[Decimal], prefix: str) -> list[dict[str, object]]:
    return [
        {
            "claim_key": f"{prefix}{i}|1234567893",
            "control_number": f"{prefix}{i}",
            "total_charge": a,
        }
        for i, a in enumerate(amounts)
    ]


def test_single_amounts_round_trip_exactly(session: Session) -> None:
    session.execute(insert(Claim), _claims(EDGE_AMOUNTS, "E"))
    session.commit()
    stored = session.scalars(select(Claim.total_charge).order_by(Claim.id)).all()
    assert all(isinstance(value, Decimal) for value in stored)
    assert stored == EDGE_AMOUNTS


def test_sums_of_cents_are_exact(session: Session) -> None:
    # 0.01 has no exact binary form: a float sum of ten thousand of them drifts.
    cents = [Decimal("0.01")] * 10_000
    rng = random.Random(835)
    mixed = [Decimal(rng.randrange(-10_000_000_00, 10_000_000_00)) / 100 for _ in range(3_000)]
    session.execute(insert(Claim), _claims(cents, "C"))
    session.execute(insert(Claim), _claims(mixed, "M"))
    session.commit()

    total = session.scalar(select(func.sum(Claim.total_charge)))
    cents_total = session.scalar(
        select(func.sum(Claim.total_charge)).where(Claim.control_number.like("C%"))
    )
    assert cents_total == sum(cents, Decimal(0))
    assert total == sum(cents + mixed, Decimal(0))


def test_aware_timestamps_come_back_in_utc(session: Session) -> None:
    eastern = dt.timezone(dt.timedelta(hours=-5))
    received = dt.datetime(2024, 3, 1, 18, 30, 15, tzinfo=eastern)
    session.add(SourceFile(sha256="b" * 64, name="remit.835", received_at=received))
    session.commit()
    session.expire_all()
    stored = session.scalar(select(SourceFile.received_at))
    assert stored == received
    assert stored is not None and stored.utcoffset() == dt.timedelta(0)
