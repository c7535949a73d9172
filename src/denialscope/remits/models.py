"""What payers paid and why not (835): remittances, claim and line payments, CAS, remarks.

A claim can be adjudicated several times (initial, reprocessing, reversal and correction,
after appeal): each CLP is one ``claim_payments`` row and ``seq`` numbers them per claim in
adjudication order, so ``seq = 1`` is the initial adjudication that denial rates count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.claims.models import Claim, ClaimLine
from denialscope.db.base import QUANTITY, Base
from denialscope.orgs.models import Payer
from denialscope.sources.models import SourceFile

__all__ = [
    "ADJUSTMENT_LEVELS",
    "MATCH_METHODS",
    "PAYER_RESPONSIBILITIES",
    "Adjustment",
    "ClaimPayment",
    "ProviderAdjustment",
    "RemarkCode",
    "Remittance",
    "ServicePayment",
    "payer_responsibility_for",
]

MATCH_METHODS = (
    "clp01_payer",
    "clp01_provider",
    "payer_claim_number",
    "patient_dates_charge",
    "none",
)
PAYER_RESPONSIBILITIES = ("primary", "secondary", "tertiary", "unknown")
ADJUSTMENT_LEVELS = ("claim", "line")

_RESPONSIBILITY_BY_STATUS = {
    "1": "primary",
    "19": "primary",
    "2": "secondary",
    "20": "secondary",
    "3": "tertiary",
    "21": "tertiary",
}


def payer_responsibility_for(status_code: str | None) -> str:
    """``claim_payments.payer_responsibility`` from CLP02 (1/19, 2/20, 3/21, else unknown)."""
    return _RESPONSIBILITY_BY_STATUS.get((status_code or "").strip(), "unknown")


class Remittance(Base):
    """One 835 transaction set (ST..SE): a payment or advice from one payer to one payee."""

    __tablename__ = "remittances"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(
        ForeignKey("source_files.id", ondelete="CASCADE"), index=True
    )
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("payers.id", ondelete="SET NULL"), index=True
    )
    payee_npi: Mapped[str | None] = mapped_column(String(10), index=True)
    payee_tax_id: Mapped[str | None] = mapped_column(String(20))
    payment_amount: Mapped[Decimal | None]  # BPR02
    payment_method: Mapped[str | None] = mapped_column(String(3))  # BPR04: ACH, CHK, NON ...
    payment_date: Mapped[dt.date | None] = mapped_column(index=True)  # BPR16
    trace_number: Mapped[str | None] = mapped_column(String(50), index=True)  # TRN02
    production_date: Mapped[dt.date | None]  # DTM*405
    # SHA-256 of the parsed content (payer, TRN02, BPR amount and date, claim payments, PLB):
    # a resend with other bytes has the same one (see ingest/remit_identity.py).
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)

    source_file: Mapped[SourceFile] = relationship()
    payer: Mapped[Payer | None] = relationship()
    claim_payments: Mapped[list[ClaimPayment]] = relationship(
        back_populates="remittance",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ClaimPayment.id",
    )
    provider_adjustments: Mapped[list[ProviderAdjustment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ProviderAdjustment.id"
    )


class ClaimPayment(Base):
    """One CLP: a payer's decision on one claim."""

    __tablename__ = "claim_payments"
    __table_args__ = (Index(None, "claim_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(
        ForeignKey("remittances.id", ondelete="CASCADE"), index=True
    )
    # Null until matched to a claim (or a stub claim is made for it).
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    match_method: Mapped[str] = mapped_column(
        String(24), default="none", server_default="none"
    )  # one of MATCH_METHODS
    seq: Mapped[int] = mapped_column(default=1, server_default="1")
    status_code: Mapped[str | None] = mapped_column(String(2), index=True)  # CLP02
    payer_responsibility: Mapped[str] = mapped_column(
        String(10), default="unknown", server_default="unknown"
    )
    is_reversal: Mapped[bool] = mapped_column(default=False, server_default=false())  # CLP02 22
    reverses_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_payments.id", ondelete="SET NULL"), index=True
    )
    charge: Mapped[Decimal | None]  # CLP03
    paid: Mapped[Decimal | None]  # CLP04
    patient_responsibility: Mapped[Decimal | None]  # CLP05
    payer_claim_number: Mapped[str | None] = mapped_column(String(50), index=True)  # CLP07
    facility_type: Mapped[str | None] = mapped_column(String(2))  # CLP08
    frequency: Mapped[str | None] = mapped_column(String(1))  # CLP09
    drg: Mapped[str | None] = mapped_column(String(4))  # CLP11
    drg_weight: Mapped[Decimal | None] = mapped_column(QUANTITY)  # CLP12
    filing_indicator: Mapped[str | None] = mapped_column(String(2))  # CLP06
    service_from: Mapped[dt.date | None]
    service_to: Mapped[dt.date | None]
    received_date: Mapped[dt.date | None]  # DTM*050
    patient_control_number: Mapped[str | None] = mapped_column(String(50), index=True)  # CLP01
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    rendering_npi: Mapped[str | None] = mapped_column(String(10), index=True)
    # Payment date (BPR16), else production date: the day the payer decided.
    adjudicated_at: Mapped[dt.date | None] = mapped_column(index=True)
    # Classification (see denialscope.classify): written in the ingest transaction and
    # rewritten by `denialscope reclassify`, with the rule set version that decided it.
    # Low-selectivity flags are not indexed: analytics scans them, and every index slows
    # ingest (index maintenance is most of SQLite's insert cost).
    denial_type: Mapped[str | None] = mapped_column(String(16))
    is_denial: Mapped[bool] = mapped_column(default=False, server_default=false())
    primary_stream: Mapped[str | None] = mapped_column(String(10))
    primary_root_cause: Mapped[str | None] = mapped_column(String(40), index=True)
    denied_amount: Mapped[Decimal | None]
    config_version: Mapped[str | None] = mapped_column(String(40))
    # SHA-256 of the CLP loop's parsed content: what a resend of the same payment repeats.
    fingerprint: Mapped[str | None] = mapped_column(String(64))

    remittance: Mapped[Remittance] = relationship(back_populates="claim_payments")
    claim: Mapped[Claim | None] = relationship()
    service_payments: Mapped[list[ServicePayment]] = relationship(
        back_populates="claim_payment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ServicePayment.id",
    )
    # Claim-level and line-level adjustments alike; filter on ``level``.
    adjustments: Mapped[list[Adjustment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Adjustment.id"
    )
    remarks: Mapped[list[RemarkCode]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="RemarkCode.id"
    )


class ServicePayment(Base):
    """One SVC: the payer's decision on one service line."""

    __tablename__ = "service_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_payment_id: Mapped[int] = mapped_column(
        ForeignKey("claim_payments.id", ondelete="CASCADE"), index=True
    )
    claim_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_lines.id", ondelete="SET NULL"), index=True
    )
    line_match_method: Mapped[str | None] = mapped_column(String(24))
    line_control: Mapped[str | None] = mapped_column(String(50), index=True)  # REF 6R
    procedure_qualifier: Mapped[str | None] = mapped_column(String(2))
    procedure: Mapped[str | None] = mapped_column(String(48), index=True)
    modifiers: Mapped[str | None] = mapped_column(String(20))  # "25,59" as on claim_lines
    original_procedure: Mapped[str | None] = mapped_column(String(48))  # SVC06
    original_modifiers: Mapped[str | None] = mapped_column(String(20))
    revenue_code: Mapped[str | None] = mapped_column(String(4), index=True)
    charge: Mapped[Decimal | None]
    paid: Mapped[Decimal | None]
    allowed: Mapped[Decimal | None]  # AMT*B6
    units: Mapped[Decimal | None] = mapped_column(QUANTITY)
    original_units: Mapped[Decimal | None] = mapped_column(QUANTITY)
    service_from: Mapped[dt.date | None]
    service_to: Mapped[dt.date | None]

    claim_payment: Mapped[ClaimPayment] = relationship(back_populates="service_payments")
    claim_line: Mapped[ClaimLine | None] = relationship()
    adjustments: Mapped[list[Adjustment]] = relationship(viewonly=True, order_by="Adjustment.id")
    remarks: Mapped[list[RemarkCode]] = relationship(viewonly=True, order_by="RemarkCode.id")


class Adjustment(Base):
    """One CAS triplet: group code, reason code (CARC), amount, quantity."""

    __tablename__ = "adjustments"
    __table_args__ = (Index(None, "group_code", "reason_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_payment_id: Mapped[int] = mapped_column(
        ForeignKey("claim_payments.id", ondelete="CASCADE"), index=True
    )
    service_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_payments.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(5))  # "claim" or "line"
    group_code: Mapped[str] = mapped_column(String(2))  # CO, PR, OA, PI, CR
    reason_code: Mapped[str] = mapped_column(String(5), index=True)
    amount: Mapped[Decimal]
    quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    # Layers 2 and 3 of the classification, and the rule that decided them.
    category: Mapped[str | None] = mapped_column(String(16))  # denial, contractual, ...
    is_denial: Mapped[bool] = mapped_column(default=False, server_default=false())
    stream: Mapped[str | None] = mapped_column(String(10))
    root_cause: Mapped[str | None] = mapped_column(String(40), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(80))
    process_step: Mapped[str | None] = mapped_column(String(120))
    owner_role: Mapped[str | None] = mapped_column(String(80))
    owner_name: Mapped[str | None] = mapped_column(String(120))


class RemarkCode(Base):
    """One RARC, from MIA/MOA (claim level) or LQ*HE (line level)."""

    __tablename__ = "remark_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_payment_id: Mapped[int] = mapped_column(
        ForeignKey("claim_payments.id", ondelete="CASCADE"), index=True
    )
    service_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_payments.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(String(3))  # MIA, MOA, LQ
    code: Mapped[str] = mapped_column(String(8), index=True)


class ProviderAdjustment(Base):
    """One PLB adjustment: money withheld or paid at provider level, tied to no claim."""

    __tablename__ = "provider_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(
        ForeignKey("remittances.id", ondelete="CASCADE"), index=True
    )
    provider_id_text: Mapped[str | None] = mapped_column(String(50))  # PLB01
    fiscal_date: Mapped[dt.date | None]  # PLB02
    reason: Mapped[str] = mapped_column(String(4), index=True)  # PLB03-1: WO, L6, FB ...
    reference: Mapped[str | None] = mapped_column(String(50))  # PLB03-2
    amount: Mapped[Decimal]
