"""The base class of every scrub rule.

A rule is a small pure class: class attributes say what it is and where it applies, the
docstring is its documentation (what it catches, the denial it prevents, how to fix), and
``check`` yields findings. Rules never raise on bad claim data and never do I/O except
through the :class:`~denialscope.scrub.context.ScrubContext` they are given.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from denialscope.scrub.finding import Finding, SeverityName

if TYPE_CHECKING:
    from denialscope.scrub.context import ScrubContext
    from denialscope.x12.claim837.records import Claim

__all__ = ["CLAIM_TYPES", "Rule"]

CLAIM_TYPES = frozenset({"professional", "inpatient", "outpatient", "dental"})


class Rule:
    """Subclass, set the class attributes, write the docstring and ``check``."""

    id: ClassVar[str] = ""
    category: ClassVar[str] = ""
    severity: ClassVar[SeverityName] = "reject"
    # Claim types (see Claim.claim_type) the rule applies to; empty: every type.
    claim_types: ClassVar[frozenset[str]] = frozenset()
    # The rule applies to claims whose first service date falls in [effective_from,
    # effective_to]; None leaves that side open.
    effective_from: ClassVar[date | None] = None
    effective_to: ClassVar[date | None] = None
    # Payer ids (NM109 of the 2010BB payer) the rule is limited to; empty: every payer.
    payers: ClassVar[frozenset[str]] = frozenset()

    def applies(self, claim: Claim) -> bool:
        """Whether the claim's type, service date and payer are in this rule's scope."""
        if self.claim_types and claim.claim_type not in self.claim_types:
            return False
        if self.payers and claim.payer.identifier not in self.payers:
            return False
        if self.effective_from is not None or self.effective_to is not None:
            served = claim.service_from
            if served is None:
                return True  # missing_data reports the date; scope checks cannot
            if self.effective_from is not None and served < self.effective_from:
                return False
            if self.effective_to is not None and served > self.effective_to:
                return False
        return True

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        """Yield the findings on one claim (only called when ``applies`` is true)."""
        raise NotImplementedError

    def finding(
        self,
        claim: Claim,
        line: int | None,
        message: str,
        suggestion: str,
        *,
        severity: SeverityName | None = None,
    ) -> Finding:
        """A finding of this rule on ``claim`` (``line`` 1-based, None for the claim)."""
        return Finding(
            claim_id=claim.control_number,
            line=line,
            rule=self.id,
            category=self.category,
            severity=severity or self.severity,
            message=message,
            suggestion=suggestion,
        )

    @classmethod
    def documentation(cls) -> str:
        """The docstring, dedented: what it catches, the denial it prevents, how to fix."""
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")
