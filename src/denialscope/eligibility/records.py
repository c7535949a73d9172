"""One member's coverage as a 271 eligibility response stated it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["STATUSES", "EligibilityResponse", "inactive_on"]

# EB01 eligibility codes that state coverage (X12 005010X279A1): 1 active; 6 inactive,
# 7 inactive pending an eligibility update, 8 inactive pending investigation. Other EB01
# codes describe benefits (co-pay, deductible ...) and say nothing of coverage itself.
STATUSES: dict[str, str] = {"1": "active", "6": "inactive", "7": "inactive", "8": "inactive"}


@dataclass(slots=True)
class EligibilityResponse:
    """One subscriber (or dependent) level of a 271. ``member_id`` identifies a patient:
    it is stored and matched, never logged or printed."""

    payer_id: str  # NM1*PR NM109 (the payer the claim would go to: the 837's NM1*PR NM109)
    member_id: str  # NM1*IL NM109
    responded: dt.date | None  # BHT04: the day the payer answered
    status: str  # "active", "inactive" or "" (no coverage EB, e.g. the member was not found)
    plan_begin: dt.date | None  # DTP*346
    plan_end: dt.date | None  # DTP*347
    rejection: str = ""  # AAA03 when the payer could not answer (e.g. 72 invalid member id)
    segment_index: int = 0  # the HL that opened the level
    problem: str = ""  # what makes the level unusable (a loader refuses the file)
    problem_at: int = 0  # the segment the problem is in


def inactive_on(
    *, status: str, plan_begin: dt.date | None, plan_end: dt.date | None, service: dt.date
) -> bool | None:
    """Whether a response says there was no coverage on ``service``; None when it says
    neither (no coverage statement)."""
    if plan_end is not None and plan_end < service:
        return True
    if plan_begin is not None and plan_begin > service:
        return True
    if status == "inactive":
        # Inactive without an end date: the payer knows no coverage; with an end on or after
        # the service, the member was still covered that day.
        return plan_end is None
    if status == "active":
        return False
    return None
