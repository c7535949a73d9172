"""Run the rules over claims: one :class:`ClaimResult` per claim, lazily."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.registry import all_rules
from denialscope.x12.claim837.records import Claim

__all__ = ["ClaimResult", "scrub_claims"]


@dataclass(slots=True)
class ClaimResult:
    claim_id: str  # CLM01
    claim: Claim = field(repr=False)
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """No rejection (warnings allowed): the claim may go out as is."""
        return not any(f.severity == "reject" for f in self.findings)

    @property
    def flagged(self) -> bool:
        """A rejection or a warning: something to act on (info suggestions do not count)."""
        return any(f.severity != "info" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "clean": self.clean,
            "findings": [f.to_dict() for f in self.findings],
        }


def scrub_claims(
    claims: Iterable[Claim],
    *,
    context: ScrubContext,
    rules: Sequence[Rule] | None = None,
) -> Iterator[ClaimResult]:
    """Check every claim with every rule whose scope covers it (all built-ins by default).

    Heavy tools the rules opened on the context are closed when the iteration ends.
    """
    active = list(rules) if rules is not None else all_rules()
    try:
        for claim in claims:
            result = ClaimResult(claim.control_number, claim)
            for rule in active:
                if rule.applies(claim):
                    result.findings.extend(rule.check(claim, context))
            yield result
    finally:
        context.close()  # the grouper and code editor hold native memory
