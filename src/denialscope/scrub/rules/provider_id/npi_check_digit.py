from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.parties import Party
from denialscope.x12.claim837.records import Claim

__all__ = ["NpiCheckDigit", "npi_is_valid"]

_ROLES = {"85": "billing", "82": "rendering", "71": "attending", "72": "operating"}
_ROLES |= {"DN": "referring", "P3": "referring (PCP)", "DQ": "supervising", "77": "facility"}


def npi_is_valid(npi: str) -> bool:
    """Ten digits whose last is the Luhn check digit of '80840' + the first nine."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi[:9])):
        digit = int(char)
        if position % 2 == 0:  # doubled: rightmost of the payload first
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


class NpiCheckDigit(Rule):
    """An NPI that is not ten digits or fails its check digit.

    Catches: every provider sent with qualifier XX (billing, rendering, attending,
    operating, referring, supervising, facility; claim and line level) whose identifier is
    not a valid NPI (ISO 7812 Luhn check digit computed with the 80840 prefix).
    Prevents: front-end rejections and CO-16 / N290 (missing or invalid rendering
    provider identifier) denials.
    Fix: correct the NPI from NPPES or the provider master file.
    """

    id = "provider_id.npi"
    category = "provider_id"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        parties: list[tuple[int | None, Party]] = [(None, claim.billing_provider)]
        parties += [(None, p) for p in claim.providers]
        parties += [(ln.number, p) for ln in claim.lines for p in ln.providers]
        for line, party in parties:
            if party.id_qualifier != "XX" or npi_is_valid(party.identifier):
                continue
            role = _ROLES.get(party.entity_code, f"provider {party.entity_code}")
            yield self.finding(
                claim,
                line,
                f"{role} NPI {party.identifier or '(empty)'} is not a valid NPI",
                "Correct the NPI (check NPPES or the provider master file).",
            )
