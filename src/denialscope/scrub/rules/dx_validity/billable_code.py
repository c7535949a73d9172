"""[dx_validity] ICD-10-CM diagnosis codes valid on the claim's date of service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from denialscope.reference import icd10cm, icd10cm_coverage, icd10cm_validity, normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._icd import children, fiscal_year_label
from denialscope.scrub.rules._msdrg import discharge_day
from denialscope.x12.claim837.records import Claim

__all__ = ["BillableDiagnosis"]


class BillableDiagnosis(Rule):
    """A diagnosis code that is not valid on the date of service, or not a code at all.

    Catches: codes not billable on the claim's date (last service date; inpatient: discharge),
    judged by the code set in force that day: FY2016 to FY2027 (to 2027-03-31) are shipped
    with validity dates (new codes from their first day, deleted codes until their last);
    headers (categories or subcategories with children, e.g. E11.6 instead of E11.65); and
    codes absent from every shipped year, rejected whatever the date. A date no shipped
    set covers gets one warning naming the missing fiscal year.
    Prevents: CO-16 / M76 and CO-146 rejections for invalid, deleted or truncated diagnoses.
    Fix: code to the highest specificity (a billable leaf) valid on the date of service.
    """

    id = "dx_validity.billable"
    category = "dx_validity"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        validity = icd10cm_validity()
        first, last = icd10cm_coverage()
        # Inpatient stays take the code set of the discharge date (CMS: the code set in
        # force at discharge applies to the whole stay); other claims their service date.
        if claim.claim_type == "inpatient":
            served = discharge_day(claim)
        else:
            served = claim.service_to or claim.service_from
        covered = served is None or first <= served <= last
        if served is not None and not covered:
            yield self.finding(
                claim,
                None,
                f"no shipped ICD-10-CM code set covers {served.isoformat()} "
                f"({fiscal_year_label(served, last)}); codes were only checked to exist in "
                f"some year from {first.isoformat()} to {last.isoformat()}",
                "Check the diagnoses against the code set of the service date, or update "
                "denialscope for that fiscal year.",
                severity="warn",
            )
        for entry in claim.diagnoses:
            code = normalize_icd(entry.code)
            spans = validity.get(code)
            if spans is not None:
                if covered and served is not None and not _valid_on(spans, served):
                    yield self._not_on_date(claim, entry.code, spans, served)
                continue
            found = icd10cm().get(code)
            if found is not None and found.kind not in ("chapter", "block"):
                table = icd10cm()
                below = [c for c in children().get(code, ()) if table[c].kind != "block"][:3]
                hint = f" (e.g. {', '.join(table[c].dotted for c in below)})" if below else ""
                yield self.finding(
                    claim,
                    None,
                    f"diagnosis {found.dotted} is a header ({found.kind}), not billable",
                    f"Code to a billable code below {found.dotted}{hint}.",
                )
                continue
            yield self.finding(
                claim,
                None,
                f"diagnosis {entry.code} is not an ICD-10-CM code in any shipped code set "
                f"({first.isoformat()} to {last.isoformat()})",
                "Correct the code; check it against the code set of the service date.",
            )

    def _not_on_date(
        self, claim: Claim, sent: str, spans: tuple[tuple[date, date], ...], served: date
    ) -> Finding:
        start, end = spans[0][0], spans[-1][1]
        if served < start:
            why = f"it takes effect on {start.isoformat()}"
        else:
            why = f"it was deleted after {max(e for _, e in spans if e < served).isoformat()}"
        # A deleted code usually became a header: its new children are the replacements.
        code = normalize_icd(sent)
        below = sorted(
            c
            for c, dates in icd10cm_validity().items()
            if c.startswith(code) and c != code and _valid_on(dates, served)
        )
        hint = f" (e.g. {', '.join(below[:4])})" if below else ""
        return self.finding(
            claim,
            None,
            f"diagnosis {sent} is not valid on the service date {served.isoformat()} ({why})",
            f"Use the code in force on the date of service{hint}; this one is valid "
            f"{start.isoformat()} to {end.isoformat()} (see the ICD-10-CM addenda).",
        )


def _valid_on(spans: tuple[tuple[date, date], ...], day: date) -> bool:
    return any(start <= day <= end for start, end in spans)
