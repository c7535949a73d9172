from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext, edit_setting, line_date
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim, Line

__all__ = ["MueUnits"]


class MueUnits(Rule):
    """Units of service above the code's Medically Unlikely Edit value.

    Catches: with adjudication indicator 1, a line whose units exceed the MUE value; with
    indicator 2 (policy) or 3 (clinical), the units of the code summed over one date of
    service exceeding it.
    Prevents: CO-151 / N362 unit denials (indicator 1 denies the line, 2 and 3 the units
    of the date; indicator 2 is not appealable).
    Fix: correct the units; for indicator 1 split truly separate services over lines with
    the right modifiers (76, 91, anatomic); for 3 keep the records for an appeal.
    Needs the practitioner, outpatient hospital or DME table (`refdata load-mue`).
    """

    id = "mue.units"
    category = "mue"
    claim_types = frozenset({"professional", "outpatient"})

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        index = context.mue.get(edit_setting(claim))
        if index is None:
            return
        per_day: dict[tuple[str, date | None], list[Line]] = defaultdict(list)
        for line in claim.lines:
            limit = index.get(line.procedure)
            if limit is None or line.units is None:
                continue
            if limit.per_line:
                if line.units > limit.value:
                    yield self.finding(
                        claim,
                        line.number,
                        f"{line.procedure}: {line.units} units on one line, MUE {limit.value} "
                        "(indicator 1, line edit)",
                        f"Bill at most {limit.value} units per line, or split distinct "
                        "services over lines with the right modifiers.",
                    )
            else:
                per_day[(line.procedure, line_date(claim, line))].append(line)
        for (code, day), lines in per_day.items():
            found = index.get(code)
            assert found is not None  # grouped only when a limit exists
            total = sum((ln.units or Decimal(0) for ln in lines), Decimal(0))
            if total > found.value:
                when = day.isoformat() if day else "the claim's date"
                yield self.finding(
                    claim,
                    lines[-1].number,
                    f"{code}: {total} units on {when}, MUE {found.value} "
                    f"(indicator {found.indicator}, date of service edit)",
                    f"Reduce {code} to at most {found.value} units for the date of service.",
                )
