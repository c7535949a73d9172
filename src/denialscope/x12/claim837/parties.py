"""The people and organisations on an 837: NM1 loops and what comes with them.

Submitter and receiver (1000A/B), billing and pay-to providers (2000A), subscriber and payer
(2000B), patient (2000C), claim and line providers (2310/2420) are all a :class:`Party`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["Address", "Contact", "Party", "Patient", "Submission", "Subscriber"]


@dataclass(slots=True)
class Address:
    line1: str = ""  # N301
    line2: str = ""  # N302
    city: str = ""  # N401
    state: str = ""  # N402
    postal_code: str = ""  # N403
    country: str = ""  # N404


@dataclass(slots=True)
class Contact:
    """PER: a contact function (IC information contact), a name and numbers by qualifier."""

    name: str = ""
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (TE/EM/FX/EX, value)
    function: str = "IC"


@dataclass(slots=True)
class Party:
    """An NM1 loop: submitter, receiver, provider, payer, subscriber or patient.

    ``name`` is NM103 (the last name of a person, the name of an organization).
    """

    entity_code: str  # NM101: 41, 40, 85, 87, PE, IL, PR, QC, 71, 72, ZZ, 82, DN, 77 ...
    entity_type: str = "2"  # NM102: 1 person, 2 non-person
    name: str = ""
    first_name: str = ""
    middle_name: str = ""
    suffix: str = ""  # NM107
    id_qualifier: str = ""  # NM108: XX NPI, PI payer id, MI member id, 46 ETIN, 24 EIN ...
    identifier: str = ""  # NM109
    taxonomy: str = ""  # PRV03
    address: Address | None = None
    refs: list[tuple[str, str]] = field(default_factory=list)  # REF (qualifier, value)
    contacts: list[Contact] = field(default_factory=list)
    birth_date: date | None = None  # DMG02
    sex: str = ""  # DMG03

    @property
    def npi(self) -> str | None:
        return self.identifier if self.id_qualifier == "XX" and self.identifier else None

    @property
    def tax_id(self) -> str | None:
        """REF EI (employer id) or SY (social security number), or NM109 when 24/34 (4010)."""
        for q, value in self.refs:
            if q in ("EI", "SY"):
                return value
        if self.id_qualifier in ("24", "34") and self.identifier:
            return self.identifier
        return None

    @property
    def display_name(self) -> str:
        if self.entity_type == "1" and self.first_name:
            return f"{self.name}, {self.first_name}"
        return self.name

    def ref(self, qualifier: str) -> str | None:
        for q, value in self.refs:
            if q == qualifier:
                return value
        return None


@dataclass(slots=True)
class Submission:
    """BHT and the 1000A/1000B loops: who sent the batch to whom, when."""

    reference: str = ""  # BHT03 originator application transaction id
    created: date | None = None  # BHT04
    time: str = ""  # BHT05 HHMM[SS]
    purpose: str = "00"  # BHT02: 00 original, 18 reissue
    claim_or_encounter: str = "CH"  # BHT06: CH chargeable, RP reporting (encounters), 31
    submitter: Party = field(default_factory=lambda: Party("41"))
    receiver: Party = field(default_factory=lambda: Party("40"))


@dataclass(slots=True)
class Subscriber:
    """2000B SBR plus the subscriber's NM1*IL loop."""

    party: Party = field(default_factory=lambda: Party("IL", "1", id_qualifier="MI"))
    responsibility: str = "P"  # SBR01: P primary, S secondary, T tertiary, A-H, U
    relationship: str = "18"  # SBR02: 18 self (the patient is the subscriber), else empty
    group_number: str = ""  # SBR03
    group_name: str = ""  # SBR04
    insurance_type: str = ""  # SBR05
    filing_indicator: str = "CI"  # SBR09: MB Medicare B, MA Medicare A, MC Medicaid, CI ...


@dataclass(slots=True)
class Patient:
    """2000C: the patient when not the subscriber (PAT01 relationship to the subscriber)."""

    party: Party = field(default_factory=lambda: Party("QC", "1"))
    relationship: str = "19"  # PAT01: 01 spouse, 19 child, 20 employee, G8 other ...
