"""ICD-10-CM structure the diagnosis rules share, from the bundled FY2026 tabular list."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from functools import cache

from denialscope.reference import Icd10cmCode, icd10cm

__all__ = [
    "CODE_SET_FROM",
    "CODE_SET_TO",
    "children",
    "is_external_cause",
    "is_manifestation",
    "lateral_siblings",
    "specific_siblings",
]

_MANIFESTATION = re.compile(r"\bin (?:other )?diseases classified elsewhere")
# The bundled tabular list is FY2026: valid for discharges/services in this window.
CODE_SET_FROM = date(2025, 10, 1)
CODE_SET_TO = date(2026, 9, 30)


@cache
def children() -> Mapping[str, tuple[str, ...]]:
    """Parent code -> its direct child codes."""
    out: dict[str, list[str]] = defaultdict(list)
    for code, entry in icd10cm().items():
        if entry.parent:
            out[entry.parent].append(code)
    return {k: tuple(v) for k, v in out.items()}


def is_external_cause(code: str) -> bool:
    """Chapter 20, V00-Y99: never a principal or first-listed diagnosis."""
    return code[:1] in ("V", "W", "X", "Y")


def is_manifestation(entry: Icd10cmCode) -> bool:
    # Guideline I.A.13: manifestation codes mostly carry "in diseases classified
    # elsewhere" in their title, and must follow the underlying condition.
    return _MANIFESTATION.search(entry.description.lower()) is not None


def _unspecified(entry: Icd10cmCode) -> bool:
    return "unspecified" in entry.description.lower()


@cache
def specific_siblings(code: str) -> tuple[str, ...]:
    """Billable codes beside an 'unspecified' code that say more (same encounter extension).

    Empty when the code is not an unspecified one or when nothing more specific exists.
    """
    table = icd10cm()
    entry = table.get(code)
    if entry is None or not entry.billable or not _unspecified(entry) or not entry.parent:
        return ()
    found: list[str] = []
    pending = list(children().get(entry.parent, ()))
    while pending:
        candidate = pending.pop()
        other = table[candidate]
        if candidate == code:
            continue
        if not other.billable:
            pending.extend(children().get(candidate, ()))
            continue
        same_shape = len(candidate) == len(code) and (len(code) < 7 or candidate[-1] == code[-1])
        if same_shape and not _unspecified(other):
            found.append(candidate)
    return tuple(sorted(found))


@cache
def lateral_siblings(code: str) -> tuple[str, ...]:
    """The right/left siblings of an unspecified-side code, when the code set has them."""
    table = icd10cm()
    entry = table.get(code)
    if entry is None or not entry.parent:
        return ()
    text = entry.description.lower()
    if "unspecified" not in text:
        return ()
    found = [
        c
        for c in children().get(entry.parent, ())
        if c != code
        and table[c].billable
        and ("right" in (d := table[c].description.lower()) or "left" in d)
    ]
    sides = " ".join(table[c].description.lower() for c in found)
    return tuple(sorted(found)) if "right" in sides and "left" in sides else ()
