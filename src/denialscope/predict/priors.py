"""Coverage and duplicate signals known on the submission day.

- Eligibility: a payer that answered "not covered on that date" (coverage terminated, not
  our insured, wrong payer) for this patient will say it again until registration fixes the
  coverage. Per patient x payer: how many such denials were known before the submission
  day, and whether the latest outcome known then was one (a paid claim since means fixed).
- Duplicates: how many claims for the same patient, payer, first service date and
  procedures were already submitted on an earlier day (an exact duplicate, CARC 18). A
  replacement or void (frequency 7 or 8) is meant to match its original: never counted.

Outcomes count from their remit date, strictly before the submission day, never the claim's
own (as in ``history``); submissions count from their submission day, strictly before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from denialscope.predict.history import day_number
from denialscope.predict.records import ClaimInput, Outcome, procedure_keys

__all__ = ["ELIGIBILITY_CAUSES", "duplicate_counts", "eligibility_history"]

# Root causes (classify taxonomy) that say the payer does not cover this patient that day.
ELIGIBILITY_CAUSES = frozenset({"eligibility_terminated", "patient_not_identified", "wrong_payer"})

Array = npt.NDArray[np.float64]
_CORRECTIONS = frozenset({"7", "8"})


def _cell(c: ClaimInput) -> str:
    return f"{c.patient}|{c.payer}" if c.patient else ""


def eligibility_history(
    claims: Sequence[ClaimInput],
    history: Sequence[tuple[ClaimInput, Outcome]],
) -> tuple[Array, Array]:
    """(eligibility denials known before submission, 1/0 the latest known outcome was one,
    NaN when none was known) per claim, for its patient x payer."""
    events: dict[str, list[tuple[int, str, int]]] = {}
    for c, o in history:
        cell = _cell(c)
        if cell:
            flag = int(o.denied and o.root_cause in ELIGIBILITY_CAUSES)
            events.setdefault(cell, []).append((day_number(o.adjudicated), c.key, flag))
    for found in events.values():
        found.sort()
    count = np.zeros(len(claims))
    last = np.full(len(claims), np.nan)
    for i, c in enumerate(claims):
        found = events.get(_cell(c), [])
        day = day_number(c.submitted)
        # Events before the submission day: a bisect on the day alone (keys sort within).
        hi = _before(found, day)
        known = [e for e in found[:hi] if e[1] != c.key]
        if known:
            count[i] = sum(e[2] for e in known)
            latest = known[-1][0]
            last[i] = float(any(e[2] for e in known if e[0] == latest))
    return count, last


def _before(events: list[tuple[int, str, int]], day: int) -> int:
    lo, hi = 0, len(events)
    while lo < hi:
        mid = (lo + hi) // 2
        if events[mid][0] < day:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _signature(c: ClaimInput) -> str:
    if not c.patient or c.service_from is None:
        return ""
    procedures = "+".join(sorted(procedure_keys(c, with_modifiers=True)))
    return f"{c.patient}|{c.payer}|{c.service_from.isoformat()}|{procedures}"


def duplicate_counts(claims: Sequence[ClaimInput], known: Mapping[str, ClaimInput]) -> Array:
    """Claims (of ``known``, by key, and of ``claims``) with the same signature submitted on
    an earlier day than each claim; the claim itself never counts."""
    days: dict[str, list[tuple[int, str]]] = {}
    seen: set[str] = set()
    for c in [*known.values(), *claims]:
        if c.key in seen:
            continue
        seen.add(c.key)
        sig = _signature(c)
        if sig:
            days.setdefault(sig, []).append((day_number(c.submitted), c.key))
    out = np.zeros(len(claims))
    for i, c in enumerate(claims):
        sig = _signature(c)
        if not sig:
            out[i] = np.nan
            continue
        if c.frequency in _CORRECTIONS:
            continue
        day = day_number(c.submitted)
        out[i] = sum(1 for d, key in days[sig] if d < day and key != c.key)
    return out
