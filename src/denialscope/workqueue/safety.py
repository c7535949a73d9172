"""Guards on recommended actions: what a compliant revenue-cycle team would never do.

The decision tree (data) proposes; these checks veto what would put the organization at
risk, whatever an organization's tree says:

- the patient is never billed for a denial the payer assigned to the provider (CO group
  without a signed waiver, see :mod:`denialscope.claims.liability`);
- an appeal is never recommended once its window has closed: a reopening (when the payer
  kind has a reopening window still open) or a write-off takes its place, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from denialscope.claims.liability import patient_may_be_billed
from denialscope.claims.models import Claim
from denialscope.errors import InputError
from denialscope.remits.models import ClaimPayment
from denialscope.workqueue.decision import ACTION_LEVELS, Recommendation
from denialscope.workqueue.models import WorkItem

__all__ = [
    "APPEAL_ACTIONS",
    "after_deadline",
    "billing_block",
    "guard_patient_billing",
    "refuse_patient_billing",
]

APPEAL_ACTIONS = frozenset(a for a, level in ACTION_LEVELS.items() if level >= 1)


def billing_block(payment: ClaimPayment, claim: Claim) -> str | None:
    """Why the patient may not be billed for this denial (None: every denied dollar may be).

    A line adjustment is judged with its own line's modifiers; a claim-level adjustment
    only with a waiver on every line (a notice for one service covers no other).
    """
    modifiers_of = {line.id: (line.modifiers or "").split(",") for line in claim.lines}
    every_line = [m for mods in modifiers_of.values() for m in mods]
    lines_waived = all(patient_may_be_billed("CO", mods) for mods in modifiers_of.values())
    by_service = {sp.id: sp for sp in payment.service_payments}
    for adjustment in payment.adjustments:
        if not adjustment.is_denial:
            continue
        code = f"{adjustment.group_code}-{adjustment.reason_code}"
        if adjustment.service_payment_id is not None:
            service = by_service.get(adjustment.service_payment_id)
            line_id = service.claim_line_id if service is not None else None
            modifiers = modifiers_of.get(line_id, []) if line_id is not None else []
            if not patient_may_be_billed(adjustment.group_code, modifiers):
                return f"{code} is the provider's liability (no GA/GX waiver or GY on the line)"
        elif not patient_may_be_billed(adjustment.group_code, every_line if lines_waived else []):
            return f"{code} is the provider's liability (no signed waiver covers the claim)"
    return None


def refuse_patient_billing(session: Session, item: WorkItem) -> None:
    """Billing the patient for a CO denial without a signed waiver is not a choice to offer."""
    claim = session.get(Claim, item.claim_id)
    payment = session.get(ClaimPayment, item.denial_payment_id)
    if claim is None or payment is None:
        return
    block = billing_block(payment, claim)
    if block is not None:
        raise InputError(
            f"work item {item.id}: {block}; the patient may not be billed. "
            "Choose write_off, or appeal"
        )


def guard_patient_billing(
    choice: Recommendation, payment: ClaimPayment, claim: Claim
) -> Recommendation:
    """``choice``, unless it bills the patient for the provider's liability: then write off."""
    if choice.action != "bill_patient":
        return choice
    block = billing_block(payment, claim)
    if block is None:
        return choice
    return Recommendation(
        "write_off", f"{block}: the patient may not be billed; write off (was: {choice.reason})"
    )


def after_deadline(
    choice: Recommendation,
    *,
    deadline: dt.date | None,
    as_of: dt.date,
    windows: Mapping[str, int],
    denied_on: dt.date | None,
) -> Recommendation:
    """``choice``, unless it is an appeal whose window closed before ``as_of``.

    A reopening is offered where the payer kind has a reopening window (Medicare: one year
    from the initial determination, for a clerical or administrative error) that is still
    open; otherwise the item is to be written off.
    """
    if choice.action not in APPEAL_ACTIONS or deadline is None or deadline >= as_of:
        return choice
    closed = f"the {choice.action.replace('_', ' ')} window closed on {deadline.isoformat()}"
    reopening_days = windows.get("reopening_days")
    if reopening_days and denied_on is not None:
        last = denied_on + dt.timedelta(days=reopening_days)
        if last >= as_of:
            return Recommendation(
                "reopening",
                f"{closed}; request a reopening for a clerical or administrative error "
                f"by {last.isoformat()}, or write off",
            )
    return Recommendation(
        "write_off", f"{closed}; no appeal or reopening is possible: write off the balance"
    )
