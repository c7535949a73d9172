"""What rules may consult besides the claim: packs, loaded edit tables, history, tools.

One context serves a whole run. It also carries the run's memory (lines already seen, for
duplicates within a batch) and the lazily opened MS-DRG grouper and code editor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from denialscope.scrub.packs import RulePack

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from denialscope.scrub.mue import MueIndex
    from denialscope.scrub.ncci import PtpIndex
    from denialscope.x12.claim837.records import Claim, Line

__all__ = ["DuplicateKey", "ScrubContext", "edit_setting", "line_date"]

# (patient, procedure, modifiers, service date, provider NPI)
DuplicateKey = tuple[str, str, str, date, str]


def line_date(claim: Claim, line: Line) -> date | None:
    """The line's service date, else the claim's."""
    return line.service_from or claim.service_from


def edit_setting(claim: Claim) -> str:
    """Which NCCI/MUE table applies: practitioner, outpatient or dme (by billing taxonomy)."""
    if claim.kind == "837I":
        return "outpatient"
    if claim.billing_provider.taxonomy.startswith("332B"):  # DME supplier taxonomies
        return "dme"
    return "practitioner"


@dataclass(slots=True)
class ScrubContext:
    """Inputs shared by every rule of a run; build one per run."""

    pack: RulePack = field(default_factory=RulePack)
    ncci: Mapping[str, PtpIndex] = field(default_factory=dict)
    mue: Mapping[str, MueIndex] = field(default_factory=dict)
    # The day the claims are (to be) submitted: timely filing counts to it. None: each
    # claim's BHT04 creation date, else today.
    submission_date: date | None = None
    # A session on the database: duplicate checks then also look at stored claims (through
    # ``stored_lookup``, made from the session unless given).
    session: Session | None = None
    # Lines seen in this run: duplicate key -> CLM01 of the claim that had it first.
    seen: dict[DuplicateKey, str] = field(default_factory=dict)
    stored_lookup: Callable[[DuplicateKey, Claim], str | None] | None = None
    _tools: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.session is not None and self.stored_lookup is None:
            from denialscope.scrub.service import stored_duplicate_lookup

            self.stored_lookup = stored_duplicate_lookup(self.session)

    def submitted(self, claim: Claim) -> date:
        return self.submission_date or claim.submission.created or date.today()

    def tool(self, name: str, factory: Callable[[], Any]) -> Any:
        """A heavy helper (grouper, editor) made once per run."""
        found = self._tools.get(name)
        if found is None:
            found = self._tools[name] = factory()
        return found

    def close(self) -> None:
        for tool in self._tools.values():
            close = getattr(tool, "close", None)
            if close is not None:
                close()
        self._tools.clear()
