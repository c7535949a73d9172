"""ICD-10-CM structure the diagnosis rules share, from the bundled FY2026 tabular list."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from functools import cache

from denialscope.reference import Icd10cmCode, icd10cm

__all__ = [
    "children",
    "fiscal_year",
    "fiscal_year_label",
    "is_external_cause",
    "is_manifestation",
    "lateral_siblings",
    "specific_siblings",
]

_MANIFESTATION = re.compile(r"\bin (?:other )?diseases classified elsewhere")


def fiscal_year(day: date) -> int:
    """The federal fiscal year of a date: ICD-10-CM code sets start each October 1."""
    return day.year + (1 if day.month >= 10 else 0)


def fiscal_year_label(day: date, last_covered: date) -> str:
    """How a message names the code set a date needs: "FY2028", or the April update."""
    year = fiscal_year(day)
    if year == fiscal_year(last_covered) and day > last_covered:
        return f"FY{year} after the April 1, {last_covered.year} update"
    if year <= 2015:
        return f"FY{year}, before ICD-10-CM (2015-10-01)"
    return f"FY{year}"


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
    """Billable codes of the same category that say more than an 'unspecified' code.

    They sit under the code's parent (siblings, and their descendants: the same category
    with more characters), do not say "unspecified" themselves and, for seven-character
    codes, carry the same encounter character. Empty when the code is not an unspecified
    one or when nothing more specific exists.
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
        if candidate == code or not candidate.startswith(code[:3]):
            continue
        if not other.billable:
            pending.extend(children().get(candidate, ()))
            continue
        if len(candidate) < len(code) or _unspecified(other):
            continue
        if len(code) == 7 and (len(candidate) != 7 or candidate[-1] != code[-1]):
            continue
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
