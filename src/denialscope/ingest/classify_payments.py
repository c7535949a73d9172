"""Classification of a batch of 835 claim payments while they are stored (layers 1-3).

The rows are classified before they are inserted, in the same transaction: a stored
payment always carries its denial type, root cause, rule id and configuration version.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from denialscope.classify.config import ClassificationConfig
from denialscope.classify.denial import AdjudicatedClaim, AdjudicatedLine, classify_claim
from denialscope.classify.denial import Adjustment as ClassifyAdjustment
from denialscope.x12.remit835.records import ClaimPayment as PaymentRecord
from denialscope.x12.remit835.records import ServicePayment

__all__ = ["ClaimContext", "classify_payments"]

# Per claim id: patient id, claim type, department code, service line.
ClaimContext = dict[int, tuple[int | None, str | None, str | None, str | None]]


def classify_payments(
    config: ClassificationConfig,
    payer: str | None,
    payments: list[PaymentRecord],
    cp_rows: list[dict[str, Any]],
    adj_rows: list[dict[str, Any]],
    claim_ids: list[int | None],
    context: ClaimContext,
    adjudicated: dt.date | None,
) -> int:
    """Layers 1-3 for every payment and adjustment, in the same transaction as the rows.

    ``adj_rows`` holds, per payment, its claim-level adjustments then each line's, which
    is the order classify_claim returns its results in; ``rows`` are updated in place.
    Returns how many payments are denials.
    """
    denials = 0
    position = 0
    zero = Decimal(0)
    for p, row, claim_id in zip(payments, cp_rows, claim_ids, strict=True):
        _, claim_type, department, service_line = context.get(
            claim_id or -1, (None, None, None, None)
        )
        if claim_type is None and p.drg.strip():
            # No 837 for this claim: a DRG (CLP11) says the payer priced an inpatient stay.
            claim_type = "inpatient"
        claim = AdjudicatedClaim(
            status=p.status.strip(),
            charge=p.charge or zero,
            paid=p.paid or zero,
            patient_responsibility=p.patient_responsibility,
            claim_type=claim_type,
            payer_id=payer,
            adjudicated_on=adjudicated,
            department=department,
            service_line=service_line,
            adjustments=[ClassifyAdjustment(a.group, a.reason, a.amount) for a in p.adjustments],
            remarks=[r.code for r in p.remarks],
            lines=[
                AdjudicatedLine(
                    charge=s.charge or zero,
                    paid=s.paid or zero,
                    allowed=s.allowed,
                    procedure_code=(s.original_procedure or s.procedure).code or None,
                    adjustments=[
                        ClassifyAdjustment(a.group, a.reason, a.amount) for a in s.adjustments
                    ],
                    remarks=[r.code for r in s.remarks],
                    modifiers=_modifiers(s),
                )
                for s in p.services
            ],
        )
        result = classify_claim(config, claim)
        row.update(
            denial_type=result.denial_type,
            is_denial=result.is_denial,
            primary_stream=result.primary_stream,
            primary_root_cause=result.primary_root_cause,
            denied_amount=result.denied_amount,
            config_version=result.config_version[:40],
        )
        denials += result.is_denial
        for item in result.adjustments:
            c = item.classification
            adj_rows[position].update(
                category=c.category,
                is_denial=c.is_denial,
                stream=c.stream,
                root_cause=c.root_cause[:40],
                rule_id=c.rule_id[:80],
                process_step=(c.process_step or "")[:120] or None,
                owner_role=(c.owner_role or "")[:80] or None,
                owner_name=(c.owner_name or "")[:120] or None,
            )
            position += 1
    return denials


def _modifiers(service: ServicePayment) -> tuple[str, ...]:
    """The billed modifiers: SVC06 when the payer changed the code, SVC01 as well."""
    billed = service.original_procedure.modifiers if service.original_procedure else ()
    return tuple(m for m in (*billed, *service.procedure.modifiers) if m)
