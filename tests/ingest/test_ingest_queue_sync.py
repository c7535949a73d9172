"""Work items follow committed data: the queue step is part of a lone file's transaction (a
run of several files does it once after the last file), and what a failed or skipped step
left is repaired by the next ingest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from denialscope.claims.models import Claim
from denialscope.ingest import queue_sync
from denialscope.sources.models import SourceFile
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.service import sync_claims
from factories.database import Db, Files
from factories.x12text import Cas, Clm, Clp, Line, x12_835, x12_837p

DAY = dt.date(2024, 2, 1)


def _files(files: Files, *numbers: str) -> tuple[str, str]:
    claims = x12_837p([Clm(n, [Line("99213", D(150), DAY)]) for n in numbers])
    denials = x12_835(
        [
            Clp(n, "4", D(150), D(0), f"PAY-{n}", [], adjustments=[Cas("CO", "50", D(150))])
            for n in numbers
        ],
        paid_on=dt.date(2024, 3, 1),
    )
    return str(files.text("c.837", claims)), str(files.text("d.835", denials))


def test_the_denials_of_a_file_become_work_items_in_its_own_transaction(
    ingest_db: Db, files: Files
) -> None:
    claims, denials = _files(files, "PCN-1", "PCN-2")
    assert ingest_db.ingest(claims).files[0].work_items_created == 0
    report = ingest_db.ingest(denials)  # one file: its queue step is in its transaction
    assert [(f.status, f.work_items_created) for f in report.files] == [("ingested", 2)]
    assert report.work_items_created == 2
    assert ingest_db.scalars(select(SourceFile.queue_synced)) == [True, True]
    assert len(ingest_db.scalars(select(WorkItem.id))) == 2


def test_a_run_of_several_files_updates_the_queue_once_after_the_last_file(
    ingest_db: Db, files: Files
) -> None:
    """Each file is stored marked "not synced"; one catch-up after the last file does them all,
    so the end state is the one-file-at-a-time state."""
    report = ingest_db.ingest(*_files(files, "PCN-1", "PCN-2"))
    assert [(f.status, f.work_items_created) for f in report.files] == [
        ("ingested", 0),
        ("ingested", 0),
    ]
    assert report.work_items_created == 2
    assert ingest_db.scalars(select(SourceFile.queue_synced)) == [True, True]
    assert len(ingest_db.scalars(select(WorkItem.id))) == 2


def test_a_failed_queue_step_keeps_the_file_and_the_next_ingest_repairs_it(
    ingest_db: Db, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _files(files, "PCN-1")

    def broken(*_args: object, **_kwargs: object) -> tuple[int, int]:
        raise RuntimeError("simulated crash in the queue step")

    monkeypatch.setattr(queue_sync, "sync_claims", broken)
    report = ingest_db.ingest(*paths)
    assert [f.status for f in report.files] == ["ingested", "ingested"]
    assert report.work_queue_error == "internal error (RuntimeError)"
    assert ingest_db.scalars(select(WorkItem.id)) == []
    assert ingest_db.scalars(select(SourceFile.queue_synced)) == [False, False]

    monkeypatch.undo()
    again = ingest_db.ingest(*paths)  # the same files: nothing to store, but the queue repairs
    assert [f.status for f in again.files] == ["already_ingested", "already_ingested"]
    assert again.work_items_created == 1
    assert ingest_db.scalars(select(SourceFile.queue_synced)) == [True, True]
    assert ingest_db.ingest(*paths).work_items_created == 0  # idempotent


def test_a_file_stored_without_its_queue_step_is_caught_up_by_the_next_ingest(
    ingest_db: Db, files: Files
) -> None:
    """The old crash window (file committed, queue step never ran) is repaired."""
    claims, denials = _files(files, "PCN-1", "PCN-2")
    ingest_db.ingest(claims, denials, update_work_queues=False)
    assert ingest_db.scalars(select(WorkItem.id)) == []
    unrelated = files.text("e.837", x12_837p([Clm("PCN-9", [Line("99213", D(80), DAY)])]))
    report = ingest_db.ingest(unrelated)
    assert report.work_items_created == 2
    assert sorted(ingest_db.scalars(select(WorkItem.status))) == ["new", "new"]


def test_sync_claims_touches_only_the_claims_it_is_given(ingest_db: Db, files: Files) -> None:
    ingest_db.ingest(*_files(files, "PCN-1", "PCN-2"), update_work_queues=False)
    with ingest_db.factory() as session:
        first = session.scalar(select(Claim.id).where(Claim.control_number == "PCN-1"))
        assert first is not None
        assert sync_claims(session=session, claim_ids=[first]) == (1, 0)
        assert sync_claims(session=session, claim_ids=[first]) == (0, 0)
        session.commit()
    assert ingest_db.rows(select(WorkItem.claim_id)) == [(first,)]
