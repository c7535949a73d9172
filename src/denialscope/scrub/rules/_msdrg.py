"""Inputs for the MIT-licensed ``msdrg`` grouper and code editor, built from an 837I claim."""

from __future__ import annotations

from datetime import date
from typing import Any

from denialscope.reference import normalize_icd
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.rules._facts import age_on
from denialscope.x12.claim837.records import Claim

__all__ = ["discharge_day", "grouper_version", "msdrg_input", "run_tool"]

_VERSIONS = (400, 401, 410, 411, 420, 421, 430, 431, 440)
_SEX = {"M": 0, "F": 1}


def discharge_day(claim: Claim) -> date | None:
    return claim.discharge_date or claim.statement_to or claim.service_to


def grouper_version(day: date) -> int:
    """The MS-DRG version in force on a discharge date (fiscal years start October 1)."""
    fiscal = day.year + (1 if day.month >= 10 else 0)
    base = 400 + (min(max(fiscal, 2023), 2027) - 2023) * 10
    # The odd versions are the April 1 mid-year updates.
    if 4 <= day.month <= 9 and base + 1 in _VERSIONS:
        return base + 1
    return base


def msdrg_input(claim: Claim) -> dict[str, Any] | None:
    """The claim as an msdrg claim dict, None without a principal diagnosis or dates."""
    principal = claim.principal_diagnosis
    day = discharge_day(claim)
    if principal is None or day is None:
        return None
    admitted = claim.admission_date or claim.service_from
    age = age_on(claim, admitted)
    status = int(claim.patient_status) if claim.patient_status.isdigit() else 1
    pdx: dict[str, str] = {"code": normalize_icd(principal.code)}
    if principal.poa:
        pdx["poa"] = principal.poa
    data: dict[str, Any] = {
        "version": grouper_version(day),
        "discharge_date": day.year * 10000 + day.month * 100 + day.day,
        "age": age if age is not None else 0,
        "sex": _SEX.get(claim.patient_party.sex, 2),
        "discharge_status": status,
        "pdx": pdx,
        "sdx": [
            {"code": normalize_icd(d.code), **({"poa": d.poa} if d.poa else {})}
            for d in claim.other_diagnoses
        ],
        "procedures": [{"code": normalize_icd(p.code)} for p in claim.procedures],
    }
    admitting = claim.admitting_diagnosis
    if admitting is not None:
        data["admit_dx"] = {"code": normalize_icd(admitting.code)}
    return data


def run_tool(context: ScrubContext, name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Run the grouper ("group") or code editor ("edit"); None when msdrg refuses the input."""
    import msdrg

    if name == "group":
        tool = context.tool("msdrg.grouper", msdrg.MsdrgGrouper)
        call = tool.group
    else:
        tool = context.tool("msdrg.mce", msdrg.MceEditor)
        call = tool.edit
    try:
        result: dict[str, Any] = call(data)
    except (ValueError, TypeError, RuntimeError):
        return None
    return result
