"""Claims as submitted on 837s, and the patients they are for.

A claim is identified by ``claim_key`` = CLM01 (patient control number) + "|" + billing
provider NPI: CLM01 is only unique within one billing provider. Every 837 submission of the
same claim (original, replacement 7, void 8) becomes a ``claim_versions`` row and updates the
claim row to the latest one. An 835 claim payment that matches no 837 creates a stub claim
(``is_stub``) keyed with the payee NPI, so denial analytics work on remittances alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.db.base import QUANTITY, Base, TimestampMixin
from denialscope.orgs.models import Payer
from denialscope.sources.models import SourceFile

__all__ = [
    "CLAIM_CODE_KINDS",
    "Claim",
    "ClaimCode",
    "ClaimDiagnosis",
    "ClaimLine",
    "ClaimProcedure",
    "ClaimVersion",
    "Patient",
    "claim_key_for",
    "patient_key_for",
]

CLAIM_CODE_KINDS = ("occurrence", "occurrence_span", "value", "condition")

_SPACES = re.compile(r"\s+")


def _norm(value: str | None) -> str:
    return _SPACES.sub(" ", (value or "").strip().upper())


def patient_key_for(
    member_id: str | None,
    birth_date: dt.date | None,
    last_name: str | None,
    first_name: str | None,
) -> str:
    """A stable SHA-256 of member id, birth date and name (normalized), as 64 hex digits.

    The same person merges across files without the key revealing who it is. An 835 carries
    no birth date: its key differs from the 837's, so ingest links remittance patients
    through the matched claim rather than through this key.
    """
    born = birth_date.isoformat() if birth_date else ""
    text = "|".join((_norm(member_id), born, _norm(last_name), _norm(first_name)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def claim_key_for(control_number: str, billing_npi: str | None) -> str:
    """``claims.claim_key``: CLM01 and the billing (or, for a stub, payee) provider NPI."""
    return f"{control_number.strip()}|{(billing_npi or '').strip()}"


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_key: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[str | None] = mapped_column(String(80), index=True)
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None]
    sex: Mapped[str | None] = mapped_column(String(1))


class Claim(TimestampMixin, Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_key: Mapped[str] = mapped_column(String(120), unique=True)
    control_number: Mapped[str] = mapped_column(String(50), index=True)  # CLM01
    kind: Mapped[str | None] = mapped_column(String(4), index=True)  # 837P / 837I
    # professional / inpatient / outpatient
    claim_type: Mapped[str | None] = mapped_column(String(20), index=True)
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("payers.id", ondelete="SET NULL"), index=True
    )
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    billing_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    rendering_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    attending_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    referring_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilities.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    service_line: Mapped[str | None] = mapped_column(String(80), index=True)
    # CLM05-1: place of service (837P) or facility type of the bill type (837I).
    facility_code: Mapped[str | None] = mapped_column(String(4), index=True)
    frequency: Mapped[str | None] = mapped_column(String(1))  # CLM05-3: 1, 7, 8 ...
    total_charge: Mapped[Decimal | None]
    statement_from: Mapped[dt.date | None]
    statement_to: Mapped[dt.date | None]
    admission_date: Mapped[dt.date | None]
    discharge_date: Mapped[dt.date | None]
    admission_type: Mapped[str | None] = mapped_column(String(2))
    patient_status: Mapped[str | None] = mapped_column(String(2))
    drg: Mapped[str | None] = mapped_column(String(4), index=True)  # as submitted (HI DR)
    principal_dx: Mapped[str | None] = mapped_column(String(8), index=True)
    prior_auth: Mapped[str | None] = mapped_column(String(50))  # REF G1
    filing_indicator: Mapped[str | None] = mapped_column(String(2))  # SBR09 (MA, MB, MC, CI...)
    referral: Mapped[str | None] = mapped_column(String(50))  # REF 9F
    original_payer_claim_number: Mapped[str | None] = mapped_column(String(50), index=True)
    medical_record: Mapped[str | None] = mapped_column(String(50))  # REF EA
    submitted_at: Mapped[dt.date | None] = mapped_column(index=True)  # BHT04 or file date
    source_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_files.id", ondelete="SET NULL"), index=True
    )
    is_stub: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    current_version: Mapped[int] = mapped_column(default=1, server_default="1")

    payer: Mapped[Payer | None] = relationship()
    patient: Mapped[Patient | None] = relationship()
    source_file: Mapped[SourceFile | None] = relationship()
    versions: Mapped[list[ClaimVersion]] = relationship(
        back_populates="claim",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ClaimVersion.version_no",
    )
    diagnoses: Mapped[list[ClaimDiagnosis]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ClaimDiagnosis.seq"
    )
    procedures: Mapped[list[ClaimProcedure]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ClaimProcedure.seq"
    )
    codes: Mapped[list[ClaimCode]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ClaimCode.id"
    )
    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ClaimLine.line_no",
    )


class ClaimVersion(Base):
    __tablename__ = "claim_versions"
    __table_args__ = (UniqueConstraint("claim_id", "version_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    version_no: Mapped[int]
    frequency: Mapped[str | None] = mapped_column(String(1))
    source_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_files.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[dt.date | None]
    total_charge: Mapped[Decimal | None]
    original_payer_claim_number: Mapped[str | None] = mapped_column(String(50))
    # SHA-256 of the claim's parsed content without its envelope (ingest/claim_identity.py).
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    # "GS06/ST02" of the 837 transaction set (a 999 acknowledges that pair).
    transaction_control: Mapped[str | None] = mapped_column(String(50), index=True)

    claim: Mapped[Claim] = relationship(back_populates="versions")


class ClaimDiagnosis(Base):
    __tablename__ = "claim_diagnoses"
    __table_args__ = (UniqueConstraint("claim_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    seq: Mapped[int]  # 1 = principal; the order SV1 diagnosis pointers refer to
    qualifier: Mapped[str] = mapped_column(String(3))  # ABK, ABF, ABJ, ABN, APR ...
    code: Mapped[str] = mapped_column(String(8), index=True)
    poa: Mapped[str | None] = mapped_column(String(1))


class ClaimProcedure(Base):
    __tablename__ = "claim_procedures"
    __table_args__ = (UniqueConstraint("claim_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    seq: Mapped[int]
    qualifier: Mapped[str] = mapped_column(String(3))  # BBR, BBQ (ICD-10-PCS) ...
    code: Mapped[str] = mapped_column(String(8), index=True)
    date: Mapped[dt.date | None]


class ClaimCode(Base):
    """Occurrence, occurrence span, value and condition codes (837I HI)."""

    __tablename__ = "claim_codes"
    __table_args__ = (Index(None, "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of CLAIM_CODE_KINDS
    code: Mapped[str] = mapped_column(String(4))
    date_from: Mapped[dt.date | None]
    date_to: Mapped[dt.date | None]
    amount: Mapped[Decimal | None]


class ClaimLine(Base):
    __tablename__ = "claim_lines"
    __table_args__ = (UniqueConstraint("claim_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    line_no: Mapped[int]  # LX01
    line_control: Mapped[str | None] = mapped_column(String(50), index=True)  # REF 6R
    procedure_qualifier: Mapped[str | None] = mapped_column(String(2))  # HC, ER, IV, WK
    procedure: Mapped[str | None] = mapped_column(String(48), index=True)
    # Comma-joined in submitted order ("25,59"); None when there are none. Test for one
    # modifier with: (',' || modifiers || ',') LIKE '%,59,%'.
    modifiers: Mapped[str | None] = mapped_column(String(20))
    revenue_code: Mapped[str | None] = mapped_column(String(4), index=True)
    charge: Mapped[Decimal | None]
    units: Mapped[Decimal | None] = mapped_column(QUANTITY)
    place_of_service: Mapped[str | None] = mapped_column(String(2))
    diagnosis_pointers: Mapped[str | None] = mapped_column(String(20))  # "1,2"
    service_from: Mapped[dt.date | None]
    service_to: Mapped[dt.date | None]
    rendering_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    ndc: Mapped[str | None] = mapped_column(String(20))

    claim: Mapped[Claim] = relationship(back_populates="lines")
