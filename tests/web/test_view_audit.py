"""Views audited in groups: a row is committed before ``record`` returns, the rows waiting
while the database was busy go in one transaction, and a failure reaches the request."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from denialscope.db.engine import open_database
from denialscope.web.models import AuditEvent
from denialscope.web.view_audit import ViewRecorder
from factories.queue_items import seed_queue
from factories.web import WebClients


def _row(n: int) -> dict[str, object]:
    return {
        "username": f"user{n}",
        "role": "coder",
        "action": "view",
        "subject_type": "claim",
        "subject_id": str(n),
        "path": f"/claims/{n}",
        "detail": None,
        "client": None,
    }


def _count(factory: object) -> int:
    with factory() as session:  # type: ignore[operator]
        return int(session.scalar(select(func.count()).select_from(AuditEvent)))


def test_a_row_is_committed_before_record_returns(migrated_database_url: str) -> None:
    engine, factory = open_database(migrated_database_url, migrate=False)
    recorder = ViewRecorder(factory, timeout_s=30)
    recorder.start()
    try:
        for n in range(3):
            recorder.record(_row(n))
            assert _count(factory) == n + 1
    finally:
        recorder.stop()
        engine.dispose()


def test_rows_waiting_while_the_database_is_busy_go_in_one_transaction(tmp_path: Path) -> None:
    path = tmp_path / "views.db"
    engine, factory = open_database(f"sqlite:///{path}", migrate=True)
    recorder = ViewRecorder(factory, timeout_s=60)
    recorder.start()
    other = sqlite3.connect(path, isolation_level=None)  # another program writing
    other.execute("BEGIN IMMEDIATE")
    threads = [threading.Thread(target=recorder.record, args=(_row(n),)) for n in range(6)]
    writing = threading.Event()  # the writer has its batch and is about to wait for the lock
    write = recorder._write

    def watched(batch: list[Any]) -> None:
        writing.set()
        write(batch)

    recorder._write = watched  # type: ignore[method-assign]

    def wait_until(done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 30  # a bound, not a timing the test depends on
        while not done() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert done()

    try:
        # The first row alone: the writer takes it and waits for the lock (had the six been
        # queued at once, the writer could have taken two or more before waiting).
        threads[0].start()
        wait_until(writing.is_set)
        for thread in threads[1:]:
            thread.start()
        wait_until(lambda: recorder._queue.qsize() == 5)  # the other five wait in line
        other.execute("ROLLBACK")
        for thread in threads:
            thread.join(30)
        assert _count(factory) == 6
        assert recorder.batches == 2  # the first row alone, then the five together
    finally:
        other.close()
        recorder.stop()
        engine.dispose()


def test_a_failure_to_store_reaches_the_request(migrated_database_url: str) -> None:
    engine, factory = open_database(migrated_database_url, migrate=False)
    recorder = ViewRecorder(factory, timeout_s=30)
    recorder.start()
    try:
        with pytest.raises(Exception, match="username"):
            recorder.record({**_row(1), "username": None})  # NOT NULL: refused
        recorder.record(_row(2))  # the writer goes on
        assert _count(factory) == 1
    finally:
        recorder.stop()
        engine.dispose()


def test_a_view_whose_audit_row_cannot_be_stored_is_a_clear_503(
    web: WebClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    from denialscope.db.failures import LockTimeoutError

    seed_queue(web.url)
    coder = web.as_role("coder")

    def busy(_values: object) -> None:
        raise LockTimeoutError("the database is busy: another writer kept it for 300 s")

    monkeypatch.setattr(web.app.state.view_audit, "record", busy)
    page = coder.get("/queue")
    assert page.status_code == 503
    assert "the database is busy" in page.text and "Traceback" not in page.text
    answer = coder.get("/queue.json")
    assert answer.status_code == 503 and "busy" in answer.json()["error"]
