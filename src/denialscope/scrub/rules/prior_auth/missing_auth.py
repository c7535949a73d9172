from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext, line_date
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim

__all__ = ["MissingPriorAuthorization"]


class MissingPriorAuthorization(Rule):
    """A service on the payer's prior-authorization list, on a claim without REF*G1.

    Catches: a line whose procedure a pack ``prior_auth`` entry lists for the claim's
    payer (or "*") on the line's date, when the claim carries no prior authorization
    number (2300 REF*G1).
    Prevents: CO-197 / CO-15 (authorization absent or invalid) denials, often not
    appealable.
    Fix: put the authorization number in REF*G1; if none was obtained, ask the payer for a
    retro-authorization before submitting.
    """

    id = "prior_auth.missing"
    category = "prior_auth"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        entries = context.pack.prior_auth
        if not entries or claim.prior_authorization:
            return
        payer = claim.payer.identifier
        for line in claim.lines:
            day = line_date(claim, line)
            if any(e.matches(payer, line.procedure, day) for e in entries):
                yield self.finding(
                    claim,
                    line.number,
                    f"{line.procedure} needs prior authorization for payer {payer or '?'}; "
                    "the claim has no REF*G1",
                    "Add the authorization number (REF*G1) or obtain a retro-authorization.",
                )
