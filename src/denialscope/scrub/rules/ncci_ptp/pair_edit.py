from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext, edit_setting, line_date
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import NCCI_ASSOCIATED_MODIFIERS, line_label
from denialscope.x12.claim837.records import Claim

__all__ = ["NcciPairEdit"]


class NcciPairEdit(Rule):
    """Two procedures on the same date that an NCCI PTP edit does not pay together.

    Catches: a column-2 code billed with its column-1 code on the same date of service
    (same rendering provider) while the edit is in force, when the modifier indicator is 0
    (never payable together) or 1 without an NCCI-associated modifier (59, XE, XS, XP, XU,
    anatomic modifiers, 24, 25, 57, 58, 78, 79, 91). Indicator 9 edits are inactive.
    Prevents: CO-97 / CO-236 bundling denials of the column-2 line.
    Fix: drop the column-2 line, or, when the services were truly distinct (other site,
    session or encounter) and the indicator is 1, add the modifier that documents it.
    Needs the practitioner or hospital outpatient PTP table (`refdata load-ncci`).
    """

    id = "ncci_ptp.pair"
    category = "ncci_ptp"
    claim_types = frozenset({"professional", "outpatient"})

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        index = context.ncci.get(edit_setting(claim))
        if index is None or len(claim.lines) < 2:
            return
        pairs: list[tuple[str, str, date]] = []
        where: list[tuple[int, int]] = []
        lines = claim.lines
        for i, first in enumerate(lines):
            day = line_date(claim, first)
            if day is None or not first.procedure:
                continue
            for j in range(len(lines)):
                second = lines[j]
                if i == j or not second.procedure or line_date(claim, second) != day:
                    continue
                one, two = first.rendering_provider, second.rendering_provider
                if one and two and one.identifier != two.identifier:
                    continue  # PTP edits apply to one provider's services
                pairs.append((first.procedure, second.procedure, day))
                where.append((i, j))
        for edit, (i, j) in zip(index.find(pairs), where, strict=True):
            if edit is None or edit.modifier_indicator == 9:
                continue
            column1, column2 = lines[i], lines[j]
            mods = set(column1.modifiers) | set(column2.modifiers)
            if edit.modifier_indicator == 1 and mods & NCCI_ASSOCIATED_MODIFIERS:
                continue
            if edit.modifier_indicator == 0:
                fix = f"Remove {column2.procedure}: it is never paid with {column1.procedure}."
            else:
                fix = (
                    f"Remove {column2.procedure}, or if it was a distinct service add "
                    f"XS/XE/XP/XU (or 59) to line {column2.number} with documentation."
                )
            yield self.finding(
                claim,
                column2.number,
                f"NCCI PTP edit: {line_label(column2)} (column 2) is bundled into "
                f"{line_label(column1)} (column 1, line {column1.number}), modifier "
                f"indicator {edit.modifier_indicator}",
                fix,
            )
