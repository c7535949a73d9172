from __future__ import annotations

import hashlib
from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import DuplicateKey, ScrubContext, line_date
from denialscope.scrub.finding import Finding
from denialscope.x12.claim837.records import Claim, Line

__all__ = ["DuplicateService", "duplicate_key", "patient_token"]

# Repeat-service modifiers: the same code twice on one day is then expected.
_REPEAT = frozenset({"76", "77", "91"})


def patient_token(claim: Claim) -> str:
    """An opaque token for the patient (member id, birth date, name); never shown."""
    party = claim.patient_party
    member = claim.subscriber.party.identifier
    born = party.birth_date.isoformat() if party.birth_date else ""
    text = "|".join((member, born, party.name.upper(), party.first_name.upper()))
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def duplicate_key(claim: Claim, line: Line, patient: str) -> DuplicateKey | None:
    day = line_date(claim, line)
    if day is None or not line.procedure:
        return None
    provider = line.rendering_provider or claim.rendering_provider or claim.billing_provider
    mods = ",".join(sorted(m for m in line.modifiers if m not in _REPEAT))
    return (patient, line.procedure, mods, day, provider.identifier)


class DuplicateService(Rule):
    """The same service for the same patient, date and provider billed twice.

    Catches: a line whose patient, procedure, modifiers, date of service and rendering
    provider match a line already seen in this run (another claim, or an earlier line of
    the same claim) or, with a database, a stored claim with a different claim number.
    Repeat-service modifiers (76, 77, 91) exempt the line; replacement (7) and void (8)
    claims are not checked.
    Prevents: CO-18 denials (the same service billed twice) and duplicate-payment
    overpayment recoveries.
    Fix: remove the duplicate line or claim; if the service was really repeated, add 76,
    77 or 91; to change a paid claim send a replacement (frequency 7).
    """

    id = "duplicate.service"
    category = "duplicate"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        if claim.frequency in ("7", "8"):
            return
        patient = patient_token(claim)
        own: set[DuplicateKey] = set()
        for line in claim.lines:
            if _REPEAT & set(line.modifiers):
                continue
            key = duplicate_key(claim, line, patient)
            if key is None:
                continue
            if key in own:
                where = "an earlier line of this claim"
            else:
                earlier = context.seen.get(key)
                if earlier is None and context.stored_lookup is not None:
                    earlier = context.stored_lookup(key, claim)
                own.add(key)
                if earlier is None:
                    context.seen[key] = claim.control_number
                    continue
                same = earlier == claim.control_number
                where = f"an earlier submission of claim {earlier}" if same else f"claim {earlier}"
            yield self.finding(
                claim,
                line.number,
                f"{line.procedure} on {key[3].isoformat()} for this patient and provider "
                f"is already billed on {where}",
                "Remove the duplicate, or add 76/77/91 if the service was repeated; use a "
                "replacement claim (frequency 7) to change a submitted claim.",
            )
