"""A file is stored whole or not at all: a failure half way leaves no trace of it.

Failures are injected in the middle of a file (the second batch of claim payments, the
second batch of claims) and after all its rows are written (an after-store hook), as a
Python error and as a database error (on PostgreSQL that aborts the transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from denialscope.errors import InputError
from denialscope.ingest import store_claims, store_remits
from denialscope.remits.models import ClaimPayment
from denialscope.sources.models import SourceFile
from factories.database import Db, Files
from factories.x12text import Clm, Clp, Line, Svc, x12_835, x12_837p

DAY = dt.date(2024, 2, 1)


def _claims(*numbers: str) -> list[Clm]:
    return [Clm(n, [Line("99213", D(100), DAY, control=f"{n}-1")]) for n in numbers]


def _payments(*numbers: str, paid: D = D(80)) -> list[Clp]:
    return [
        Clp(n, "1", D(100), paid, f"P{n}", [Svc("99213", D(100), paid, DAY, control=f"{n}-1")])
        for n in numbers
    ]


def _python_error(_session: Session) -> None:
    raise RuntimeError("injected failure")


def _database_error(session: Session) -> None:
    session.execute(text("SELECT no_such_column FROM no_such_table"))


FAILURES = [
    pytest.param(_python_error, id="python-error"),
    pytest.param(_database_error, id="database-error"),
]


def _fail_on_second_batch(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, fail: Callable[[Session], None]
) -> None:
    """Batches of one; the second non-empty flush of the module's store fails."""
    store = module.RemitStore if module is store_remits else module.ClaimStore
    monkeypatch.setattr(module, "BATCH", 1)
    real_flush = store.flush
    batches: dict[int, int] = {}

    def flush(self: Any) -> None:
        if self._pending:
            batches[id(self)] = batches.get(id(self), 0) + 1
            if batches[id(self)] == 2:
                fail(self.session)
        real_flush(self)

    monkeypatch.setattr(store, "flush", flush)


def _snapshot(db: Db) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in db.rows(
            select(
                ClaimPayment.id,
                ClaimPayment.claim_id,
                ClaimPayment.match_method,
                ClaimPayment.seq,
                ClaimPayment.paid,
            ).order_by(ClaimPayment.id)
        )
    ]


@pytest.mark.parametrize("fail", FAILURES)
def test_a_remittance_failing_in_its_second_batch_leaves_nothing(
    ingest_db: Db,
    files: Files,
    monkeypatch: pytest.MonkeyPatch,
    fail: Callable[[Session], None],
) -> None:
    earlier = ingest_db.ingest(
        files.text("claims.837", x12_837p(_claims("A", "B", "C", "D"))),
        files.text("first.835", x12_835(_payments("A"), paid_on=dt.date(2024, 3, 1), control=1)),
    )
    assert [f.status for f in earlier.files] == ["ingested", "ingested"]
    before = ingest_db.counts()
    payments_before = _snapshot(ingest_db)

    _fail_on_second_batch(monkeypatch, store_remits, fail)
    bad = files.text(
        "bad.835", x12_835(_payments("B", "C", "D"), paid_on=dt.date(2024, 3, 8), control=2)
    )
    alone = ingest_db.ingest_one(bad)
    assert alone.status == "failed"
    assert alone.error is not None and alone.error.startswith(str(bad))
    assert "nothing was stored" in alone.error
    assert ingest_db.counts() == before
    assert _snapshot(ingest_db) == payments_before

    after = files.text(
        "next.835", x12_835(_payments("B", paid=D(70)), paid_on=dt.date(2024, 3, 15), control=3)
    )
    report = ingest_db.ingest(bad, after)
    assert [f.status for f in report.files] == ["failed", "ingested"]
    assert ingest_db.scalars(select(SourceFile.name).order_by(SourceFile.id)) == [
        str(files.root / "claims.837"),
        str(files.root / "first.835"),
        str(after),
    ]
    numbers = ingest_db.rows(
        select(ClaimPayment.patient_control_number, ClaimPayment.paid).order_by(ClaimPayment.id)
    )
    assert [tuple(r) for r in numbers] == [("A", D(80)), ("B", D(70))]
    assert _snapshot(ingest_db)[:1] == payments_before


@pytest.mark.parametrize("fail", FAILURES)
def test_a_claim_file_failing_in_its_second_batch_leaves_nothing(
    ingest_db: Db,
    files: Files,
    monkeypatch: pytest.MonkeyPatch,
    fail: Callable[[Session], None],
) -> None:
    # A remittance that came first: its stub must stay a stub when the 837 fails.
    remit = files.text("early.835", x12_835(_payments("B"), paid_on=dt.date(2024, 3, 1)))
    assert ingest_db.ingest_one(remit).status == "ingested"
    before = ingest_db.counts()
    payments_before = _snapshot(ingest_db)

    _fail_on_second_batch(monkeypatch, store_claims, fail)
    bad = files.text("bad.837", x12_837p(_claims("A", "B", "C")))
    result = ingest_db.ingest_one(bad)
    assert result.status == "failed" and result.error is not None
    assert result.error.startswith(str(bad))
    assert ingest_db.counts() == before
    assert _snapshot(ingest_db) == payments_before

    good = files.text("good.837", x12_837p(_claims("E"), control=2))
    report = ingest_db.ingest(bad, good)
    assert [f.status for f in report.files] == ["failed", "ingested"]
    assert ingest_db.counts()["claims"] == before["claims"] + 1


def test_a_failing_after_store_hook_rolls_back_the_whole_file(ingest_db: Db, files: Files) -> None:
    seen: list[int] = []

    def hook(session: Session) -> None:
        # The file's rows are visible here (same transaction) and vanish with it.
        seen.append(len(session.execute(select(ClaimPayment.id)).all()))
        raise InputError("the work queue refused the file")

    path = files.text("remit.835", x12_835(_payments("A", "B"), paid_on=dt.date(2024, 3, 1)))
    before = ingest_db.counts()
    result = ingest_db.ingest_one(path, after_store=[hook])
    assert seen == [2]
    assert result.status == "failed"
    assert result.error == f"{path}: the work queue refused the file"
    assert ingest_db.counts() == before
