"""Synthetic denied claims written straight into the database (no X12): claim, lines,
diagnoses and the 835 payment that denies it, classified as a root cause would be.

Every person, NPI, payer and code combination here is invented; names are obviously fake.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from denialscope.claims.models import Claim, ClaimDiagnosis, ClaimLine, Patient
from denialscope.remits.models import Adjustment, ClaimPayment, Remittance
from denialscope.scrub.ncci import build_ptp_index
from denialscope.scrub.refdata import ncci_folder
from factories import rows
from factories.rows import BILLING_NPI

__all__ = ["BILLING_NPI", "DeniedLine", "add_payment", "load_ptp", "make_denied_claim"]

STREAM_OF = {
    "medical_necessity": "clinical",
    "level_of_care": "clinical",
    "documentation_insufficient": "clinical",
    "modifier_missing_invalid": "coding",
    "ncci_bundling": "coding",
    "units_mue": "coding",
    "unspecified_diagnosis": "coding",
    "drg_apc_dispute": "coding",
    "eligibility_terminated": "access",
    "auth_not_obtained": "access",
    "timely_filing": "billing",
    "missing_information": "billing",
}
_numbers = itertools.count(1)


@dataclass
class DeniedLine:
    procedure: str = "99213"
    charge: Decimal = Decimal("150.00")
    modifiers: str | None = None
    units: Decimal = Decimal(1)
    denied: bool = True


def make_denied_claim(
    session: Session,
    *,
    root_cause: str,
    dollars: Decimal,
    denied_on: dt.date,
    service_date: dt.date | None = None,
    payer_code: str = "PAYERA",
    payer_kind: str = "commercial",
    lines: Sequence[DeniedLine] | None = None,
    diagnoses: Sequence[str] = ("J209",),
    owner_role: str | None = None,
    carc: str = "50",
    group: str = "CO",
    kind: str | None = None,
) -> ClaimPayment:
    """A claim, its lines and diagnoses, and an initial 835 payment that denies it.

    ``kind``: 837I or 837P; by default a hospital claim (837I) for clinical root causes,
    which hospital UR and CDI work, and a professional one otherwise.
    """
    kind = kind or ("837I" if STREAM_OF.get(root_cause) == "clinical" else "837P")
    number = next(_numbers)
    payer = rows.payer(session, payer_code, kind=payer_kind)
    service_date = service_date or denied_on - dt.timedelta(days=30)
    lines = list(lines or [DeniedLine(charge=dollars)])
    patient = Patient(
        patient_key=f"{number:064x}",
        member_id=f"SYNMEM{number:04d}",
        last_name="TESTPATIENT",
        first_name="ALEX",
        birth_date=dt.date(1980, 1, 15),
        sex="F",
    )
    session.add(patient)
    claim = Claim(
        claim_key=f"SYN{number:05d}|{BILLING_NPI}",
        control_number=f"SYN{number:05d}",
        kind=kind,
        claim_type="institutional" if kind == "837I" else "professional",
        payer=payer,
        patient=patient,
        billing_provider_id=rows.provider(session).id,
        facility_code="11",
        frequency="1",
        total_charge=sum((ln.charge for ln in lines), Decimal(0)),
        statement_from=service_date,
        statement_to=service_date,
        principal_dx=diagnoses[0],
        submitted_at=service_date + dt.timedelta(days=2),
    )
    claim.diagnoses = [
        ClaimDiagnosis(seq=i, qualifier="ABK" if i == 1 else "ABF", code=code)
        for i, code in enumerate(diagnoses, 1)
    ]
    claim.lines = [
        ClaimLine(
            line_no=i,
            procedure_qualifier="HC",
            procedure=ln.procedure,
            modifiers=ln.modifiers,
            charge=ln.charge,
            units=ln.units,
            place_of_service="11",
            diagnosis_pointers="1",
            service_from=service_date,
            service_to=service_date,
        )
        for i, ln in enumerate(lines, 1)
    ]
    session.add(claim)
    session.flush()
    remittance = Remittance(
        source_file_id=rows.source_file(session).id, payer_id=payer.id, payment_date=denied_on
    )
    session.add(remittance)
    session.flush()
    payment = ClaimPayment(
        remittance_id=remittance.id,
        claim_id=claim.id,
        match_method="clp01_payer",
        seq=1,
        status_code="4",
        charge=claim.total_charge,
        paid=Decimal(0),
        payer_claim_number=f"PCN{number:07d}",
        patient_control_number=claim.control_number,
        service_from=service_date,
        adjudicated_at=denied_on,
        denial_type="full_denial",
        is_denial=True,
        primary_stream=STREAM_OF.get(root_cause, "billing"),
        primary_root_cause=root_cause,
        denied_amount=dollars,
    )
    payment.adjustments = [
        Adjustment(
            level="claim",
            group_code=group,
            reason_code=carc,
            amount=dollars,
            category="denial",
            is_denial=True,
            stream=STREAM_OF.get(root_cause, "billing"),
            root_cause=root_cause,
            owner_role=owner_role,
        )
    ]
    session.add(payment)
    session.flush()
    return payment


def add_payment(
    session: Session,
    denial: ClaimPayment,
    *,
    paid: Decimal,
    on: dt.date,
    is_denial: bool = False,
) -> ClaimPayment:
    """A later adjudication of the same claim (after an appeal or a corrected claim)."""
    remittance = Remittance(
        source_file_id=rows.source_file(session).id,
        payer_id=denial.remittance.payer_id,
        payment_date=on,
    )
    session.add(remittance)
    session.flush()
    later = ClaimPayment(
        remittance_id=remittance.id,
        claim_id=denial.claim_id,
        match_method="payer_claim_number",
        seq=denial.seq + 1,
        status_code="4" if is_denial else "1",
        charge=denial.charge,
        paid=paid,
        payer_claim_number=denial.payer_claim_number,
        adjudicated_at=on,
        is_denial=is_denial,
        denial_type="full_denial" if is_denial else None,
        primary_stream=denial.primary_stream if is_denial else None,
        primary_root_cause=denial.primary_root_cause if is_denial else None,
        denied_amount=denial.denied_amount if is_denial else None,
    )
    session.add(later)
    session.flush()
    return later


def load_ptp(data_dir: Path, rows: Sequence[tuple[str, str, int]], setting: str) -> None:
    """Synthetic NCCI PTP edits (column 1, column 2, modifier indicator) in force since 2020,
    indexed where the scrubber and the fix proposals look for them."""
    data_dir.mkdir(parents=True, exist_ok=True)
    source = data_dir / f"ptp-{setting}.txt"
    source.write_text(
        "".join(f"{one}\t{two}\t \t20200101\t*\t{mod}\tsynthetic\n" for one, two, mod in rows)
    )
    build_ptp_index([source], ncci_folder(data_dir, setting))
