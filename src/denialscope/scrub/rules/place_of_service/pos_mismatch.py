from __future__ import annotations

from collections.abc import Iterator

from denialscope.reference import place_of_service
from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._facts import numeric_code
from denialscope.x12.claim837.records import Claim

__all__ = ["PlaceOfServiceMismatch"]

# E/M families by CPT number range and the places of service each is billed in.
_FAMILIES: tuple[tuple[int, int, str, frozenset[str]], ...] = (
    # office or other outpatient visits: not in a hospital inpatient, ER or SNF/nursing bed
    (99202, 99215, "office/outpatient visit", frozenset({"21", "23", "31", "32", "51", "61"})),
    # hospital inpatient or observation care: not in an office or the patient's home
    (99221, 99239, "hospital inpatient/observation care", frozenset({"11", "12", "49"})),
    # emergency department visits: not in an office or a home
    (99281, 99285, "emergency department visit", frozenset({"11", "12", "49"})),
)


class PlaceOfServiceMismatch(Rule):
    """A professional line whose place of service is unknown or contradicts the procedure.

    Catches: POS codes that are not in the CMS place-of-service code set, and E/M families
    billed where they cannot happen: office visits 99202-99215 in an inpatient hospital
    (21), ER (23) or nursing facility (31, 32), inpatient care 99221-99239 or ED visits
    99281-99285 in an office (11), home (12) or independent clinic (49).
    Prevents: CO-5 (procedure code/bill type inconsistent with the place of service) and
    CO-58 (invalid place of service) denials.
    Fix: correct the POS (CLM05-1 / SV105) or the E/M family to where the service was.
    """

    id = "place_of_service.mismatch"
    category = "place_of_service"
    claim_types = frozenset({"professional"})

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        known = place_of_service()
        for line in claim.lines:
            pos = line.place_of_service or claim.facility_code
            if pos not in known:
                yield self.finding(
                    claim,
                    line.number,
                    f"place of service {pos or '(none)'} is not a CMS POS code",
                    "Use the two-digit CMS place-of-service code where the service was.",
                )
                continue
            number = numeric_code(line.procedure)
            if number is None:
                continue
            for low, high, family, wrong in _FAMILIES:
                if low <= number <= high and pos in wrong:
                    yield self.finding(
                        claim,
                        line.number,
                        f"{line.procedure} ({family}) billed with place of service {pos} "
                        f"({known[pos].name})",
                        "Correct the place of service, or use the E/M family of the setting "
                        "where the patient was seen.",
                    )
