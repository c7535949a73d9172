from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim

__all__ = ["BilateralModifiers"]


class BilateralModifiers(Rule):
    """LT and RT on one line, or 50 together with LT or RT.

    Catches: a single line claiming both sides with LT+RT, or a bilateral 50 that also
    names one side.
    Prevents: CO-4 / CO-16 rejections for inconsistent modifiers and wrong bilateral
    payment adjustments.
    Fix: report a bilateral procedure with 50 on one line (units 1, unless the payer wants
    two lines with LT and RT); a one-sided procedure with LT or RT only.
    """

    id = "modifier.bilateral"
    category = "modifier"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        for line in claim.lines:
            mods = set(line.modifiers)
            if {"LT", "RT"} <= mods:
                yield self.finding(
                    claim,
                    line.number,
                    f"{line.procedure}: LT and RT on the same line",
                    "Use modifier 50 for a bilateral procedure (or two lines, LT and RT, "
                    "as the payer requires).",
                )
            elif "50" in mods and mods & {"LT", "RT"}:
                yield self.finding(
                    claim,
                    line.number,
                    f"{line.procedure}: modifier 50 together with a side modifier",
                    "Keep 50 for a bilateral procedure, or the one side modifier if it "
                    "was done on one side.",
                )
