"""Which period a report covers by default: the latest complete one with enough claims.

The data's "today" is the newest initial adjudication loaded. On a real feed, and on the demo,
a handful of late claims set it months past the bulk of the data, so "the quarter before
today" can hold three claims and report a 100% denial rate. A default period therefore has
to be both:

* **complete**: every month in it ended at least ``ADJUDICATION_LAG_DAYS`` before the data's
  today, so its claims had time to get their first answer; and
* **filled**: every month in it holds at least ``minimum`` adjudicated claims
  (``--min-claims``, else ``Settings.min_claims`` from ``DENIALSCOPE_MIN_CLAIMS``, default
  30) and at least half the median month's volume, so a month still filling up (or a
  stray late claim) is not taken for a normal month.

:func:`latest_window` is the pure rule (hand-testable); :func:`default_window` applies it to
the stored claims and, when no period qualifies, raises :class:`NoPeriodError` saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.errors import InputError

__all__ = [
    "ADJUDICATION_LAG_DAYS",
    "DEFAULT_MIN_CLAIMS",
    "MIN_CLAIMS_ENV",
    "NoPeriodError",
    "Window",
    "data_as_of",
    "default_window",
    "last_complete_month",
    "latest_window",
    "min_claims",
    "monthly_volume",
]

ADJUDICATION_LAG_DAYS: Final = 30
DEFAULT_MIN_CLAIMS: Final = 30
MIN_CLAIMS_ENV: Final = "DENIALSCOPE_MIN_CLAIMS"


class NoPeriodError(InputError):
    """No complete period with enough claims: the message says what was found instead."""


@dataclass(frozen=True, slots=True)
class Window:
    start: dt.date  # first day of the first month
    end: dt.date  # last day of the last month
    claims: int  # adjudicated claims in it


def min_claims(explicit: int | None = None) -> int:
    """``explicit`` (``--min-claims``, else ``Settings.min_claims``) checked, else 30."""
    if explicit is not None:
        if explicit < 1:
            raise InputError(f"--min-claims {explicit}: give a whole number of 1 or more")
        return explicit
    return DEFAULT_MIN_CLAIMS


def _month(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def last_complete_month(as_of: dt.date) -> dt.date:
    """The first day of the last month that ended ``ADJUDICATION_LAG_DAYS`` before ``as_of``."""
    cutoff = as_of - dt.timedelta(days=ADJUDICATION_LAG_DAYS)
    if (cutoff + dt.timedelta(days=1)).month != cutoff.month:
        return _month(cutoff)  # the cutoff is a month's last day: that month is complete
    return _month(cutoff, -1)


def latest_window(
    volume: Mapping[dt.date, int],
    *,
    months: int,
    last_complete: dt.date,
    minimum: int,
    quarters: bool = False,
) -> Window | None:
    """The latest run of ``months`` months ending no later than ``last_complete`` in which
    every month holds ``minimum`` claims and half the median month; None when none does.

    ``volume`` maps a month's first day to its adjudicated claims. With ``quarters`` the run
    must be a calendar quarter.
    """
    filled = [n for n in volume.values() if n > 0]
    if not filled:
        return None
    threshold = max(minimum, median(filled) / 2)
    earliest = min(volume)
    end = _month(last_complete)
    while end >= earliest:
        if not quarters or end.month % 3 == 0:
            run = [_month(end, -k) for k in range(months)]
            if all(volume.get(m, 0) >= threshold for m in run):
                last_day = _month(end, 1) - dt.timedelta(days=1)
                return Window(run[-1], last_day, sum(volume[m] for m in run))
        end = _month(end, -1)
    return None


def data_as_of(session: Session) -> dt.date:
    """The data's "today": the newest initial adjudication loaded (today when none)."""
    from denialscope.remits.models import ClaimPayment

    newest = session.scalar(
        select(func.max(ClaimPayment.adjudicated_at)).where(ClaimPayment.seq == 1)
    )
    return newest or dt.date.today()


def monthly_volume(session: Session) -> dict[dt.date, int]:
    """Adjudicated claims per cohort (submission) month, over all stored claims."""
    from denialscope.analytics.kpis import cohort_totals

    out: dict[dt.date, int] = {}
    for label, totals in cohort_totals(session, by="month").items():
        year, month = label.split("-")
        out[dt.date(int(year), int(month), 1)] = int(totals["remitted"])
    return out


def default_window(
    session: Session,
    *,
    months: int,
    as_of: dt.date | None = None,
    minimum: int | None = None,
    quarters: bool = False,
) -> Window:
    """The latest complete, filled period of ``months`` months; :class:`NoPeriodError` if
    there is none."""
    today = as_of or data_as_of(session)
    minimum = min_claims(minimum)
    volume = monthly_volume(session)
    last = last_complete_month(today)
    found = latest_window(
        volume, months=months, last_complete=last, minimum=minimum, quarters=quarters
    )
    if found is not None:
        return found
    what = "quarter" if quarters else f"{months}-month period"
    if not any(volume.values()):
        raise NoPeriodError(
            f"no complete {what}: no adjudicated claims are loaded "
            "(load 837 and 835 files with `denialscope ingest`)"
        )
    seen = ", ".join(f"{m:%Y-%m} {n:,}" for m, n in sorted(volume.items()) if n and m <= last)
    raise NoPeriodError(
        f"no complete {what} ending by {last:%Y-%m} has {minimum:,} or more adjudicated "
        f"claims in every month (and half the median month); claims per month: "
        f"{seen or 'none complete yet'}. Lower --min-claims or {MIN_CLAIMS_ENV}, or name "
        "the period."
    )
