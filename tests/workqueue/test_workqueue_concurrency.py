"""Several users pulling from one queue at once never receive the same item (both engines)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

from sqlalchemy import Engine, func, select

from denialscope.db.engine import session_factory
from denialscope.workqueue.models import WorkItem, WorkItemEvent
from denialscope.workqueue.service import next_item, sync_work_items
from factories.denied import make_denied_claim

ITEMS = 24
WORKERS = 6


def test_concurrent_workers_never_share_an_item(engine: Engine) -> None:
    factory = session_factory(engine)
    day = dt.date(2026, 3, 2)
    with factory() as session:
        for n in range(ITEMS):
            make_denied_claim(
                session, root_cause="ncci_bundling", dollars=Decimal(100 + n), denied_on=day
            )
        sync_work_items(session=session, as_of=day)
        session.commit()

    taken: dict[str, list[int]] = {f"user{n}": [] for n in range(WORKERS)}
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)
    # Every worker holds its first item until all have one: with SQLite's single writer one
    # thread could otherwise drain the queue before the others start, and the "shared"
    # check below would depend on the scheduler.
    first_round = threading.Barrier(WORKERS)

    def work(user: str) -> None:
        try:
            start.wait()
            while True:
                with factory() as session:
                    item = next_item(session=session, queue="coding", user=user)
                    session.commit()
                    if item is None:
                        return
                    taken[user].append(item.id)
                if len(taken[user]) == 1:
                    first_round.wait(timeout=60)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(user,)) for user in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    every = [item_id for ids in taken.values() for item_id in ids]
    assert len(every) == ITEMS
    assert len(set(every)) == ITEMS
    assert all(taken.values())  # the work was really shared

    with factory() as session:
        rows = session.execute(select(WorkItem.id, WorkItem.assigned_to)).all()
        owners = {item_id: user for item_id, user in rows}
        assert {item_id: user for user, ids in taken.items() for item_id in ids} == owners
        assigned_events = session.scalar(
            select(func.count()).select_from(WorkItemEvent).where(WorkItemEvent.kind == "assigned")
        )
        assert assigned_events == ITEMS
