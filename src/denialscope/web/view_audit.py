"""Views audited in groups: one write transaction for the views of many requests at once.

Every view of a page with patient data (the queue, a claim, a claim list, a letter, a work
item) adds an audit row before the page is answered. Written by each request alone, that
made every view a write: under twenty users the views queued for SQLite's single writer one
transaction each, and a transaction holding the lock waited for the interpreter among the
requests rendering pages (measured: the queue page p50 235 ms with 2 processes against 69 ms
for a static file, its CPU alone about 5 ms more). Here a request hands its row to the
process's recorder and waits; the recorder writes every row waiting in one transaction and
wakes them all. The guarantee is the same as before: no page is answered before its audit
row is committed, and a failure to store it fails the request (a clear 503, nothing shown).

Changes (updates, exports) are still audited in their own transaction, with the change.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from denialscope.db.failures import LockTimeoutError
from denialscope.db.locks import begin_writing
from denialscope.web.models import AuditEvent

__all__ = ["ViewRecorder"]

MAX_BATCH: Final = 500


@dataclass(slots=True)
class _Pending:
    values: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class ViewRecorder:
    """The process's writer of view rows (a thread, started and stopped with the app)."""

    def __init__(self, factory: sessionmaker[Session], timeout_s: float) -> None:
        self._factory = factory
        self._timeout_s = timeout_s
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="view-audit", daemon=True)
        self.batches = 0  # transactions written (tests, diagnostics)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Write what is waiting, then end the thread."""
        self._queue.put(None)
        self._thread.join(timeout=self._timeout_s)

    def record(self, values: dict[str, Any]) -> None:
        """Store one audit row (``AuditEvent`` columns) and return once it is committed;
        the storing's error is raised here."""
        pending = _Pending(values)
        self._queue.put(pending)
        if not pending.done.wait(self._timeout_s):
            raise LockTimeoutError(
                f"the database is busy: this view's audit row was not stored within "
                f"{self._timeout_s:g} s, so the page is not shown"
            )
        if pending.error is not None:
            raise pending.error

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        try:
            with self._factory() as session:
                begin_writing(session)
                session.execute(insert(AuditEvent), [p.values for p in batch])
                session.commit()
            self.batches += 1
        except BaseException as error:  # every waiter gets it; the thread goes on
            for pending in batch:
                pending.error = error
        finally:
            for pending in batch:
                pending.done.set()
