"""The queue page and "take next" read the top of a queue from ``ix_work_items_rank`` on
SQLite (migration 0013), and count from ``ix_work_items_open``: checked on the query plans
SQLite gives the statements the services really run, not on timings.

Without the planner hint (:func:`denialscope.workqueue.browse.likely`) SQLite takes the
stream or status equality as selective, reads every item of the streams and sorts them all:
"USE TEMP B-TREE FOR ORDER BY" on the whole order. PostgreSQL plans from its statistics, so
these plans are SQLite's only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from denialscope.db.engine import open_database
from denialscope.workqueue.browse import QueueFilters, browse_queue
from denialscope.workqueue.service import next_item

STREAMS = frozenset({"access", "billing", "clinical", "coding"})


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[tuple[Engine, Callable[[], Any]]]:
    engine, factory = open_database(f"sqlite:///{tmp_path / 'plans.db'}", migrate=True)
    yield engine, factory
    engine.dispose()


def _statements(engine: Engine, run: Callable[[], object]) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        if "work_items" in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _plan(engine: Engine, statement: str, params: Any) -> str:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
    return " | ".join(str(row[-1]) for row in rows)


def test_the_queue_page_walks_the_rank_index_and_counts_from_the_open_index(
    sqlite_engine: tuple[Engine, Callable[[], Any]],
) -> None:
    engine, factory = sqlite_engine
    for streams in (STREAMS, frozenset({"coding"})):
        with factory() as session:
            filters = QueueFilters(streams=streams, user="lead")
            ran = _statements(engine, partial(browse_queue, session=session, filters=filters))
        pages = [(s, p) for s, p in ran if "ORDER BY work_items.priority DESC" in s]
        counts = [(s, p) for s, p in ran if s.startswith("SELECT count(work_items.id)")]
        assert len(pages) == 1 and len(counts) == 2
        plan = _plan(engine, *pages[0])
        assert "USING INDEX ix_work_items_rank" in plan, plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan  # only its right part
        for statement, params in counts:
            assert "USING COVERING INDEX ix_work_items_open" in _plan(engine, statement, params)


def test_take_next_finds_its_item_in_the_rank_index(
    sqlite_engine: tuple[Engine, Callable[[], Any]],
) -> None:
    engine, factory = sqlite_engine
    for streams in (STREAMS, {"coding"}):
        with factory() as session:
            take = partial(next_item, session=session, queue=None, user="u", streams=streams)
            ran = _statements(engine, take)
        updates = [(s, p) for s, p in ran if s.startswith("UPDATE work_items")]
        assert len(updates) == 1
        plan = _plan(engine, *updates[0])
        assert "USING COVERING INDEX ix_work_items_rank" in plan, plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
