"""[dx_combination] Hypertension coded apart from heart failure or CKD (I10 + I50/N18)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from denialscope.reference import icd10cm, msdrg_weights, normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._msdrg import msdrg_input, run_tool
from denialscope.scrub.rules.dx_combination.combination_data import hypertension_table
from denialscope.x12.claim837.records import Claim

__all__ = ["HypertensionCombination", "recoded_input"]


def _dotted(code: str) -> str:
    entry = icd10cm().get(code)
    return entry.dotted if entry is not None else code


def recoded_input(data: dict[str, Any], combo: str, members: set[str]) -> dict[str, Any]:
    """The grouper input with I10 replaced by the combination code, sequenced as coded.

    When the principal diagnosis is the hypertension or one of the conditions it combines
    with, the combination code becomes principal and that condition a secondary code (the
    tabular's "use additional code"); otherwise it takes I10's place among the secondaries.
    """
    hypertension = hypertension_table().code
    pdx = dict(data["pdx"])
    sdx = [dict(d) for d in data["sdx"]]
    if pdx["code"] == hypertension or pdx["code"] in members:
        moved = [] if pdx["code"] == hypertension else [pdx]
        new_pdx = {"code": combo, **({"poa": pdx["poa"]} if "poa" in pdx else {})}
        sdx = moved + [d for d in sdx if d["code"] != hypertension]
        return {**data, "pdx": new_pdx, "sdx": sdx}
    for d in sdx:
        if d["code"] == hypertension:
            d["code"] = combo
    return {**data, "sdx": sdx}


class HypertensionCombination(Rule):
    """Hypertension coded as I10 next to heart failure (I50.x) and/or CKD (N18.x).

    Catches: I10 on a claim with I50.x or N18.x. ICD-10-CM guideline I.C.9.a presumes the
    link, so the code is I11.0 (with heart failure), I12.9 / I12.0 (with CKD 1-4 or
    unspecified / stage 5 or ESRD) or I13.0 / I13.2 (both), from
    ``scrub/data/combination_codes.yaml``, unless the provider documents them as unrelated.
    On inpatient claims the MS-DRG grouper (``msdrg``, version by discharge date) groups the
    claim as sent and as recoded and the finding states the DRG and relative-weight change.
    Prevents: CO-16 / M81 coding-accuracy returns and DRG validation findings (the
    recoded claim may group higher or lower: either way the claim as sent is wrong).
    Fix: replace I10 with the combination code, keep I50.x / N18.x for type and stage.
    """

    id = "dx_combination.hypertension"
    category = "dx_combination"
    severity = "warn"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        table = hypertension_table()
        codes = [normalize_icd(d.code) for d in claim.diagnoses]
        if table.code not in codes:
            return
        members = table.members(codes)
        combo = table.combination(set(members))
        if combo is None:
            return
        combined = list(dict.fromkeys(c for name in combo.groups for c in members[name]))
        also = ", ".join(_dotted(c) for c in combined)
        impact = self._drg_impact(claim, context, combo.code, set(combined))
        yield self.finding(
            claim,
            None,
            f"I10 coded with {also}: hypertension with heart failure or CKD takes the "
            f"combination code {_dotted(combo.code)}{impact}",
            f"Replace I10 with {_dotted(combo.code)} (and keep {also}), unless the provider "
            "documents the conditions as unrelated.",
        )

    def _drg_impact(
        self, claim: Claim, context: ScrubContext, combo: str, members: set[str]
    ) -> str:
        if claim.claim_type != "inpatient":
            return ""
        data = msdrg_input(claim)
        if data is None:
            return ""
        before = run_tool(context, "group", data)
        after = run_tool(context, "group", recoded_input(data, combo, members))
        if not before or not after or before.get("final_drg") is None:
            return "; DRG impact: the grouper could not group the claim"
        old, new = int(before["final_drg"]), int(after.get("final_drg") or 0)
        if old == new:
            return f"; DRG impact: none (MS-DRG {old:03d} either way)"
        weights = msdrg_weights()
        was, now = weights.get(f"{old:03d}"), weights.get(f"{new:03d}")
        change = ""
        if was and now and was.weight is not None and now.weight is not None:
            delta: Decimal = now.weight - was.weight
            change = f", relative weight {was.weight} -> {now.weight} ({delta:+}, FY2026 weights)"
        return f"; DRG impact: MS-DRG {old:03d} -> {new:03d}{change}"
