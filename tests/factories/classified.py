"""Classification results of stored payments: as stored, and rebuilt and classified now."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.classify import ClassificationConfig, classify_claim
from denialscope.denials.service import adjudicated_claims_from_rows
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.workqueue.config import WorkqueueConfig, load_workqueue_config

__all__ = ["WORKQUEUE", "rebuilt_results", "stored_results"]

# The shipped work-queue defaults: what open items are routed by after a reclassify.
WORKQUEUE: WorkqueueConfig = load_workqueue_config()

PaymentResult = tuple[Any, ...]
AdjustmentResults = Counter[tuple[Any, ...]]


def stored_results(session: Session) -> dict[int, tuple[PaymentResult, AdjustmentResults]]:
    """Per payment: its stored claim-level result and the multiset of adjustment results."""
    cp = ClaimPayment
    out: dict[int, tuple[PaymentResult, AdjustmentResults]] = {
        row[0]: (tuple(row[1:]), Counter())
        for row in session.execute(
            select(
                cp.id,
                cp.denial_type,
                cp.is_denial,
                cp.primary_stream,
                cp.primary_root_cause,
                cp.denied_amount,
                cp.config_version,
            )
        )
    }
    a = Adjustment
    for row in session.execute(
        select(
            a.claim_payment_id,
            a.group_code,
            a.reason_code,
            a.amount,
            a.category,
            a.is_denial,
            a.stream,
            a.root_cause,
            a.rule_id,
            a.process_step,
            a.owner_role,
            a.owner_name,
        )
    ):
        out[row[0]][1][tuple(row[1:])] += 1
    return out


def rebuilt_results(
    session: Session, config: ClassificationConfig, ids: list[int]
) -> dict[int, tuple[PaymentResult, AdjustmentResults]]:
    """The same shape, from the rebuilt input classified now."""
    out: dict[int, tuple[PaymentResult, AdjustmentResults]] = {}
    for payment_id, claim in adjudicated_claims_from_rows(session, ids).items():
        result = classify_claim(config, claim)
        payment = (
            result.denial_type,
            result.is_denial,
            result.primary_stream,
            result.primary_root_cause,
            result.denied_amount,
            result.config_version,
        )
        adjustments: AdjustmentResults = Counter()
        for item in result.adjustments:
            c = item.classification
            adjustments[
                (
                    item.adjustment.group,
                    item.adjustment.carc,
                    item.adjustment.amount,
                    c.category,
                    c.is_denial,
                    c.stream,
                    c.root_cause,
                    c.rule_id,
                    c.process_step,
                    c.owner_role,
                    c.owner_name,
                )
            ] += 1
        out[payment_id] = (payment, adjustments)
    return out
