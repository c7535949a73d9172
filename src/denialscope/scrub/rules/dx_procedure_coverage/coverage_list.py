from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import normalize_icd
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext, line_date
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim, Line

__all__ = ["CoverageList"]


def line_diagnoses(claim: Claim, line: Line) -> list[str]:
    """The diagnoses a line points to (SV107), or every diagnosis when it points to none."""
    if line.diagnosis_pointers:
        found = [claim.pointed_diagnosis(p) for p in line.diagnosis_pointers]
        return [normalize_icd(d.code) for d in found if d is not None]
    return [normalize_icd(d.code) for d in claim.diagnoses]


class CoverageList(Rule):
    """A procedure billed without a diagnosis its coverage policy (LCD/NCD-style list) covers.

    Catches: a line whose procedure appears in a pack ``coverage`` entry in force on the
    line's date for the claim's payer (or "*"), when none of the diagnoses the line points
    to is on the entry's list of covered diagnoses.
    Prevents: CO-50 (not medically necessary) and CO-11 (diagnosis inconsistent with the
    procedure) denials.
    Fix: point the line to the covered diagnosis the record supports; if none applies,
    get an advance beneficiary notice (modifier GA) or do not bill the payer.
    """

    id = "dx_procedure_coverage.not_covered"
    category = "dx_procedure_coverage"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        entries = context.pack.coverage
        if not entries:
            return
        payer = claim.payer.identifier
        for line in claim.lines:
            day = line_date(claim, line)
            policies = [e for e in entries if e.applies(payer, line.procedure, day)]
            if not policies:
                continue
            diagnoses = line_diagnoses(claim, line)
            if any(p.covers(d) for p in policies for d in diagnoses):
                continue
            names = ", ".join(p.id for p in policies)
            yield self.finding(
                claim,
                line.number,
                f"{line.procedure}: no pointed diagnosis is covered by {names}",
                f"Point line {line.number} to a diagnosis the policy covers, or obtain an "
                "ABN (GA) when the service is not covered.",
            )
