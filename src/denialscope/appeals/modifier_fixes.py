"""Modifier and bundling fixes proposed from the line, the claim and the NCCI tables.

What a coder would accept, in this order:

1. an E/M line takes 25 (significant, separately identifiable service);
2. the same procedure twice on the claim is a laterality question first: RT/LT, not 59;
3. 59 (or the X{EPSU} modifier that fits) only when a loaded NCCI procedure-to-procedure
   edit pairs the line, as column 2, with another line of the claim and its modifier
   indicator is 1; indicator 0 means no modifier may bypass the edit. Without loaded NCCI
   tables no 59/X is proposed, and the note says why;
4. on an institutional claim (837I) a packaged line (laboratory revenue codes, CARC 97) is
   neither modified nor removed: under OPPS it stays on the claim as billed.

Each refusal is a note for the reviewer, so an empty list of fixes is never a silent one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from denialscope.scrub.ncci import PtpEdit, PtpIndex

__all__ = ["BundlingLine", "Proposal", "modifier_proposals"]

LATERALITY = frozenset({"RT", "LT"})
DISTINCT = frozenset({"59", "XE", "XS", "XP", "XU"})
# Revenue codes of laboratory services (030x, 031x): packaged under OPPS.
_LAB_REVENUE = ("030", "031")
_PACKAGED_CARC = "97"


@dataclass(slots=True, frozen=True)
class Proposal:
    kind: str
    line_no: int | None
    current: str | None
    proposed: str | None
    reason: str


@dataclass(slots=True, frozen=True)
class BundlingLine:
    line_no: int
    procedure: str | None
    modifiers: tuple[str, ...]
    revenue_code: str | None = None
    service_date: dt.date | None = None
    denied: bool = True
    reason_codes: frozenset[str] = field(default_factory=frozenset)


def _is_em(procedure: str | None) -> bool:
    return (procedure or "").startswith("992")


def _packaged(line: BundlingLine) -> bool:
    return (line.revenue_code or "").startswith(_LAB_REVENUE) or (
        _PACKAGED_CARC in line.reason_codes
    )


def _edits_as_column2(
    line: BundlingLine, others: Sequence[BundlingLine], ptp: PtpIndex
) -> list[PtpEdit]:
    day = line.service_date or dt.date.today()
    pairs = [
        (other.procedure or "", line.procedure or "", day)
        for other in others
        if other.procedure and other.procedure != line.procedure
    ]
    return [edit for edit in ptp.find(pairs) if edit is not None] if pairs else []


def modifier_proposals(
    *,
    root_cause: str,
    claim_kind: str | None,
    lines: Sequence[BundlingLine],
    ptp: PtpIndex | None,
) -> tuple[list[Proposal], list[str]]:
    """Fixes for the denied lines of a bundling or modifier denial, and notes on the rest."""
    fixes: list[Proposal] = []
    notes: list[str] = []
    institutional = claim_kind == "837I"
    for line in (ln for ln in lines if ln.denied):
        current = ",".join(line.modifiers) or None
        others = [ln for ln in lines if ln.line_no != line.line_no]
        if institutional and _packaged(line):
            notes.append(
                f"line {line.line_no}: packaged under OPPS on an institutional claim; it stays "
                "on the claim as billed (no modifier, no removal)"
            )
            continue
        if _is_em(line.procedure):
            if "25" in line.modifiers:
                fixes.append(
                    Proposal("replace_modifier", line.line_no, current, None, "25 refused")
                )
            else:
                fixes.append(
                    Proposal(
                        "add_modifier",
                        line.line_no,
                        current,
                        "25",
                        "E/M with a procedure the same day: 25 if the record shows a "
                        "significant, separately identifiable service",
                    )
                )
            continue
        twin = next((o for o in others if o.procedure == line.procedure), None)
        if twin is not None and not (set(line.modifiers) & LATERALITY):
            side = {"RT": "LT", "LT": "RT"}.get(
                next((m for m in twin.modifiers if m in LATERALITY), "")
            )
            fixes.append(
                Proposal(
                    "add_modifier",
                    line.line_no,
                    current,
                    side,
                    f"{line.procedure} twice on the claim: if performed on both sides, mark "
                    "RT/LT (laterality comes before 59)",
                )
            )
            continue
        if ptp is None:
            notes.append(
                f"line {line.line_no}: a 59/X{{EPSU}} modifier cannot be proposed: no NCCI "
                "PTP table is loaded (denialscope refdata load-ncci DIR)"
            )
            if root_cause == "ncci_bundling" and not institutional:
                fixes.append(
                    Proposal(
                        "remove_line",
                        line.line_no,
                        line.procedure,
                        None,
                        "bundled into another service: drop the line",
                    )
                )
            continue
        edits = _edits_as_column2(line, others, ptp)
        barred = [e for e in edits if e.modifier_indicator == 0]
        open_ = [e for e in edits if e.modifier_indicator == 1]
        if barred:
            edit = barred[0]
            notes.append(
                f"line {line.line_no}: NCCI pair {edit.column1}/{edit.column2} has modifier "
                "indicator 0: no modifier may bypass it"
            )
            if not institutional:
                fixes.append(
                    Proposal(
                        "remove_line",
                        line.line_no,
                        line.procedure,
                        None,
                        f"column 2 of NCCI pair {edit.column1}/{edit.column2} (indicator 0): "
                        "not separately payable; drop the line",
                    )
                )
        elif open_ and not (set(line.modifiers) & DISTINCT):
            edit = open_[0]
            fixes.append(
                Proposal(
                    "add_modifier",
                    line.line_no,
                    current,
                    "59",
                    f"NCCI pair {edit.column1}/{edit.column2} allows a modifier (indicator "
                    "1): 59, or the XE/XS/XP/XU that fits, if the record shows a distinct "
                    "service",
                )
            )
        elif open_:
            notes.append(
                f"line {line.line_no}: already carries a distinct-service modifier; the "
                "modifier letter defends it"
            )
        else:
            notes.append(
                f"line {line.line_no}: no NCCI edit with modifier indicator 1 pairs it with "
                "another line: 59/X is not the fix; check the payer's own bundling policy"
            )
    return fixes, notes
