from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import X_MODIFIERS
from denialscope.x12.claim837.records import Claim

__all__ = ["Modifier59WithX"]


class Modifier59WithX(Rule):
    """Modifier 59 on the same line as an X{EPSU} modifier.

    Catches: a line carrying 59 and XE, XP, XS or XU together. CMS created the X modifiers
    as more specific subsets of 59; they are not to be reported with 59 on one line.
    Prevents: CO-4 (modifier inconsistent) rejections and NCCI bypass failures.
    Fix: keep the single X modifier that describes why the service was distinct; drop 59.
    """

    id = "modifier.59_with_x"
    category = "modifier"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        for line in claim.lines:
            both = X_MODIFIERS & set(line.modifiers)
            if "59" in line.modifiers and both:
                yield self.finding(
                    claim,
                    line.number,
                    f"{line.procedure}: modifier 59 together with {', '.join(sorted(both))}",
                    f"Remove 59 and keep {sorted(both)[0]} (the more specific modifier).",
                )
