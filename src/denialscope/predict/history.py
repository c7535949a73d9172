"""Prior denial rates as of each claim's submission day, without looking ahead.

A claim's outcome becomes known on its first remit's date. For a claim submitted on day S
the history of a cell (payer x procedure, provider, patient ...) counts only outcomes whose
remit date is strictly before S, and never the claim's own. Everything is vectorized: the
outcome events of a cell are sorted by date once, cumulative sums give any window's counts
with two binary searches per claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Events", "WindowCounts", "prior_counts"]

# Dates become day numbers; a cell id is shifted above them so (cell, day) sorts as one int.
_SHIFT = 1 << 21


@dataclass(frozen=True, slots=True)
class Events:
    """Outcome events: for each event its cell, the day it became known and 1 if denied."""

    cells: npt.NDArray[np.int64]
    days: npt.NDArray[np.int64]
    denied: npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class WindowCounts:
    claims: npt.NDArray[np.int64]
    denied: npt.NDArray[np.int64]

    @property
    def rate(self) -> npt.NDArray[np.float64]:
        """Denied share; NaN where the cell had no history (the model treats it as missing)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.claims > 0, self.denied / np.maximum(self.claims, 1), np.nan)


def day_number(day: dt.date) -> int:
    return day.toordinal() - 700_000  # small positive numbers, far below _SHIFT


def prior_counts(
    events: Events,
    *,
    cells: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    window: int | None = None,
    own: Sequence[tuple[int, int]] | None = None,
) -> WindowCounts:
    """Outcomes of each query's cell known before its day (within ``window`` days if given).

    ``own`` gives, per query, (day its own outcome became known, 1 if denied) or (-1, 0):
    when that day falls inside the counted range (a remit dated on or before the submission,
    which only bad data produces) it is taken back out, so a claim never predicts itself.
    """
    order = np.lexsort((events.days, events.cells))
    combined = events.cells[order] * _SHIFT + events.days[order]
    cum = np.concatenate(([0], np.cumsum(events.denied[order])))
    start_day = days - window if window is not None else np.zeros_like(days)
    hi = np.searchsorted(combined, cells * _SHIFT + days, side="left")
    lo = np.searchsorted(combined, cells * _SHIFT + np.maximum(start_day, 0), side="left")
    claims = (hi - lo).astype(np.int64)
    denied = (cum[hi] - cum[lo]).astype(np.int64)
    if own is not None:
        own_day = np.array([o[0] for o in own], dtype=np.int64)
        own_denied = np.array([o[1] for o in own], dtype=np.int64)
        inside = (own_day >= 0) & (own_day < days) & (own_day >= np.maximum(start_day, 0))
        claims -= inside
        denied -= inside * own_denied
    return WindowCounts(claims, denied)
