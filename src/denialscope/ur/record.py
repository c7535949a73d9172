"""One stay from admission to remittance: census facts, status history, reviews,
escalations, and, once they arrive, its 837I and the 835s that paid or denied it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.ur.models import Escalation, Review
from denialscope.ur.payers import link_claims, payers_for
from denialscope.ur.reviews import get_stay_or_raise

__all__ = ["stay_record"]


def _at(value: Any) -> str | None:
    return value.isoformat(sep=" ", timespec="minutes") if value is not None else None


def stay_record(session: Session, *, visit_number: str) -> dict[str, Any]:
    """The stay's whole UR story as a JSON-able dict (no patient identifiers)."""
    link_claims(session)
    stay = get_stay_or_raise(session, visit_number=visit_number)
    payer = payers_for(session, stays=[stay]).get(stay.id)
    reviews = session.scalars(
        select(Review).where(Review.stay_id == stay.id).order_by(Review.reviewed_at, Review.id)
    ).all()
    escalations = session.scalars(
        select(Escalation).where(Escalation.stay_id == stay.id).order_by(Escalation.id)
    ).all()
    record: dict[str, Any] = {
        "visit": stay.visit_number,
        "facility": stay.facility,
        "status": stay.status,
        "class": stay.patient_class,
        "admitted": _at(stay.admit_at),
        "discharged": _at(stay.discharge_at),
        "payer": payer.name if payer else None,
        "payer_kind": payer.kind if payer else None,
        "attending": stay.attending_name,
        "working_dx": stay.diagnoses,
        "procedures": stay.procedures,
        "authorized_days": stay.authorized_days,
        "changes": [
            {"at": _at(c.at), "event": c.event, "status": c.status, "class": c.patient_class}
            for c in sorted(stay.changes, key=lambda c: c.at)
        ],
        "reviews": [
            {
                "at": _at(r.reviewed_at),
                "outcome": r.outcome,
                "criteria_set": r.criteria_set,
                "level": r.level,
                "reviewer": r.reviewer,
                "note": r.note,
            }
            for r in reviews
        ],
        "escalations": [
            {
                "id": e.id,
                "advisor": e.advisor,
                "requested": _at(e.requested_at),
                "window_ends": _at(e.window_ends_at),
                "p2p": _at(e.p2p_at),
                "outcome": e.outcome,
            }
            for e in escalations
        ],
        "claim": None,
    }
    if stay.claim_id is not None:
        claim = session.get(Claim, stay.claim_id)
        assert claim is not None
        payments = session.scalars(
            select(ClaimPayment).where(ClaimPayment.claim_id == claim.id).order_by(ClaimPayment.id)
        ).all()
        causes: dict[int, list[str]] = {}
        for payment_id, cause in session.execute(
            select(Adjustment.claim_payment_id, Adjustment.root_cause).where(
                Adjustment.claim_payment_id.in_([p.id for p in payments] or [0]),
                Adjustment.root_cause.is_not(None),
            )
        ):
            causes.setdefault(payment_id, []).append(cause)
        record["claim"] = {
            "control_number": claim.control_number,
            "billed_drg": claim.drg,
            "total_charge": claim.total_charge,
            "remittances": [
                {
                    "adjudicated": p.adjudicated_at,
                    "status": p.status_code,
                    "paid": p.paid,
                    "payer_drg": p.drg,
                    "denied": p.is_denial,
                    "root_causes": sorted(set(causes.get(p.id, []))),
                }
                for p in payments
            ],
        }
    return record
