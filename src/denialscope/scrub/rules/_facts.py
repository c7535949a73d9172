"""Code-number facts several rules share (numbers and ranges only, no licensed text)."""

from __future__ import annotations

from datetime import date

from denialscope.x12.claim837.records import Claim, Line

__all__ = [
    "ANATOMIC_MODIFIERS",
    "NCCI_ASSOCIATED_MODIFIERS",
    "X_MODIFIERS",
    "age_on",
    "is_em",
    "is_surgery",
    "line_label",
    "numeric_code",
]

X_MODIFIERS = frozenset({"XE", "XP", "XS", "XU"})
ANATOMIC_MODIFIERS = frozenset(
    {"E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"}
    | {"LC", "LD", "LM", "RC", "RI", "LT", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6"}
    | {"T7", "T8", "T9"}
)
# Modifiers CMS lists as NCCI-associated: they may bypass a PTP edit whose modifier
# indicator is 1 when the clinical circumstances justify it.
NCCI_ASSOCIATED_MODIFIERS = (
    ANATOMIC_MODIFIERS | X_MODIFIERS | {"24", "25", "27", "57", "58", "59", "78", "79", "91"}
)


def numeric_code(code: str) -> int | None:
    """A CPT Category I code as a number ("99213" -> 99213); None for HCPCS II and others."""
    return int(code) if len(code) == 5 and code.isdigit() else None


def is_em(code: str) -> bool:
    """Evaluation and management: CPT 99202-99499."""
    number = numeric_code(code)
    return number is not None and 99202 <= number <= 99499


def is_surgery(code: str) -> bool:
    """CPT surgery section 10004-69990: procedures with global surgical periods."""
    number = numeric_code(code)
    return number is not None and 10004 <= number <= 69990


def age_on(claim: Claim, day: date | None) -> int | None:
    """The patient's age in whole years on ``day`` (None when a date is missing)."""
    born = claim.patient_party.birth_date
    if born is None or day is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def line_label(line: Line) -> str:
    """How a message names a line's service: procedure and modifiers."""
    mods = "-".join(line.modifiers)
    return f"{line.procedure}-{mods}" if mods else (line.procedure or "(no procedure)")
