"""Leaders' figures kept for the data as it is now: computed once per scope, then read.

The dashboard and the Pareto recompute every KPI over the claim cohort: tens of seconds at
half a million claim lines, while twenty leaders open the same page in the same minute and
the data changes a few times a day (an 835 batch, a reclassification, an appeal outcome).
So a figure is kept under (what it is, its scope, the **data version**) and served until the
version moves; when it moves, the next request computes it once while the others asking for
the same figure wait for that one result (single flight), never a pile of identical
computations on two cores. Nothing is ever served for an older version: a stale cache can
only cost time, never change a figure.

The data version (:func:`data_version`) is a handful of index probes (milliseconds at
millions of rows): the summary cube's fingerprint (claims, claim payments, adjustments, claim
versions, classification changes, provider mappings, departments), the cube's own state row
(``refresh_cube`` after an edit in place moves it), the work items (count and the newest
history event: every change a person or an 835 makes to an item writes one), the
acknowledgments and scrub results, and the organization's configuration files (path,
modification time, size). A change outside these (a row rewritten in place by hand) is
picked up once the cube is rebuilt (``refresh_cube``, docs/analytics.md), as the cube's is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = ["FigureCache", "data_version"]

T = TypeVar("T")
DEFAULT_ENTRIES: Final = 256  # scopes kept; a leader's filter bar rarely yields more a day


def _file_stamp(path: Any) -> tuple[str, int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (str(path), found.st_mtime_ns, found.st_size)


def data_version(
    session: Session, settings: Settings, *, cube_fingerprint: str | None = None
) -> str:
    """A short text that changes whenever a leader's figure could (see the module doc);
    ``cube_fingerprint``: :func:`~denialscope.analytics.cube.fingerprint` when the caller has
    just read it."""
    from denialscope.acks.models import Acknowledgment
    from denialscope.analytics.cube import fingerprint
    from denialscope.analytics.models import CubeState
    from denialscope.scrub.models import ScrubClaimResult
    from denialscope.workqueue.models import WorkItem, WorkItemEvent

    parts = session.execute(
        select(
            select(func.max(CubeState.id)).scalar_subquery(),
            select(func.count()).select_from(WorkItem).scalar_subquery(),
            select(func.max(WorkItemEvent.id)).scalar_subquery(),
            select(func.max(Acknowledgment.id)).scalar_subquery(),
            select(func.max(ScrubClaimResult.id)).scalar_subquery(),
        )
    ).one()
    files = [_file_stamp(p) for p in (settings.classification_file, settings.workqueue_file)]
    cube = fingerprint(session) if cube_fingerprint is None else cube_fingerprint
    return "|".join([cube, *("" if p is None else str(p) for p in parts), repr(files)])


@dataclass(slots=True)
class _Flight:
    """One computation in progress: the others asking for it wait on ``done``."""

    done: threading.Event
    value: Any = None
    error: BaseException | None = None


class FigureCache:
    """Computed figures per (kind, scope, data version), the least recently used dropped.

    Thread-safe: the web server answers requests on a thread pool.
    """

    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        self._max = max_entries
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._recent: OrderedDict[Hashable, None] = OrderedDict()  # asked for, any version
        self.hits = 0
        self.computed = 0

    def get(self, key: Hashable, version: str, compute: Callable[[], T]) -> T:
        """The value of ``key`` for ``version``: kept, being computed (waited for), or
        computed now by this caller. An error is raised to every waiter and not kept."""
        full = (key, version)
        with self._lock:
            self._recent[key] = None
            self._recent.move_to_end(key)
            while len(self._recent) > self._max:
                self._recent.popitem(last=False)
            if full in self._values:
                self._values.move_to_end(full)
                self.hits += 1
                return self._values[full]  # type: ignore[no-any-return]
            flight = self._flights.get(full)
            owner = flight is None
            if flight is None:
                flight = self._flights[full] = _Flight(threading.Event())
        if not owner:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value  # type: ignore[no-any-return]
        try:
            flight.value = compute()
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                del self._flights[full]
                if flight.error is None:
                    self._keep(full, flight.value)
            flight.done.set()
        return flight.value  # type: ignore[no-any-return]

    def _keep(self, full: Hashable, value: Any) -> None:
        # Figures of an older version are never asked for again: drop them at once.
        version = full[1]  # type: ignore[index]
        for old in [k for k in self._values if k[1] != version]:  # type: ignore[index]
            del self._values[old]
        self.computed += 1
        self._values[full] = value
        while len(self._values) > self._max:
            self._values.popitem(last=False)

    def recent(self, limit: int) -> list[Hashable]:
        """The ``limit`` keys asked for last, the latest first (whatever their version): what
        to compute again when the data changes."""
        with self._lock:
            return list(reversed(self._recent))[:limit]

    def clear(self) -> None:
        """Forget every kept value (a computation in progress still answers its waiters)."""
        with self._lock:
            self._values.clear()
            self._recent.clear()
