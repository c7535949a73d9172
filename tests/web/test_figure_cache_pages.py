"""The dashboard and the Pareto come from the figure cache: the same answer as computing
afresh, kept while the data stays, computed again as soon as it changes (an 835 stored by
another process), and warmed without a reader (``denialscope serve``'s background thread
calls :func:`warm_once`). SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from denialscope.web.figures import warm_once
from factories.denied import add_payment, make_denied_claim
from factories.web import WebClients


def _store_denial(url: str, dollars: str, day: dt.date) -> None:
    """What an ingest by the CLI does to the database, from outside the application."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            payment = make_denied_claim(
                session, root_cause="no_auth", dollars=Decimal(dollars), denied_on=day
            )
            add_payment(session, payment, paid=Decimal("0"), on=day, is_denial=True)
            session.commit()
    finally:
        engine.dispose()


def test_pages_follow_the_data_and_are_kept_while_it_stays(web: WebClients) -> None:
    leader = web.as_role("leader")
    cache = web.app.state.figures.cache
    empty = leader.get("/dashboard.json").json()
    assert empty["kpis"] is None
    computed = cache.computed
    assert leader.get("/dashboard.json").json() == empty
    assert cache.computed == computed  # kept: the data did not change

    _store_denial(web.url, "120.00", dt.date(2025, 4, 2))
    one = leader.get("/dashboard.json").json()
    assert one["kpis"]["claims_submitted"] == 1  # never the figure of the older data
    assert one["kpis"]["initial_denials"] == 1
    pareto = leader.get("/pareto.json", params={"target": "0.8"}).json()
    assert pareto["total"] == "1"

    _store_denial(web.url, "80.00", dt.date(2025, 4, 9))
    assert leader.get("/dashboard.json").json()["kpis"]["claims_submitted"] == 2
    assert leader.get("/pareto.json", params={"target": "0.8"}).json()["total"] == "2"


def test_warming_computes_the_defaults_before_anyone_asks(web: WebClients) -> None:
    leader = web.as_role("leader")
    _store_denial(web.url, "120.00", dt.date(2025, 4, 2))
    cache = web.app.state.figures.cache
    assert warm_once(web.app) == 3  # the filter bar's choices, the default dashboard, Pareto
    computed, hits = cache.computed, cache.hits
    assert leader.get("/dashboard.json").json()["kpis"]["claims_submitted"] == 1
    assert leader.get("/pareto.json").json()["total"] == "1"
    assert (cache.computed, cache.hits) == (computed, hits + 2)  # both read, none computed
    leader.get("/pareto")  # the page also reads the filter bar's choices: warmed too
    assert (cache.computed, cache.hits) == (computed, hits + 4)

    scoped = leader.get("/dashboard.json", params={"stream": "access"})
    assert scoped.status_code == 200
    _store_denial(web.url, "80.00", dt.date(2025, 4, 9))
    assert warm_once(web.app) == 4  # the defaults and the scope asked for last
    computed = cache.computed
    assert leader.get("/dashboard.json", params={"stream": "access"}).status_code == 200
    assert cache.computed == computed


def test_warming_takes_at_most_a_tenth_of_a_core() -> None:
    from denialscope.web.figures import WARM_SHARE, warm_pause

    assert warm_pause(0.2, 15.0) == 15.0  # a quick warm: the usual interval
    # A 30 s dashboard: 270 s of rest, so 30 of every 300 s at most.
    assert warm_pause(30.0, 15.0) == 270.0
    spent = 12.5
    assert spent / (spent + warm_pause(spent, 15.0)) <= WARM_SHARE + 1e-12
