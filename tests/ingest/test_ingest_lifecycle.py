"""A claim's adjudications are numbered in the order the payer decided them, whatever the
order the files arrive in, and each reversal points at the payment it takes back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from denialscope.remits.models import ClaimPayment
from factories.database import Db, Files
from factories.x12text import Cas, Clm, Clp, Line, Svc, x12_835, x12_837p

DAY = dt.date(2024, 2, 1)
DENIED_ON = dt.date(2024, 3, 1)
CORRECTED_ON = dt.date(2024, 4, 1)
APPEALED_ON = dt.date(2024, 5, 1)


def _clp(status: str, charge: int, paid: int) -> Clp:
    svc = Svc("99213", D(charge), D(paid), DAY, control="LC-1")
    if status == "4":
        svc.adjustments = [Cas("CO", "50", D(charge))]
    return Clp("PCN-L", status, D(charge), D(paid), "PAYER-L", [svc])


def _remits(files: Files) -> list[Path]:
    denial = x12_835([_clp("4", 100, 0)], paid_on=DENIED_ON, control=1)
    # Reprocessing: the denial is reversed and the claim paid in part.
    corrected = x12_835([_clp("22", -100, 0), _clp("1", 100, 60)], paid_on=CORRECTED_ON, control=2)
    # After appeal: the partial payment is reversed and the claim paid in full.
    appealed = x12_835([_clp("22", -100, -60), _clp("1", 100, 100)], paid_on=APPEALED_ON, control=3)
    return [
        files.text("1-denial.835", denial),
        files.text("2-corrected.835", corrected),
        files.text("3-appeal.835", appealed),
    ]


ORDERS = [
    pytest.param(order, id="-".join(str(i + 1) for i in order))
    for order in [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)]
]


@pytest.mark.parametrize("claim_first", [True, False], ids=["837-first", "837-last"])
@pytest.mark.parametrize("order", ORDERS)
def test_payments_are_sequenced_by_adjudication_date_and_reversals_paired(
    ingest_db: Db, files: Files, order: tuple[int, ...], claim_first: bool
) -> None:
    claim = files.text("claim.837", x12_837p([Clm("PCN-L", [Line("99213", D(100), DAY)])]))
    remits = _remits(files)
    paths = [remits[i] for i in order]
    paths = [claim, *paths] if claim_first else [*paths, claim]
    for path in paths:  # one call per file: each is its own delivery
        assert ingest_db.ingest_one(path).status == "ingested"

    rows = ingest_db.rows(
        select(
            ClaimPayment.id,
            ClaimPayment.claim_id,
            ClaimPayment.seq,
            ClaimPayment.status_code,
            ClaimPayment.paid,
            ClaimPayment.adjudicated_at,
            ClaimPayment.is_reversal,
            ClaimPayment.reverses_payment_id,
        ).order_by(ClaimPayment.seq)
    )
    assert len({r.claim_id for r in rows}) == 1
    assert [(r.seq, r.status_code, r.paid, r.adjudicated_at) for r in rows] == [
        (1, "4", D(0), DENIED_ON),
        (2, "22", D(0), CORRECTED_ON),
        (3, "1", D(60), CORRECTED_ON),
        (4, "22", D(-60), APPEALED_ON),
        (5, "1", D(100), APPEALED_ON),
    ]
    seq_of = {r.id: r.seq for r in rows}
    reverses = {r.seq: seq_of.get(r.reverses_payment_id) for r in rows if r.is_reversal}
    assert reverses == {2: 1, 4: 3}
    assert all(r.reverses_payment_id is None for r in rows if not r.is_reversal)


def test_the_report_counts_the_denials_it_stored(ingest_db: Db, files: Files) -> None:
    denial, corrected, _ = _remits(files)
    report = ingest_db.ingest(denial, corrected)
    stored = ingest_db.rows(
        select(ClaimPayment.adjudicated_at, ClaimPayment.is_denial).order_by(ClaimPayment.id)
    )
    assert [tuple(r) for r in stored] == [
        (DENIED_ON, True),
        (CORRECTED_ON, False),
        (CORRECTED_ON, False),
    ]
    assert [f.denials for f in report.files] == [1, 0]
