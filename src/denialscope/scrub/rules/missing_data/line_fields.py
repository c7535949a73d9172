from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim

__all__ = ["MissingLineData"]


class MissingLineData(Rule):
    """A service line without a service date, units, a positive charge or a procedure.

    Catches: lines with no date (neither DTP*472 on the line nor on the claim nor a
    statement period), units missing or not above zero, a missing or negative charge (a
    zero charge is a warning), and professional lines without a procedure code.
    Prevents: CO-16 (claim lacks information) rejections and M-series remark denials.
    Fix: fill the field from the charge capture or encounter.
    """

    id = "missing_data.line"
    category = "missing_data"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        if not claim.lines:
            yield self.finding(claim, None, "claim has no service lines", "Add the services.")
        for line in claim.lines:
            if line.service_from is None and claim.service_from is None:
                yield self.finding(
                    claim, line.number, "no service date", "Add the date of service (DTP*472)."
                )
            if line.units is None or line.units <= 0:
                yield self.finding(
                    claim,
                    line.number,
                    f"{line.procedure or 'line'}: units missing or not above zero",
                    "Enter the units of service.",
                )
            if line.charge is None or line.charge < 0:
                yield self.finding(
                    claim, line.number, "charge missing or negative", "Enter the line charge."
                )
            elif line.charge == 0:
                yield self.finding(
                    claim,
                    line.number,
                    "zero charge",
                    "Enter the charge from the charge master; payers reject zero charges "
                    "on most services.",
                    severity="warn",
                )
            if claim.kind == "837P" and not line.procedure:
                yield self.finding(
                    claim, line.number, "no procedure code", "Enter the CPT/HCPCS code."
                )
