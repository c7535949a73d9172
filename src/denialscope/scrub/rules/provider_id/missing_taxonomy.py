from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim

__all__ = ["MissingTaxonomy"]


class MissingTaxonomy(Rule):
    """The billing provider has no taxonomy code (PRV*BI).

    Catches: a billing provider without a PRV taxonomy, and a claim-level rendering
    provider without one on a professional claim. Medicare and most Medicaid plans need it
    to pick the enrolled location and specialty when one NPI has several.
    Prevents: CO-16 / N255-N290 style rejections (missing or invalid provider taxonomy)
    and payments at the wrong specialty.
    Fix: add PRV*BI*PXC (billing) / PRV*PE*PXC (rendering) with the enrolled taxonomy.
    """

    id = "provider_id.taxonomy"
    category = "provider_id"
    severity = "warn"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        if not claim.billing_provider.taxonomy:
            yield self.finding(
                claim,
                None,
                "billing provider has no taxonomy code",
                "Add PRV*BI*PXC with the billing provider's enrolled taxonomy.",
            )
        rendering = claim.rendering_provider
        if claim.claim_type == "professional" and rendering and not rendering.taxonomy:
            yield self.finding(
                claim,
                None,
                "rendering provider has no taxonomy code",
                "Add PRV*PE*PXC with the rendering provider's taxonomy.",
            )
