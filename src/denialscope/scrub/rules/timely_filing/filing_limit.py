from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim

__all__ = ["FilingLimit"]


class FilingLimit(Rule):
    """A claim submitted after (reject) or close to (warn) the payer's filing limit.

    Catches: days from the first service date (the statement end for institutional claims,
    as most payers count from discharge) to the submission date above the payer's
    ``filing_limit_days`` in the pack, else ``thresholds.default_filing_limit_days`` (365);
    a warning within ``thresholds.filing_warn_days`` of it.
    Prevents: CO-29 denials (claim filed after the payer's deadline), which are write-offs.
    Fix: submit now; if a delay reason applies (CLM20) or there is proof of an earlier
    timely submission, attach it.
    """

    id = "timely_filing.limit"
    category = "timely_filing"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        start = claim.service_to if claim.kind == "837I" else claim.service_from
        if start is None:
            return
        submitted = context.submitted(claim)
        days = (submitted - start).days
        payer = claim.payer.identifier
        limit = context.pack.filing_limit(payer)
        if days > limit:
            yield self.finding(
                claim,
                None,
                f"submitted {days} days after service; payer {payer or '?'} allows {limit}",
                "Submit with a delay reason code (CLM20) and proof of timely filing if any; "
                "otherwise expect a write-off.",
            )
        elif days > limit - context.pack.threshold("filing_warn_days"):
            yield self.finding(
                claim,
                None,
                f"{limit - days} days left of the {limit}-day filing limit",
                "Submit this claim first; fix other findings today.",
                severity="warn",
            )
