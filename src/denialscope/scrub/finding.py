"""A finding: one problem a scrub rule found on a claim or one of its lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["SEVERITIES", "Finding", "SeverityName"]

SeverityName = Literal["reject", "warn", "info"]
# reject: the payer will deny or return the claim as sent; warn: a likely denial or a
# question a coder should answer before the claim leaves; info: a suggestion only (the code
# sent may well be the right one), which never flags a claim.
SEVERITIES: tuple[SeverityName, ...] = ("reject", "warn", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found, where (claim, 1-based line or None for the claim) and how to fix it.

    Messages name codes and positions only, never patient identifiers.
    """

    claim_id: str  # CLM01
    line: int | None
    rule: str
    category: str
    severity: SeverityName
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "line": self.line,
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
        }
