"""A stored claim as an 837 ``Claim`` record: one adapter for every use.

The scrub backtest runs the rules over stored claims; corrected claims rewrite one as a
replacement 837. Both need the same record, and it must be one the writer can send: so
institutional-only data (POA indicators, value/occurrence/condition codes, the DRG, the
statement period) is set on 837I records only, and everything else the database keeps is
carried (codes, lines with their rendering providers, dates, claim-level providers, prior
authorization, referral, medical record and original payer claim numbers, the patient).
Addresses, contacts and other-payer loops are not stored, so they stay at their defaults.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

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

__all__ = ["claim_record", "providers_of", "stored_claims"]

_BATCH: Final = 500
# claim_codes.kind -> the HI qualifier an 837I uses for it.
_CODE_QUALIFIERS: Final = {
    "occurrence": "BH",
    "occurrence_span": "BI",
    "value": "BE",
    "condition": "BG",
}


def _person(entity: str, provider: Provider | None) -> Party | None:
    """A rendering, attending or referring provider (a person: NM102 = 1)."""
    if provider is None:
        return None
    return Party(
        entity,
        "1",
        provider.name or "",
        id_qualifier="XX" if provider.npi else "",
        identifier=provider.npi or "",
        taxonomy=provider.taxonomy or "",
    )


def _billing(provider: Provider | None) -> Party:
    if provider is None:
        return Party("85")
    return Party(
        "85",
        "2",
        provider.name or "",
        id_qualifier="XX" if provider.npi else "",
        identifier=provider.npi or "",
        taxonomy=provider.taxonomy or "",
        refs=[("EI", provider.tax_id)] if provider.tax_id else [],
    )


def _payer(payer: Payer | None) -> Party:
    if payer is None:
        return Party("PR", name="PAYER", id_qualifier="PI", identifier="UNKNOWN")
    return Party(
        "PR",
        "2",
        payer.name or "",
        id_qualifier=payer.id_qualifier or "PI",
        identifier=payer.payer_id or "UNKNOWN",
    )


def _codes(claim: Claim, institutional: bool) -> list[CodeEntry]:
    codes = []
    for dx in claim.diagnoses:
        if not institutional and dx.qualifier == "ABN":
            continue  # external-cause qualifiers are 837I only
        codes.append(CodeEntry(dx.qualifier, dx.code, poa=(dx.poa or "") if institutional else ""))
    for px in claim.procedures:
        if px.date is not None:
            codes.append(CodeEntry(px.qualifier, px.code, "D8", px.date, px.date))
        else:
            codes.append(CodeEntry(px.qualifier, px.code))
    if not institutional:
        return codes
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


def _lines(claim: Claim, providers: Mapping[int, Provider], institutional: bool) -> list[Line]:
    lines = []
    for row in claim.lines:
        rendering = _person("82", providers.get(row.rendering_provider_id or -1))
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
                diagnosis_pointers=[] if institutional else pointers,
                revenue_code=row.revenue_code or "",
                number=row.line_no,
                service_from=row.service_from,
                service_to=row.service_to,
                control_number=row.line_control or "",
                providers=[rendering] if rendering else [],
            )
        )
    return lines


def _dates(claim: Claim, institutional: bool) -> dict[str, DateRange]:
    dates: dict[str, DateRange] = {}
    if institutional and (claim.statement_from or claim.statement_to):
        start = claim.statement_from or claim.statement_to
        dates["434"] = (start, claim.statement_to or start)
    if claim.admission_date:
        dates["435"] = (claim.admission_date, claim.admission_date)
    if not institutional and claim.discharge_date:
        # 837P: the discharge date of a hospital stay (837I sends only the discharge hour).
        dates["096"] = (claim.discharge_date, claim.discharge_date)
    return dates


def claim_record(claim: Claim, *, providers: Mapping[int, Provider]) -> ClaimRecord:
    """The stored claim (its current version) as an 837 record; ``providers`` by id."""
    institutional = claim.kind == "837I"
    refs = [
        (qualifier, value)
        for qualifier, value in (
            ("G1", claim.prior_auth),
            ("9F", claim.referral),
            ("EA", claim.medical_record),
            ("F8", claim.original_payer_claim_number),
        )
        if value
    ]
    others = [
        party
        for party in (
            _person("71", providers.get(claim.attending_provider_id or -1)),
            _person("82", providers.get(claim.rendering_provider_id or -1)),
            _person("DN", providers.get(claim.referring_provider_id or -1)),
        )
        if party is not None
    ]
    patient = claim.patient
    billing = providers.get(claim.billing_provider_id or -1)
    payer = claim.payer
    return ClaimRecord(
        claim.control_number,
        claim.total_charge,
        kind=claim.kind or "837P",
        facility_code=claim.facility_code or "",
        frequency=claim.frequency or "1",
        dates=_dates(claim, institutional),
        admission_type=claim.admission_type or "",
        patient_status=claim.patient_status or "",
        refs=refs,
        codes=_codes(claim, institutional),
        providers=others,
        lines=_lines(claim, providers, institutional),
        billing_provider=_billing(billing),
        subscriber=Subscriber(
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
        ),
        payer=_payer(payer),
        submission=Submission(
            created=claim.submitted_at,
            submitter=Party(
                "41",
                "2",
                billing.name if billing and billing.name else "DENIALSCOPE",
                id_qualifier="46",
                identifier=billing.npi if billing and billing.npi else "SUBMITTER",
            ),
            receiver=Party(
                "40",
                "2",
                (payer.name if payer else None) or "PAYER",
                id_qualifier="46",
                identifier=(payer.payer_id if payer else None) or "PAYER",
            ),
        ),
    )


def providers_of(*, session: Session, claim: Claim) -> dict[int, Provider]:
    """The providers one claim and its lines point at, by id."""
    ids = {
        i
        for i in (
            claim.billing_provider_id,
            claim.attending_provider_id,
            claim.rendering_provider_id,
            claim.referring_provider_id,
            *(line.rendering_provider_id for line in claim.lines),
        )
        if i is not None
    }
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Provider).where(Provider.id.in_(ids)))}


def stored_claims(
    *, session: Session, limit: int | None = None
) -> Iterator[tuple[int, ClaimRecord]]:
    """(claims.id, record) for every stored non-stub claim, in id order, in batches."""
    providers = {p.id: p for p in session.scalars(select(Provider))}
    last = 0
    seen = 0
    while limit is None or seen < limit:
        batch = list(
            session.scalars(
                select(Claim)
                .where(Claim.is_stub.is_(False), Claim.id > last)
                .order_by(Claim.id)
                .limit(_BATCH)
                .options(
                    selectinload(Claim.lines),
                    selectinload(Claim.diagnoses),
                    selectinload(Claim.procedures),
                    selectinload(Claim.codes),
                    selectinload(Claim.patient),
                    selectinload(Claim.payer),
                )
            )
        )
        if not batch:
            return
        for row in batch:
            if limit is not None and seen >= limit:
                return
            seen += 1
            yield row.id, claim_record(row, providers=providers)
        last = batch[-1].id
        session.expunge_all()  # keeps memory flat over a large history
