from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._msdrg import msdrg_input, run_tool
from denialscope.x12.claim837.records import Claim

__all__ = ["MedicareCodeEditor"]

# MCE edit name -> how to fix. Prepayment edits return the claim; the rest are reviews.
_FIXES = {
    "INVALID_CODE": "Replace invalid or incomplete ICD-10 codes with billable ones.",
    "E_CODE_AS_PDX": "Sequence the injury first; external-cause codes are secondary.",
    "MANIFESTATION_AS_PDX": "Sequence the underlying condition before the manifestation.",
    "AGE_CONFLICT": "Check the birth date and the age-specific diagnoses.",
    "SEX_CONFLICT": "Check the patient's sex and the sex-specific codes.",
    "UNACCEPTABLE_PDX": "Choose a principal diagnosis acceptable for an inpatient stay.",
    "DUPLICATE_OF_PDX": "Remove the secondary diagnosis that repeats the principal.",
    "NON_SPECIFIC_PDX": "Code the principal diagnosis more specifically.",
    "QUESTIONABLE_ADMISSION": "Review medical necessity of the admission.",
    "NON_COVERED_PROCEDURE": "Check coverage of the procedure before billing.",
}


class MedicareCodeEditor(Rule):
    """Medicare Code Editor (MCE) edits of an inpatient claim's ICD-10 codes.

    Catches: what the CMS MCE flags on the claim's diagnoses and ICD-10-PCS procedures
    for its discharge date, age and sex: invalid codes, external-cause or manifestation
    codes as principal, age conflicts, unacceptable principal diagnoses, duplicates of the
    principal, non-covered procedures and the rest. Prepayment edits are rejections,
    others warnings. Runs the MIT-licensed ``msdrg`` port of the CMS editor. Known limit:
    msdrg 1.2.0 raised no sex conflicts in our checks (O80 on a male, N40.0 on a
    female); ``age_sex.maternity`` covers pregnancy codes on male patients.
    Prevents: MCE returns to provider and CO-16 / CO-9 / CO-10 inpatient denials.
    Fix: per edit (see the suggestion); then regroup the claim.
    """

    id = "mce.edit"
    category = "mce"
    claim_types = frozenset({"inpatient"})

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        data = msdrg_input(claim)
        if data is None:
            return  # missing_data reports the principal diagnosis and dates
        result = run_tool(context, "edit", data)
        if result is None:
            yield self.finding(
                claim,
                None,
                "the Medicare Code Editor could not read the claim's codes",
                "Check the diagnosis and procedure codes and the discharge date.",
                severity="warn",
            )
            return
        for edit in result.get("edits", []):
            name = str(edit.get("name", "?"))
            prepayment = edit.get("edit_type") == "PREPAYMENT"
            yield self.finding(
                claim,
                None,
                f"MCE edit {name} ({edit.get('count', 1)} code(s), {edit.get('code_type', '')})",
                _FIXES.get(name, "Review the codes the Medicare Code Editor flags."),
                severity="reject" if prepayment else "warn",
            )
