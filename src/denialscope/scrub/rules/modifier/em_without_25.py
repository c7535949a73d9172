"""[modifier] E/M on the day of a procedure whose package includes the evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from denialscope.scrub.base import Rule
from denialscope.scrub.code_ranges import em_25_ranges
from denialscope.scrub.context import ScrubContext, line_date
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import is_em
from denialscope.x12.claim837.records import Claim

__all__ = ["EmWithoutModifier25", "needs_separate_em"]


@lru_cache(maxsize=16384)
def needs_separate_em(code: str, extra: frozenset[str], exempt: frozenset[str]) -> bool:
    """Whether an E/M on this procedure's day needs modifier 25/57 (data file + pack lists)."""
    if code in exempt:
        return False
    if code in extra:
        return True
    procedures, exemptions = em_25_ranges()
    return code in procedures and code not in exemptions


class EmWithoutModifier25(Rule):
    """An E/M service on the day of a minor or major procedure, without modifier 25 (or 57).

    Catches: a line with an E/M code (99202-99499) on the date of a procedure whose global
    surgical package (000, 010, 090 days) includes the pre-procedure evaluation, listed as
    code ranges in ``scrub/data/em_25_procedures.yaml`` (the surgery section and a few
    medicine-section procedures, less venipuncture 36415, specimen draws, bundled access
    and other global-XXX services; labs are never on it), plus the pack's
    ``em_25_procedures`` list and less its ``em_25_exempt`` list, when the E/M line carries
    neither 25 (significant, separately identifiable E/M) nor 57 (decision for surgery).
    Prevents: CO-97 / CO-4 denials of the E/M as included in the procedure's global package.
    Fix: add 25 (or 57 for a major procedure decision) when the documentation supports a
    separate E/M; otherwise remove the E/M line.
    """

    id = "modifier.em_without_25"
    category = "modifier"
    claim_types = frozenset({"professional", "outpatient"})

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        extra = context.pack.code_lists.get("em_25_procedures", frozenset())
        exempt = context.pack.code_lists.get("em_25_exempt", frozenset())
        procedure_days = {
            line_date(claim, ln): ln
            for ln in claim.lines
            if ln.procedure and needs_separate_em(ln.procedure, extra, exempt)
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
