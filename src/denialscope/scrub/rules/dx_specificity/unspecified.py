"""[dx_specificity] Unspecified codes where the code set offers more specific ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from denialscope.reference import icd10cm, icd10cm_validity, normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding, SeverityName
from denialscope.scrub.rules._icd import lateral_siblings, specific_siblings
from denialscope.x12.claim837.records import Claim

__all__ = ["UnspecifiedDiagnosis"]

# Pack code list of payer ids (2010BB NM109) whose policy denies unspecified codes when a
# more specific one exists: for them the suggestion becomes a warning.
STRICT_PAYERS_LIST = "deny_unspecified_dx_payers"


class UnspecifiedDiagnosis(Rule):
    """An 'unspecified' diagnosis where the same category has more specific billable codes.

    Catches: billable codes whose title says "unspecified" while codes of the same category
    under the same parent (siblings, or their children: more characters) do not, valid on
    the date of service and with the same encounter character. Unspecified is often the
    right code (sepsis A41.9 when cultures name no organism), so this is an ``info``
    suggestion that never flags a claim; payers listed in the pack's
    ``deny_unspecified_dx_payers`` code list get a warning. Unspecified side is left to
    ``dx_specificity.laterality``.
    Prevents: CO-16 with M81 (code to the highest specificity), CO-11 and payer specificity
    edits when the record supports a specific code.
    Fix: code the documented specificity, or query the provider; keep the unspecified
    code when the documentation is unspecific.
    """

    id = "dx_specificity.unspecified"
    category = "dx_specificity"
    severity = "info"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        strict = claim.payer.identifier in context.pack.code_lists.get(
            STRICT_PAYERS_LIST, frozenset()
        )
        severity: SeverityName = "warn" if strict else "info"
        served = claim.service_to or claim.service_from
        for entry in claim.diagnoses:
            code = normalize_icd(entry.code)
            if lateral_siblings(code):
                continue
            options = _options(code, served)
            if options:
                shown = ", ".join(options[:4]) + (" ..." if len(options) > 4 else "")
                yield self.finding(
                    claim,
                    None,
                    f"diagnosis {entry.code} is unspecified; {len(options)} more specific "
                    "codes of the same category exist",
                    f"If the record documents more (e.g. {shown}), code it or query the "
                    "provider; otherwise the unspecified code is correct.",
                    severity=severity,
                )


@lru_cache(maxsize=65536)
def _options(code: str, served: date | None) -> tuple[str, ...]:
    """The more specific codes (dotted) valid on the date; codes outside the validity table
    (an uncovered date is dx_validity's business) are kept."""
    if not specific_siblings(code):
        return ()
    table, validity = icd10cm(), icd10cm_validity()
    return tuple(
        table[c].dotted
        for c in specific_siblings(code)
        if served is None or any(s <= served <= e for s, e in validity.get(c, ((served, served),)))
    )
