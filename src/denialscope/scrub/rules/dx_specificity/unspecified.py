from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._icd import lateral_siblings, specific_siblings
from denialscope.x12.claim837.records import Claim

__all__ = ["UnspecifiedDiagnosis"]


class UnspecifiedDiagnosis(Rule):
    """An 'unspecified' diagnosis where the same category has more specific billable codes.

    Catches: billable codes whose title says "unspecified" while billable siblings under
    the same parent (same length and encounter character) do not. Unspecified side is
    left to ``dx_specificity.laterality``.
    Prevents: CO-11 / CO-16 and payer specificity edits (many commercial payers and LCDs
    deny unspecified codes when the record supports a specific one).
    Fix: code the documented specificity, or query the provider.
    """

    id = "dx_specificity.unspecified"
    category = "dx_specificity"
    severity = "warn"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        for entry in claim.diagnoses:
            code = normalize_icd(entry.code)
            siblings = specific_siblings(code)
            if siblings and not lateral_siblings(code):
                shown = ", ".join(siblings[:4]) + (" ..." if len(siblings) > 4 else "")
                yield self.finding(
                    claim,
                    None,
                    f"diagnosis {entry.code} is unspecified; {len(siblings)} more specific "
                    "codes exist",
                    f"Code the documented specificity (e.g. {shown}) or query the provider.",
                )
