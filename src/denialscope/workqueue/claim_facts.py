"""What a worker needs to find the claim of a work item in the billing system.

``queue list`` and ``queue show`` name the claim: CLM01 (the patient account / control
number the hospital assigned), the payer's claim number (CLP07), the payer, the dates of
service, the reason and remark codes of the denial, and billed and denied dollars. No patient
name, member id or date of birth: those stay in the letter, which goes to the payer.
Loaded in batches of item ids, so a long list costs a few queries, not one per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.orgs.models import Payer
from denialscope.remits.models import Adjustment, ClaimPayment, RemarkCode
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.schemas import ClaimFacts

__all__ = ["claim_facts"]

_BATCH = 500


def claim_facts(*, session: Session, items: Sequence[WorkItem]) -> dict[int, ClaimFacts]:
    """Per work item id: the claim and denial facts shown beside the item."""
    facts: dict[int, ClaimFacts] = {}
    for start in range(0, len(items), _BATCH):
        part = items[start : start + _BATCH]
        # Only the columns shown: whole ORM rows cost half of a queue page's time.
        claims = {
            c.id: c
            for c in session.execute(
                select(
                    Claim.id,
                    Claim.control_number,
                    Claim.kind,
                    Claim.statement_from,
                    Claim.statement_to,
                    Claim.total_charge,
                ).where(Claim.id.in_([i.claim_id for i in part]))
            )
        }
        payment_ids = [i.denial_payment_id for i in part]
        payments = {
            p.id: p
            for p in session.execute(
                select(
                    ClaimPayment.id,
                    ClaimPayment.payer_claim_number,
                    ClaimPayment.service_from,
                    ClaimPayment.service_to,
                    ClaimPayment.charge,
                ).where(ClaimPayment.id.in_(payment_ids))
            )
        }
        payer_ids = {i.payer_id for i in part if i.payer_id is not None}
        payers = {
            p.id: p
            for p in session.execute(
                select(Payer.id, Payer.name, Payer.payer_id, Payer.kind).where(
                    Payer.id.in_(payer_ids)
                )
            )
        }
        reasons: dict[int, set[str]] = defaultdict(set)
        for payment_id, group, reason in session.execute(
            select(
                Adjustment.claim_payment_id, Adjustment.group_code, Adjustment.reason_code
            ).where(Adjustment.claim_payment_id.in_(payment_ids), Adjustment.is_denial)
        ):
            reasons[payment_id].add(f"{group}-{reason}")
        remarks: dict[int, set[str]] = defaultdict(set)
        for payment_id, code in session.execute(
            select(RemarkCode.claim_payment_id, RemarkCode.code).where(
                RemarkCode.claim_payment_id.in_(payment_ids)
            )
        ):
            remarks[payment_id].add(code)
        for item in part:
            claim = claims.get(item.claim_id)
            payment = payments.get(item.denial_payment_id)
            payer = payers.get(item.payer_id) if item.payer_id is not None else None
            service_from = (claim.statement_from if claim else None) or (
                payment.service_from if payment else None
            )
            service_to = (claim.statement_to if claim else None) or (
                payment.service_to if payment else None
            )
            billed = (claim.total_charge if claim else None) or (
                payment.charge if payment else None
            )
            facts[item.id] = ClaimFacts(
                claim_number=claim.control_number if claim else None,
                payer_claim_number=payment.payer_claim_number if payment else None,
                payer=payer.name if payer else None,
                payer_id=payer.payer_id if payer else None,
                payer_kind=item.payer_kind or (payer.kind if payer else None),
                claim_kind=claim.kind if claim else None,
                service_from=service_from,
                service_to=service_to or service_from,
                reason_codes=tuple(sorted(reasons.get(item.denial_payment_id, ()))),
                remark_codes=tuple(sorted(remarks.get(item.denial_payment_id, ()))),
                billed_amount=billed,
                denied_amount=item.dollars_at_risk,
            )
    return facts
