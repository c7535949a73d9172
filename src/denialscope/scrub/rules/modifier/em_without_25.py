from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext, line_date
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import is_em, is_surgery
from denialscope.x12.claim837.records import Claim

__all__ = ["EmWithoutModifier25"]


class EmWithoutModifier25(Rule):
    """An E/M service billed with a procedure on the same day, without modifier 25 (or 57).

    Catches: a line with an E/M code (99202-99499) on the date of a procedure from the CPT
    surgery section (10004-69990) or the pack's ``em_25_procedures`` code list, when the
    E/M line carries neither 25 (significant, separately identifiable E/M) nor 57
    (decision for surgery).
    Prevents: CO-97 denials of the E/M as included in the procedure's global package.
    Fix: add 25 (or 57 for a major procedure decision) when the documentation supports a
    separate E/M; otherwise remove the E/M line.
    """

    id = "modifier.em_without_25"
    category = "modifier"
    claim_types = frozenset({"professional", "outpatient"})

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        extra = context.pack.code_lists.get("em_25_procedures", frozenset())
        procedure_days = {
            line_date(claim, ln): ln
            for ln in claim.lines
            if is_surgery(ln.procedure) or ln.procedure in extra
        }
        if not procedure_days:
            return
        for line in claim.lines:
            if not is_em(line.procedure) or {"25", "57"} & set(line.modifiers):
                continue
            other = procedure_days.get(line_date(claim, line))
            if other is not None:
                yield self.finding(
                    claim,
                    line.number,
                    f"E/M {line.procedure} on the same day as procedure {other.procedure} "
                    f"(line {other.number}) without modifier 25",
                    "Add modifier 25 if the E/M was significant and separately identifiable "
                    "(documented), else remove the E/M line.",
                )
