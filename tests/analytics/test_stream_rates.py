"""Every stream's initial denial rate from one query equals each stream's own filter, on the
demo (every grouping of scope the dashboard offers: all, a payer, a month)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.cohort import Filters
from denialscope.classify.taxonomy import DENIAL_STREAMS
from factories.demo_db import DemoDatabase


def test_per_stream_in_one_query_equals_each_stream_filter(demo_database: DemoDatabase) -> None:
    engine = create_engine(demo_database.url)  # read only
    scopes = [
        Filters(),
        Filters(payer="SUMMIT"),
        Filters(date_from=dt.date(2025, 6, 1), date_to=dt.date(2025, 6, 30)),
    ]
    try:
        with Session(engine) as session:
            for scope in scopes:
                together = kpis.initial_denial_rate_per_stream(session, filters=scope)
                assert set(DENIAL_STREAMS) <= set(together)
                for stream in DENIAL_STREAMS:
                    alone = kpis.initial_denial_rate(
                        session, filters=Filters(**{**_fields(scope), "stream": stream})
                    )["all"]
                    assert together[stream]["count"] == alone["count"], (scope, stream)
                    assert together[stream]["charges"] == alone["charges"], (scope, stream)
                assert any(r["count"].numerator for r in together.values())  # not all zero
    finally:
        engine.dispose()


def _fields(scope: Filters) -> dict[str, object]:
    return {name: getattr(scope, name) for name in Filters.__slots__}
