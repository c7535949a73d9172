from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding, SeverityName
from denialscope.scrub.rules._icd import lateral_siblings
from denialscope.scrub.rules.dx_specificity.unspecified import STRICT_PAYERS_LIST
from denialscope.x12.claim837.records import Claim

__all__ = ["UnspecifiedLaterality"]


class UnspecifiedLaterality(Rule):
    """A diagnosis with unspecified side where the code set has right and left codes.

    Catches: billable codes titled "unspecified" (side, eye, ear, limb ...) whose siblings
    under the same parent name the right and the left side. The side is nearly always in
    the record (guideline I.B.13 lets it come from other clinicians' notes), but when it is
    not the unspecified code is correct: an ``info`` suggestion, a warning for payers in
    the pack's ``deny_unspecified_dx_payers`` list.
    Prevents: laterality denials (CO-16 / M81, CO-11), frequent on injury, eye, ear and
    joint codes.
    Fix: use the right, left (or bilateral) code the documentation supports.
    """

    id = "dx_specificity.laterality"
    category = "dx_specificity"
    severity = "info"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        strict = claim.payer.identifier in context.pack.code_lists.get(
            STRICT_PAYERS_LIST, frozenset()
        )
        severity: SeverityName = "warn" if strict else "info"
        for entry in claim.diagnoses:
            sides = lateral_siblings(normalize_icd(entry.code))
            if sides:
                yield self.finding(
                    claim,
                    None,
                    f"diagnosis {entry.code} leaves the side unspecified",
                    f"Use the code for the documented side ({', '.join(sides[:3])}).",
                    severity=severity,
                )
