from __future__ import annotations

import re
from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import ANATOMIC_MODIFIERS, is_em
from denialscope.x12.claim837.records import Claim

__all__ = ["ModifierInvalidForCode"]

_SHAPE = re.compile(r"^[0-9A-Z]{2}$")
# Modifiers that only mean something on an E/M service.
_EM_ONLY = frozenset({"24", "25", "57"})
# Modifiers that never apply to an E/M service: bilateral, anatomic, professional or
# technical component, distinct procedural service.
_NOT_ON_EM = ANATOMIC_MODIFIERS | {"50", "26", "TC", "51", "59", "XE", "XP", "XS", "XU"}


class ModifierInvalidForCode(Rule):
    """A modifier that does not fit the kind of code it is on, or is not a modifier at all.

    Catches: 24, 25 or 57 on a code that is not an E/M (99202-99499); bilateral, anatomic,
    component (26, TC), 51, 59 and X{EPSU} modifiers on an E/M; values that are not two
    letters or digits.
    Prevents: CO-4 denials (modifier wrong or missing for the procedure).
    Fix: move the modifier to the line it belongs to, or remove it.
    """

    id = "modifier.invalid_for_code"
    category = "modifier"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        for line in claim.lines:
            em = is_em(line.procedure)
            for mod in line.modifiers:
                if not _SHAPE.match(mod):
                    problem = f"{mod!r} is not a two-character modifier"
                elif mod in _EM_ONLY and not em and line.procedure:
                    problem = f"modifier {mod} applies to E/M services only"
                elif mod in _NOT_ON_EM and em:
                    problem = f"modifier {mod} does not apply to an E/M service"
                else:
                    continue
                yield self.finding(
                    claim,
                    line.number,
                    f"{line.procedure}: {problem}",
                    f"Remove {mod} from line {line.number} or move it to the line it describes.",
                )
