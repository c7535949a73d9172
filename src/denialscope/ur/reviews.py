"""Review outcomes, physician-advisor escalation and the peer-to-peer inside the payer's
window. The caller owns the transaction: these functions flush."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.adt.models import Stay
from denialscope.errors import InputError, NotFoundError
from denialscope.ur.models import ESCALATION_OUTCOMES, REVIEW_OUTCOMES, Escalation, Review
from denialscope.ur.payers import payers_for
from denialscope.ur.rules import load_rules

__all__ = [
    "create_review",
    "escalate",
    "get_stay_or_raise",
    "record_p2p",
    "schedule_p2p",
    "set_authorized_days",
]


def get_stay_or_raise(session: Session, *, visit_number: str) -> Stay:
    """The stay with this visit number (PV1-19)."""
    stay = session.scalar(select(Stay).where(Stay.visit_number == visit_number))
    if stay is None:
        raise NotFoundError(f"no stay with visit number {visit_number!r} in the census")
    return stay


def create_review(
    session: Session,
    *,
    visit_number: str,
    outcome: str,
    criteria_set: str,
    reviewer: str,
    reviewed_at: dt.datetime,
    level: str | None = None,
    note: str | None = None,
) -> Review:
    """Record a review: criteria met, not met, or escalate, against a named criteria set."""
    if outcome not in REVIEW_OUTCOMES:
        raise InputError(f"outcome {outcome!r}: expected one of {', '.join(REVIEW_OUTCOMES)}")
    if not criteria_set.strip():
        raise InputError("name the criteria set the review applied (e.g. InterQual 2025 Acute)")
    if level not in (None, "I", "O"):
        raise InputError(f"level {level!r}: expected I (inpatient) or O (observation)")
    stay = get_stay_or_raise(session, visit_number=visit_number)
    review = Review(
        stay_id=stay.id,
        reviewed_at=reviewed_at,
        outcome=outcome,
        criteria_set=criteria_set.strip(),
        level=level,
        reviewer=reviewer,
        note=note,
    )
    session.add(review)
    session.flush()
    return review


def escalate(
    session: Session,
    *,
    visit_number: str,
    advisor: str,
    requested_at: dt.datetime,
    rules_file: Path | None = None,
    note: str | None = None,
) -> Escalation:
    """Send the stay to a physician advisor; the peer-to-peer window is the payer's."""
    stay = get_stay_or_raise(session, visit_number=visit_number)
    payer = payers_for(session, stays=[stay]).get(stay.id)
    rules = load_rules(path=rules_file).for_payer(
        kind=payer.kind if payer else None,
        payer_id=payer.payer_id if payer else None,
        name=payer.name if payer else None,
        two_midnight=payer.two_midnight if payer else None,
    )
    last_review = session.scalar(
        select(Review.id).where(Review.stay_id == stay.id).order_by(Review.reviewed_at.desc())
    )
    hours = rules.p2p_window_hours or 0
    escalation = Escalation(
        stay_id=stay.id,
        review_id=last_review,
        advisor=advisor,
        requested_at=requested_at,
        window_ends_at=requested_at + dt.timedelta(hours=hours),
        outcome="pending" if rules.p2p_window_hours else "no_p2p",
        note=note,
    )
    session.add(escalation)
    session.flush()
    return escalation


def _escalation(session: Session, escalation_id: int) -> Escalation:
    found = session.get(Escalation, escalation_id)
    if found is None:
        raise NotFoundError(f"no escalation {escalation_id}")
    return found


def schedule_p2p(session: Session, *, escalation_id: int, at: dt.datetime) -> Escalation:
    """Book the peer-to-peer; refused outside the payer's window."""
    esc = _escalation(session, escalation_id)
    if esc.outcome == "no_p2p":
        raise InputError(
            f"escalation {escalation_id}: this payer offers no peer-to-peer (the advisor's "
            "review decides; for Medicare, condition code 44 before discharge)"
        )
    if not esc.requested_at <= at <= esc.window_ends_at:
        raise InputError(
            f"escalation {escalation_id}: {at:%Y-%m-%d %H:%M} is outside the payer's window "
            f"{esc.requested_at:%Y-%m-%d %H:%M} to {esc.window_ends_at:%Y-%m-%d %H:%M}"
        )
    esc.p2p_at = at
    session.flush()
    return esc


def record_p2p(
    session: Session, *, escalation_id: int, outcome: str, at: dt.datetime, note: str | None = None
) -> Escalation:
    """The peer-to-peer's result: overturned (the payer approved) or upheld."""
    if outcome not in ESCALATION_OUTCOMES or outcome == "pending":
        raise InputError(f"outcome {outcome!r}: expected overturned, upheld or no_p2p")
    esc = _escalation(session, escalation_id)
    if outcome != "no_p2p" and esc.p2p_at is None:
        raise InputError(f"escalation {escalation_id}: schedule the peer-to-peer first")
    esc.outcome, esc.outcome_at = outcome, at
    if note:
        esc.note = f"{esc.note}\n{note}" if esc.note else note
    session.flush()
    return esc


def set_authorized_days(session: Session, *, visit_number: str, days: int) -> Stay:
    """Record the days the payer authorized (the ``authorized_days_used`` trigger)."""
    if days < 0:
        raise InputError(f"authorized days {days}: expected zero or more")
    stay = get_stay_or_raise(session, visit_number=visit_number)
    stay.authorized_days = days
    session.flush()
    return stay
