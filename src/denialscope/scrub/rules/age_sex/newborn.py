from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import age_on
from denialscope.x12.claim837.records import Claim

__all__ = ["NewbornConflict"]

ADULT_AGE = 18


class NewbornConflict(Rule):
    """A newborn or perinatal diagnosis that does not fit the patient's age.

    Catches: Z38 (liveborn infant by place of birth) at age 1 or more: the Medicare Code
    Editor newborn edit allows it at age 0 only (reject); chapter 16 perinatal codes
    (P00-P96, "for use on newborn records only") on an adult (warn: guideline I.C.16.a
    allows them through life when the condition still exists, so this asks for a look).
    Prevents: CO-9 (diagnosis inconsistent with age) denials.
    Fix: check the birth date (DMG02), or code the adult condition from its own chapter.
    """

    id = "age_sex.newborn"
    category = "age_sex"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        age = age_on(claim, claim.service_from)
        if age is None:
            return
        for entry in claim.diagnoses:
            code = normalize_icd(entry.code)
            if code.startswith("Z38") and age >= 1:
                yield self.finding(
                    claim,
                    None,
                    f"newborn code {entry.code} at age {age} (newborns only, age 0)",
                    "Use Z38 only on the baby's birth claim; check the birth date.",
                )
            elif code[:1] == "P" and age >= ADULT_AGE:
                yield self.finding(
                    claim,
                    None,
                    f"perinatal code {entry.code} on a patient aged {age}",
                    "Confirm the condition originated in the perinatal period and persists; "
                    "otherwise code it from its own chapter.",
                    severity="warn",
                )
