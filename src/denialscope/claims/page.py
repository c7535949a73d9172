"""Everything about one claim on one screen: the service behind the web's claim page.

The 837 as stored (header, patient, diagnoses, procedures, codes, lines, providers), every
submission of it (versions), the 999/277CA acknowledgments, every 835 payment with its three
classification layers (:func:`denialscope.denials.explain.explain_claim_id`), related claims
(corrections of it and the claim it corrects) and its work item (``get_details``).

This is the one shape that carries patient identifiers (name, member id, date of birth): the
page showing it is audited, and nothing here is logged.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from denialscope.acks.models import Acknowledgment
from denialscope.claims.models import Claim
from denialscope.claims.page_types import (
    AckRow,
    ClaimHeader,
    ClaimPage,
    CodeRow,
    DiagnosisRow,
    LineRow,
    PatientFacts,
    ProviderRow,
    RelatedClaim,
    VersionRow,
)
from denialscope.claims.record import providers_of
from denialscope.classify import ClassificationConfig
from denialscope.denials.explain import explain_claim_id
from denialscope.errors import NotFoundError
from denialscope.orgs.models import Department, Provider
from denialscope.remits.models import ClaimPayment
from denialscope.sources.models import SourceFile
from denialscope.workqueue.details import get_details
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.schemas import WorkItemDetails

__all__ = [
    "FREQUENCY_LABELS",
    "ClaimPage",
    "claim_facts_page",
    "claim_page",
    "claim_stream",
    "with_work",
    "work_part",
]

# CLM05-3 claim frequency: what each submission was.
FREQUENCY_LABELS: Final = {"1": "original", "7": "replacement", "8": "void"}


def claim_stream(*, session: Session, claim_id: int) -> str | None:
    """The stream that owns a claim: its work item's, else its last denial's (None: none).

    The claim page is refused to a worker of another stream, so this decides who sees it.
    """
    stream = session.scalar(select(WorkItem.stream).where(WorkItem.claim_id == claim_id))
    if stream:
        return stream
    return session.scalar(
        select(ClaimPayment.primary_stream)
        .where(
            ClaimPayment.claim_id == claim_id,
            ClaimPayment.is_denial,
            ClaimPayment.primary_stream.is_not(None),
            ClaimPayment.primary_stream != "none",  # what a paid claim's payment says
        )
        .order_by(ClaimPayment.seq.desc(), ClaimPayment.id.desc())
        .limit(1)
    )


def _header(session: Session, claim: Claim) -> ClaimHeader:
    department = session.get(Department, claim.department_id) if claim.department_id else None
    payer = claim.payer
    return ClaimHeader(
        id=claim.id,
        control_number=claim.control_number,
        kind=claim.kind,
        claim_type=claim.claim_type,
        frequency=claim.frequency,
        facility_code=claim.facility_code,
        total_charge=claim.total_charge,
        statement_from=claim.statement_from,
        statement_to=claim.statement_to,
        admission_date=claim.admission_date,
        discharge_date=claim.discharge_date,
        admission_type=claim.admission_type,
        patient_status=claim.patient_status,
        drg=claim.drg,
        principal_dx=claim.principal_dx,
        prior_auth=claim.prior_auth,
        referral=claim.referral,
        filing_indicator=claim.filing_indicator,
        medical_record=claim.medical_record,
        original_payer_claim_number=claim.original_payer_claim_number,
        submitted_at=claim.submitted_at,
        is_stub=claim.is_stub,
        current_version=claim.current_version,
        payer=(payer.name or payer.payer_id) if payer is not None else None,
        department=department.code if department is not None else None,
        service_line=claim.service_line,
    )


def _providers(claim: Claim, known: dict[int, Provider]) -> tuple[ProviderRow, ...]:
    roles = (
        ("billing", claim.billing_provider_id),
        ("attending", claim.attending_provider_id),
        ("rendering", claim.rendering_provider_id),
        ("referring", claim.referring_provider_id),
    )
    rows = []
    for role, provider_id in roles:
        provider = known.get(provider_id) if provider_id is not None else None
        if provider is not None:
            rows.append(ProviderRow(role, provider.name, provider.npi, provider.taxonomy))
    return tuple(rows)


def _lines(claim: Claim, known: dict[int, Provider]) -> tuple[LineRow, ...]:
    rows = []
    for line in claim.lines:
        rendering = known.get(line.rendering_provider_id) if line.rendering_provider_id else None
        rows.append(
            LineRow(
                line_no=line.line_no,
                procedure=line.procedure,
                modifiers=line.modifiers,
                revenue_code=line.revenue_code,
                units=line.units.normalize() if line.units is not None else None,
                charge=line.charge,
                place_of_service=line.place_of_service,
                diagnosis_pointers=line.diagnosis_pointers,
                service_from=line.service_from,
                service_to=line.service_to,
                rendering_npi=rendering.npi if rendering is not None else None,
                ndc=line.ndc,
            )
        )
    return tuple(rows)


def _codes(claim: Claim) -> tuple[CodeRow, ...]:
    procedures = [CodeRow("procedure", p.code, p.date, None, None) for p in claim.procedures]
    others = [CodeRow(c.kind, c.code, c.date_from, c.date_to, c.amount) for c in claim.codes]
    return (*procedures, *others)


def _file_names(session: Session, ids: set[int]) -> dict[int, str]:
    """File names (without their folder) by source file id, in one query."""
    if not ids:
        return {}
    rows = session.execute(select(SourceFile.id, SourceFile.name).where(SourceFile.id.in_(ids)))
    return {file_id: Path(name).name for file_id, name in rows}


def _versions(claim: Claim, files: dict[int, str]) -> tuple[VersionRow, ...]:
    return tuple(
        VersionRow(
            version_no=v.version_no,
            frequency=v.frequency,
            frequency_label=FREQUENCY_LABELS.get(v.frequency or "1", "other"),
            submitted_at=v.submitted_at,
            total_charge=v.total_charge,
            original_payer_claim_number=v.original_payer_claim_number,
            file=files.get(v.source_file_id) if v.source_file_id else None,
        )
        for v in claim.versions
    )


def _acknowledgments(session: Session, claim: Claim) -> list[Acknowledgment]:
    """The claim's 277CA rows and the 999s of the transaction sets that carried it."""
    controls = [v.transaction_control for v in claim.versions if v.transaction_control]
    match = Acknowledgment.claim_id == claim.id
    if controls:
        match = or_(
            match,
            (Acknowledgment.kind == "999") & Acknowledgment.control_number.in_(controls),
        )
    return list(
        session.scalars(
            select(Acknowledgment)
            .where(match)
            .order_by(Acknowledgment.acknowledged_at.asc().nulls_first(), Acknowledgment.id)
        )
    )


def _ack_rows(acks: list[Acknowledgment], files: dict[int, str]) -> tuple[AckRow, ...]:
    return tuple(
        AckRow(
            kind=a.kind,
            status=a.status,
            control_number=a.control_number,
            payer_claim_number=a.payer_claim_number,
            category_codes=a.category_codes,
            status_codes=a.status_codes,
            acknowledged_at=a.acknowledged_at,
            file=files.get(a.source_file_id) if a.source_file_id else None,
        )
        for a in acks
    )


def _related(session: Session, claim: Claim) -> tuple[RelatedClaim, ...]:
    """Claims correcting this one (their REF F8 is one of its payer claim numbers) and the
    claim this one corrects (its REF F8 names that claim's payer claim number)."""
    ours = {
        n
        for n in session.scalars(
            select(ClaimPayment.payer_claim_number).where(ClaimPayment.claim_id == claim.id)
        )
        if n
    }
    found: dict[int, RelatedClaim] = {}
    if ours:
        for other in session.scalars(
            select(Claim)
            .where(Claim.original_payer_claim_number.in_(ours), Claim.id != claim.id)
            .order_by(Claim.id)
        ):
            found[other.id] = RelatedClaim(
                other.id,
                other.control_number,
                "corrects this claim",
                other.frequency,
                other.original_payer_claim_number,
            )
    theirs = {v.original_payer_claim_number for v in claim.versions}
    theirs.add(claim.original_payer_claim_number)
    theirs.discard(None)
    if theirs:
        rows = session.execute(
            select(Claim, ClaimPayment.payer_claim_number)
            .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
            .where(ClaimPayment.payer_claim_number.in_(theirs), Claim.id != claim.id)
            .order_by(Claim.id)
        )
        for other, number in rows.tuples():
            found.setdefault(
                other.id,
                RelatedClaim(
                    other.id,
                    other.control_number,
                    "corrected by this claim",
                    other.frequency,
                    number,
                ),
            )
    return tuple(found.values())


def claim_page(
    *,
    session: Session,
    claim_id: int,
    config: ClassificationConfig | None = None,
    data: str | Path | None = None,
) -> ClaimPage:
    """The claim with this id, whole (NotFoundError when there is none). ``config``: the
    classification the payments are re-explained under; ``data``: where official code texts
    were loaded (the data directory)."""
    facts = claim_facts_page(session=session, claim_id=claim_id, config=config, data=data)
    return with_work(facts, work_part(session=session, claim_id=claim_id))


def work_part(*, session: Session, claim_id: int) -> WorkItemDetails | None:
    """The claim's work item as its page shows it (None: the claim has none)."""
    item_id = session.scalar(select(WorkItem.id).where(WorkItem.claim_id == claim_id))
    return None if item_id is None else get_details(session=session, item_id=item_id)


def with_work(facts: ClaimPage, work: WorkItemDetails | None) -> ClaimPage:
    """The page of :func:`claim_facts_page` with its work item: the item's stream is the
    claim's (``claim_stream``'s first answer)."""
    return replace(facts, work=work, stream=work.item.stream if work is not None else facts.stream)


def claim_facts_page(
    *,
    session: Session,
    claim_id: int,
    config: ClassificationConfig | None = None,
    data: str | Path | None = None,
) -> ClaimPage:
    """Everything on the claim's page but its work item (``work`` None): what the loaded
    data decides, apart from what workers change (kept apart: ``claims.page_cache``)."""
    # The payer and the patient come with the claim (one query, not two more).
    claim = session.get(
        Claim, claim_id, options=[joinedload(Claim.payer), joinedload(Claim.patient)]
    )
    if claim is None:
        raise NotFoundError(f"no claim with id {claim_id}", claim=str(claim_id))
    known = providers_of(session=session, claim=claim)
    patient = claim.patient
    acks = _acknowledgments(session, claim)
    # The files of the versions and of the acknowledgments in one query, not one each.
    files = _file_names(
        session,
        {v.source_file_id for v in claim.versions if v.source_file_id}
        | {a.source_file_id for a in acks if a.source_file_id},
    )
    return ClaimPage(
        claim=_header(session, claim),
        patient=None
        if patient is None
        else PatientFacts(
            name=" ".join(p for p in (patient.first_name, patient.last_name) if p) or None,
            member_id=patient.member_id,
            birth_date=patient.birth_date,
            sex=patient.sex,
        ),
        stream=claim_stream(session=session, claim_id=claim.id),
        diagnoses=tuple(DiagnosisRow(d.seq, d.qualifier, d.code, d.poa) for d in claim.diagnoses),
        codes=_codes(claim),
        lines=_lines(claim, known),
        providers=_providers(claim, known),
        versions=_versions(claim, files),
        acknowledgments=_ack_rows(acks, files),
        payments=explain_claim_id(session=session, claim_id=claim.id, config=config, data=data),
        related=_related(session, claim),
        work=None,
    )
