from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import icd10cm, normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._icd import is_external_cause, is_manifestation
from denialscope.x12.claim837.records import Claim

__all__ = ["NotAllowedAsPrincipal"]


class NotAllowedAsPrincipal(Rule):
    """An external-cause or manifestation code as principal (first-listed) diagnosis.

    Catches: chapter 20 external-cause codes (V00-Y99), which describe how an injury
    happened and are never sequenced first, and manifestation codes (titles "in diseases
    classified elsewhere", ICD-10-CM guideline I.A.13), which must follow the underlying
    condition.
    Prevents: CO-16 / MA63 (invalid principal diagnosis) and Medicare Code Editor
    rejections on inpatient claims.
    Fix: put the injury or underlying condition first and the external-cause or
    manifestation code after it.
    """

    id = "principal_dx.not_allowed"
    category = "principal_dx"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        principal = claim.principal_diagnosis
        if principal is None:
            return
        code = normalize_icd(principal.code)
        if is_external_cause(code):
            yield self.finding(
                claim,
                None,
                f"principal diagnosis {principal.code} is an external-cause code",
                "Sequence the injury or condition first; keep the external cause as a "
                "secondary code.",
            )
            return
        entry = icd10cm().get(code)
        if entry is not None and is_manifestation(entry):
            yield self.finding(
                claim,
                None,
                f"principal diagnosis {entry.dotted} is a manifestation code",
                "Sequence the underlying condition first and the manifestation after it.",
            )
