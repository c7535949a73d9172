"""Rebuild an 837 ``Claim`` record from the database rows of a claim (for corrected claims).

The database keeps what analysis and appeals need, not every segment of the original file:
addresses, contacts and other-payer loops are not stored, so the rebuilt claim carries the
identifying data (parties and their ids), the codes, the dates and the lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.orgs.models import Payer, Provider
from denialscope.x12.claim837.records import Claim as ClaimRecord
from denialscope.x12.claim837.records import (
    CodeEntry,
    DateRange,
    Line,
    Party,
    Submission,
    Subscriber,
)

__all__ = ["claim_record"]

# claim_codes.kind -> the HI qualifier an 837I uses for it.
_CODE_QUALIFIERS: Final = {
    "occurrence": "BH",
    "occurrence_span": "BI",
    "value": "BE",
    "condition": "BG",
}


def _provider_party(provider: Provider | None, entity_code: str) -> Party:
    if provider is None:
        return Party(entity_code)
    return Party(
        entity_code,
        "2",
        provider.name or "",
        id_qualifier="XX" if provider.npi else "",
        identifier=provider.npi or "",
        taxonomy=provider.taxonomy or "",
        refs=[("EI", provider.tax_id)] if provider.tax_id else [],
    )


def _payer_party(payer: Payer | None) -> Party:
    if payer is None:
        return Party("PR", name="PAYER", id_qualifier="PI", identifier="UNKNOWN")
    return Party(
        "PR",
        "2",
        payer.name or "",
        id_qualifier=payer.id_qualifier or "PI",
        identifier=payer.payer_id or "UNKNOWN",
    )


def _codes(claim: Claim) -> list[CodeEntry]:
    institutional = claim.kind == "837I"
    codes = []
    for dx in claim.diagnoses:
        qualifier = dx.qualifier
        if not institutional and qualifier == "ABN":
            continue  # external-cause qualifiers are 837I only
        codes.append(CodeEntry(qualifier, dx.code, poa=(dx.poa or "") if institutional else ""))
    for px in claim.procedures:
        if px.date is not None:
            codes.append(CodeEntry(px.qualifier, px.code, "D8", px.date, px.date))
        else:
            codes.append(CodeEntry(px.qualifier, px.code))
    if institutional:
        for code in claim.codes:
            hi = _CODE_QUALIFIERS.get(code.kind)
            if hi is None:
                continue
            if code.kind == "occurrence_span" and code.date_from is not None:
                codes.append(
                    CodeEntry(hi, code.code, "RD8", code.date_from, code.date_to or code.date_from)
                )
            elif code.kind == "occurrence" and code.date_from is not None:
                codes.append(CodeEntry(hi, code.code, "D8", code.date_from, code.date_from))
            elif code.kind == "value":
                codes.append(CodeEntry(hi, code.code, amount=code.amount))
            else:
                codes.append(CodeEntry(hi, code.code))
        if claim.drg:
            codes.append(CodeEntry("DR", claim.drg))
    return codes


def _lines(claim: Claim) -> list[Line]:
    institutional = claim.kind == "837I"
    lines = []
    for row in claim.lines:
        pointers = [int(p) for p in (row.diagnosis_pointers or "").split(",") if p.strip()]
        lines.append(
            Line(
                row.procedure or "",
                row.charge if row.charge is not None else Decimal(0),
                procedure_qualifier=row.procedure_qualifier or ("HC" if row.procedure else ""),
                modifiers=[m for m in (row.modifiers or "").split(",") if m],
                units=row.units,
                unit_qualifier="UN",
                place_of_service="" if institutional else (row.place_of_service or ""),
                diagnosis_pointers=[] if institutional else (pointers or [1]),
                revenue_code=row.revenue_code or "",
                number=row.line_no,
                service_from=row.service_from,
                service_to=row.service_to,
                control_number=row.line_control or "",
            )
        )
    return lines


def claim_record(session: Session, claim: Claim) -> ClaimRecord:
    """The claim as an 837 record, ready for ``write_837``."""
    billing = (
        session.get(Provider, claim.billing_provider_id) if claim.billing_provider_id else None
    )
    attending = (
        session.get(Provider, claim.attending_provider_id) if claim.attending_provider_id else None
    )
    patient = claim.patient
    subscriber = Subscriber(
        party=Party(
            "IL",
            "1",
            (patient.last_name or "") if patient else "",
            (patient.first_name or "") if patient else "",
            id_qualifier="MI",
            identifier=(patient.member_id or "") if patient else "",
            birth_date=patient.birth_date if patient else None,
            sex=(patient.sex or "") if patient else "",
        ),
    )
    refs: list[tuple[str, str]] = []
    if claim.prior_auth:
        refs.append(("G1", claim.prior_auth))
    if claim.referral:
        refs.append(("9F", claim.referral))
    if claim.medical_record:
        refs.append(("EA", claim.medical_record))
    dates: dict[str, DateRange] = {}
    if claim.kind == "837I" and claim.statement_from is not None:
        dates["434"] = (claim.statement_from, claim.statement_to or claim.statement_from)
    if claim.kind == "837I" and claim.admission_date is not None:
        dates["435"] = (claim.admission_date, claim.admission_date)
    providers = []
    if claim.kind == "837I" and attending is not None:
        attending_party = _provider_party(attending, "71")
        attending_party.entity_type = "1"
        attending_party.refs = []
        providers.append(attending_party)
    submitter_name = billing.name if billing and billing.name else "DENIALSCOPE"
    return ClaimRecord(
        claim.control_number,
        claim.total_charge,
        kind=claim.kind or "837P",
        facility_code=claim.facility_code or "",
        frequency=claim.frequency or "1",
        dates=dates,
        admission_type=claim.admission_type or "",
        patient_status=claim.patient_status or "",
        refs=refs,
        codes=_codes(claim),
        providers=providers,
        lines=_lines(claim),
        billing_provider=_provider_party(billing, "85"),
        subscriber=subscriber,
        payer=_payer_party(claim.payer),
        submission=Submission(
            submitter=Party(
                "41",
                "2",
                submitter_name,
                id_qualifier="46",
                identifier=(billing.npi if billing and billing.npi else "SUBMITTER"),
            ),
            receiver=Party(
                "40",
                "2",
                (claim.payer.name if claim.payer else None) or "PAYER",
                id_qualifier="46",
                identifier=(claim.payer.payer_id if claim.payer else None) or "PAYER",
            ),
        ),
    )
