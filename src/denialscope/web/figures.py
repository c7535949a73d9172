"""The leaders' figures as the pages get them: through the figure cache, kept warm.

A page asks :func:`figure` for (kind, parameters); the value comes from
:class:`~denialscope.analytics.figure_cache.FigureCache` for the current data version, or is
computed once by the recipe of that kind (:data:`RECIPES`: the same service call the CLI
makes). The computation runs in its own database sessions, not the request's: the summary
cube is brought up to date first (once at a time in this process: twenty requests after an
835 batch rebuild it once), then the figure is computed on a session that sees the rebuilt
cube, so its version is the one the figure is kept under.

With ``warm`` (``denialscope serve``), a background thread looks at the data version every
``interval`` seconds and, when it moved (an ingest by the CLI, an outcome set in a page),
computes again the default dashboard and Pareto and the scopes asked for last, so the first
leader after a change does not wait either; it also computes the claim pages at the top of
each stream's queue before their first view (:func:`warm_claim_pages`). Tests call
:func:`warm_once` and :func:`warm_claim_pages` instead (no thread).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeVar

from fastapi import FastAPI, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from denialscope.analytics.cohort import Filters
from denialscope.analytics.figure_cache import FigureCache, data_version

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "RECIPES",
    "FigureWarmer",
    "figure",
    "install",
    "page_part",
    "warm_claim_pages",
    "warm_once",
]

log = logging.getLogger(__name__)

WARM_RECENT: Final = 8  # scopes recomputed after a data change, besides the defaults
WARM_INTERVAL_S: Final = 15.0
PARTS_KEPT: Final = 512
T = TypeVar("T")


def _dashboard(session: Session, settings: Settings, filters: Filters) -> Any:
    from denialscope.analytics.dashboard import dashboard

    return dashboard(session=session, settings=settings, filters=filters)


def _pareto(
    session: Session, settings: Settings, filters: Filters, target: Decimal, measure: str
) -> Any:
    from denialscope.analytics.dashboard import pareto_both_bases

    return pareto_both_bases(
        session=session,
        filters=filters,
        target=target,
        measure="dollars" if measure == "dollars" else "count",
    )


def _choices(session: Session, settings: Settings) -> Any:
    from denialscope.analytics.claim_list import scope_choices

    return scope_choices(session=session)


# kind -> the service call (session, settings, *parameters); parameters are hashable.
RECIPES: Final[dict[str, Callable[..., Any]]] = {
    "dashboard": _dashboard,
    "pareto": _pareto,
    "choices": _choices,  # what the filter bar offers (a scan of the claims' service lines)
}
# What a leader opens first: warmed even before anyone asked.
DEFAULTS: Final[tuple[tuple[str, tuple[Hashable, ...]], ...]] = (
    ("choices", ()),
    ("dashboard", (Filters(),)),
    ("pareto", (Filters(), Decimal("0.7"), "count")),
)


class _State:
    """What one application keeps: the cache and the lock of the cube rebuild."""

    def __init__(self) -> None:
        self.cache = FigureCache()
        self.cube_lock = threading.Lock()
        self.parts_lock = threading.Lock()
        self.parts: OrderedDict[tuple[int, Hashable], tuple[Any, Any]] = OrderedDict()


def install(app: FastAPI) -> None:
    app.state.figures = _State()


def _cube_checked(session: Session, factory: sessionmaker[Session], state: _State) -> str:
    """The cube's fingerprint after bringing the cube up to date (rebuilt by one request at a
    time; the others wait, then find it fresh)."""
    from denialscope.analytics.cube import fingerprint
    from denialscope.analytics.models import CubeState

    def built_from() -> str | None:
        return session.scalar(select(CubeState.fingerprint).order_by(CubeState.id.desc()).limit(1))

    current = fingerprint(session)
    if built_from() == current:
        return current
    from denialscope.analytics.service import refresh_if_stale

    with state.cube_lock, factory() as writer:
        if refresh_if_stale(session=writer):
            writer.commit()
    session.rollback()  # a new snapshot: the one that sees the rebuilt cube
    return fingerprint(session)


def current_version(factory: sessionmaker[Session], settings: Settings, state: _State) -> str:
    """The data version, the cube brought up to date first (its rebuild moves the version)."""
    with factory() as session:
        return data_version(
            session, settings, cube_fingerprint=_cube_checked(session, factory, state)
        )


def compute(
    factory: sessionmaker[Session],
    settings: Settings,
    state: _State,
    kind: str,
    params: tuple[Hashable, ...],
    *,
    version: str | None = None,
) -> Any:
    """The figure for the data as it is now (kept, waited for, or computed here)."""
    recipe = RECIPES[kind]
    if version is None:
        version = current_version(factory, settings, state)

    def run() -> Any:
        with factory() as session:
            value = recipe(session, settings, *params)
            session.commit()  # the cube, if data arrived in between and it was rebuilt
            return value

    return state.cache.get((kind, params), version, run)


def figure(request: Request, kind: str, *params: Hashable) -> Any:
    """A page's figure: ``figure(request, "dashboard", filters)``. The data version is read
    once per request: a page's figures all belong to one version."""
    app = request.app
    factory, settings, state = app.state.session_factory, app.state.settings, app.state.figures
    version = getattr(request.state, "data_version", None)
    if version is None:
        version = request.state.data_version = current_version(factory, settings, state)
    return compute(factory, settings, state, kind, params, version=version)


def page_part(request: Request, value: Any, key: Hashable, build: Callable[[], T]) -> T:
    """Something a page derives from a kept figure (its charts, whose links carry the page's
    query): built once per figure object and ``key``, dropped with the figure."""
    state: _State = request.app.state.figures
    slot = (id(value), key)
    with state.parts_lock:
        found = state.parts.get(slot)
        if found is not None and found[0] is value:  # the same figure, not a reused id
            state.parts.move_to_end(slot)
            return found[1]  # type: ignore[no-any-return]
    part = build()
    with state.parts_lock:
        state.parts[slot] = (value, part)
        while len(state.parts) > PARTS_KEPT:
            state.parts.popitem(last=False)
    return part


def warm_once(app: FastAPI) -> int:
    """Compute the default figures and the recent scopes for the current data version (kept
    ones cost a lookup); the number of figures looked at."""
    state: _State = app.state.figures
    wanted: list[tuple[str, tuple[Hashable, ...]]] = list(DEFAULTS)
    for key in state.cache.recent(WARM_RECENT):
        recent: tuple[str, tuple[Hashable, ...]] = key  # type: ignore[assignment]
        if recent not in wanted:
            wanted.append(recent)
    for kind, params in wanted:
        compute(app.state.session_factory, app.state.settings, state, kind, params)
    return len(wanted)


def warm_claim_pages(app: FastAPI) -> int:
    """The facts of the claims at the top of each stream's queue, computed before their first
    view (:func:`denialscope.claims.page_cache.prefetch_facts`); the number computed."""
    from denialscope.claims.page_cache import prefetch_facts
    from denialscope.web.claim.shared import page_inputs

    with app.state.session_factory() as session:
        return prefetch_facts(session=session, **page_inputs(app.state.settings))


WARM_SHARE: Final = 0.1  # of one core, on average, at most spent keeping figures warm


class FigureWarmer:
    """The background thread of ``denialscope serve`` that keeps the figures warm."""

    def __init__(self, app: FastAPI, interval_s: float = WARM_INTERVAL_S) -> None:
        self._app = app
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="figure-warmer", daemon=True)
        self._seen: str | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            pause = self._interval
            try:  # the pages workers open next first: a claim is tens of ms, a dashboard seconds
                began = time.monotonic()
                if warm_claim_pages(self._app):
                    pause = warm_pause(time.monotonic() - began, self._interval)
            except Exception:  # a failed prefetch costs the first viewer time, nothing else
                log.exception("prefetching claim pages failed")
            try:
                with self._app.state.session_factory() as session:
                    version = data_version(session, self._app.state.settings)
                if version != self._seen:
                    began = time.monotonic()
                    warm_once(self._app)
                    with self._app.state.session_factory() as session:  # the cube moved it
                        self._seen = data_version(session, self._app.state.settings)
                    spent = time.monotonic() - began
                    pause = max(pause, warm_pause(spent, self._interval))
            except Exception:  # a failed warm costs the next reader time, nothing else
                log.exception("warming the leaders' figures failed")
            self._stop.wait(pause)


def warm_pause(spent_s: float, interval_s: float = WARM_INTERVAL_S) -> float:
    """The wait after a warm that took ``spent_s``: the interval, or long enough that warming
    takes at most ``WARM_SHARE`` of one core. Workers taking items move the data version
    every few seconds (each take is a history event), and at 210,000 claims a dashboard is
    some 30 s of CPU: warming at every move would keep a core busy beside the requests."""
    return max(interval_s, spent_s / WARM_SHARE - spent_s)
