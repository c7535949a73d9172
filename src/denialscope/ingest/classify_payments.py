"""Classification of a batch of 835 claim payments while they are stored (layers 1-3).

The rows are classified before they are inserted, in the same transaction: a stored
payment always carries its denial type, root cause, rule id and configuration version.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from denialscope.classify.config import ClassificationConfig
from denialscope.classify.denial import AdjudicatedClaim, AdjudicatedLine
from denialscope.classify.denial import Adjustment as ClassifyAdjustment
from denialscope.classify.stored import claim_type_with_drg, classify_for_storage
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
        claim = AdjudicatedClaim(
            status=p.status.strip(),
            charge=p.charge or zero,
            paid=p.paid or zero,
            patient_responsibility=p.patient_responsibility,
            claim_type=claim_type_with_drg(claim_type, p.drg),
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
        count = len(p.adjustments) + sum(len(s.adjustments) for s in p.services)
        keys = range(position, position + count)  # the payment's rows in adj_rows
        stored = classify_for_storage(config, claim, keys)
        row.update(stored.payment)
        denials += stored.is_denial
        for key, columns in stored.adjustments.items():
            adj_rows[key].update(columns)
        position += count
    return denials


def _modifiers(service: ServicePayment) -> tuple[str, ...]:
    """The billed modifiers: SVC06 when the payer changed the code, SVC01 as well."""
    billed = service.original_procedure.modifiers if service.original_procedure else ()
    return tuple(m for m in (*billed, *service.procedure.modifiers) if m)
