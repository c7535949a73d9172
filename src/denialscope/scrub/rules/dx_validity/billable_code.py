from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import icd10cm, normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding, SeverityName
from denialscope.scrub.rules._icd import CODE_SET_FROM, CODE_SET_TO, children
from denialscope.x12.claim837.records import Claim

__all__ = ["BillableDiagnosis"]


class BillableDiagnosis(Rule):
    """A diagnosis code that is not in ICD-10-CM, or is a header rather than a billable leaf.

    Catches: codes absent from the bundled FY2026 ICD-10-CM tabular list, and categories
    or subcategories that have children (e.g. E11.6 instead of E11.65). The code set
    changes every October 1: for service dates outside FY2026 (2025-10-01 to 2026-09-30)
    the finding is a warning, as the code may have been valid on that date.
    Prevents: CO-16 / M76 and CO-167 rejections for invalid or truncated diagnoses.
    Fix: code to the highest specificity (a billable leaf) valid on the date of service.
    """

    id = "dx_validity.billable"
    category = "dx_validity"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        table = icd10cm()
        served = claim.service_to or claim.service_from
        in_year = served is None or CODE_SET_FROM <= served <= CODE_SET_TO
        severity: SeverityName = "reject" if in_year else "warn"
        for entry in claim.diagnoses:
            code = normalize_icd(entry.code)
            found = table.get(code)
            if found is None:
                yield self.finding(
                    claim,
                    None,
                    f"diagnosis {entry.code} is not an ICD-10-CM code (FY2026 code set)",
                    "Correct the code; check it against the code set of the service date.",
                    severity=severity,
                )
            elif not found.billable:
                below = [c for c in children().get(code, ()) if table[c].kind != "block"][:3]
                hint = f" (e.g. {', '.join(table[c].dotted for c in below)})" if below else ""
                yield self.finding(
                    claim,
                    None,
                    f"diagnosis {found.dotted} is a header ({found.kind}), not billable",
                    f"Code to a billable code below {found.dotted}{hint}.",
                    severity=severity,
                )
