"""Rebuild 837 ``Claim`` records from stored claim rows, so rules can run on history.

The stored rows keep what the rules read (codes, lines, dates, providers, patient); fields
the database does not keep (attachments, notes, other payers) stay at their defaults.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from denialscope.claims.models import Claim as ClaimRow
from denialscope.orgs.models import Provider
from denialscope.x12.claim837.parties import Party, Submission, Subscriber
from denialscope.x12.claim837.records import Claim, CodeEntry, DateRange, Line

__all__ = ["claim_from_row", "stored_claims"]

_BATCH = 500


def _provider(entity: str, row: Provider | None) -> Party | None:
    if row is None:
        return None
    return Party(
        entity,
        "1" if entity != "85" else "2",
        name=row.name or "",
        id_qualifier="XX" if row.npi else "",
        identifier=row.npi or "",
        taxonomy=row.taxonomy or "",
    )


def claim_from_row(row: ClaimRow, providers: Mapping[int, Provider]) -> Claim:
    """The record of one stored claim (its current version)."""
    dates: dict[str, DateRange] = {}
    if row.statement_from or row.statement_to:
        dates["434"] = (row.statement_from, row.statement_to)
    if row.admission_date:
        dates["435"] = (row.admission_date, row.admission_date)
    if row.discharge_date:
        dates["096"] = (row.discharge_date, row.discharge_date)
    codes = [CodeEntry(d.qualifier, d.code, poa=d.poa or "") for d in row.diagnoses]
    codes += [
        CodeEntry(p.qualifier, p.code, "D8" if p.date else "", p.date, p.date)
        for p in row.procedures
    ]
    if row.drg:
        codes.append(CodeEntry("DR", row.drg))
    refs = [(q, v) for q, v in (("G1", row.prior_auth), ("9F", row.referral)) if v]
    if row.original_payer_claim_number:
        refs.append(("F8", row.original_payer_claim_number))
    lines = []
    for ln in row.lines:
        rendering = _provider("82", providers.get(ln.rendering_provider_id or -1))
        lines.append(
            Line(
                procedure=ln.procedure or "",
                charge=ln.charge,
                procedure_qualifier=ln.procedure_qualifier or "HC",
                modifiers=[m for m in (ln.modifiers or "").split(",") if m],
                units=ln.units,
                place_of_service=ln.place_of_service or "",
                diagnosis_pointers=[int(p) for p in (ln.diagnosis_pointers or "").split(",") if p],
                revenue_code=ln.revenue_code or "",
                number=ln.line_no,
                service_from=ln.service_from,
                service_to=ln.service_to,
                control_number=ln.line_control or "",
                providers=[rendering] if rendering else [],
            )
        )
    patient = row.patient
    member = Party(
        "IL",
        "1",
        name=(patient.last_name or "") if patient else "",
        first_name=(patient.first_name or "") if patient else "",
        id_qualifier="MI",
        identifier=(patient.member_id or "") if patient else "",
        birth_date=patient.birth_date if patient else None,
        sex=(patient.sex or "") if patient else "",
    )
    payer = row.payer
    others = [
        p
        for p in (
            _provider("82", providers.get(row.rendering_provider_id or -1)),
            _provider("71", providers.get(row.attending_provider_id or -1)),
            _provider("DN", providers.get(row.referring_provider_id or -1)),
        )
        if p is not None
    ]
    kind = row.kind or "837P"
    return Claim(
        row.control_number,
        row.total_charge,
        kind=kind,
        facility_code=row.facility_code or "",
        frequency=row.frequency or "1",
        dates=dates,
        admission_type=row.admission_type or "",
        patient_status=row.patient_status or "",
        refs=refs,
        codes=codes,
        providers=others,
        lines=lines,
        billing_provider=_provider("85", providers.get(row.billing_provider_id or -1))
        or Party("85"),
        subscriber=Subscriber(party=member),
        payer=Party(
            "PR",
            name=(payer.name or "") if payer else "",
            id_qualifier="PI",
            identifier=(payer.payer_id or "") if payer else "",
        ),
        submission=Submission(created=row.submitted_at),
    )


def stored_claims(session: Session, *, limit: int | None = None) -> Iterator[tuple[int, Claim]]:
    """(claims.id, record) for every stored non-stub claim, in id order, in batches."""
    providers = {p.id: p for p in session.scalars(select(Provider))}
    last = 0
    seen = 0
    while limit is None or seen < limit:
        batch = list(
            session.scalars(
                select(ClaimRow)
                .where(ClaimRow.is_stub.is_(False), ClaimRow.id > last)
                .order_by(ClaimRow.id)
                .limit(_BATCH)
                .options(
                    selectinload(ClaimRow.lines),
                    selectinload(ClaimRow.diagnoses),
                    selectinload(ClaimRow.procedures),
                    selectinload(ClaimRow.patient),
                    selectinload(ClaimRow.payer),
                )
            )
        )
        if not batch:
            return
        for row in batch:
            if limit is not None and seen >= limit:
                return
            seen += 1
            yield row.id, claim_from_row(row, providers)
        last = batch[-1].id
        session.expunge_all()  # keeps memory flat over a large history
