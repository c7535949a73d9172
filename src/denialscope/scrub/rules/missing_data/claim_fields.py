from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim

__all__ = ["MissingClaimData"]


class MissingClaimData(Rule):
    """A claim without a diagnosis, patient birth date or sex, or payer identifier.

    Catches: no principal (or first-listed) diagnosis; the patient's birth date (DMG02)
    or sex (DMG03) missing (sex U is a warning); no payer id (2010BB NM109); an inpatient
    claim without admission date or discharge status.
    Prevents: CO-16 (claim lacks information), CO-31 (patient cannot be identified) and
    front-end clearinghouse rejections.
    Fix: complete registration and coding data before release.
    """

    id = "missing_data.claim"
    category = "missing_data"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        if claim.principal_diagnosis is None:
            yield self.finding(
                claim, None, "no principal diagnosis", "Code the principal diagnosis (HI*ABK)."
            )
        patient = claim.patient_party
        if patient.birth_date is None:
            yield self.finding(
                claim, None, "patient birth date missing", "Add the birth date (DMG02)."
            )
        if patient.sex not in ("M", "F"):
            yield self.finding(
                claim,
                None,
                "patient sex missing or unknown",
                "Add the patient's sex (DMG03) from registration.",
                severity="warn" if patient.sex == "U" else "reject",
            )
        if not claim.payer.identifier:
            yield self.finding(
                claim, None, "no payer identifier", "Add the payer id (2010BB NM109)."
            )
        if claim.claim_type == "inpatient":
            if claim.admission_date is None:
                yield self.finding(
                    claim, None, "no admission date", "Add the admission date (DTP*435)."
                )
            if not claim.patient_status:
                yield self.finding(
                    claim, None, "no discharge status", "Add the patient status (CL103)."
                )
