"""Which payer covers a stay: IN1 on the feed, else the stay's own claim, else the patient's
latest claim (an ADT feed without IN1 segments still gets its payer rules)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.adt.models import Stay
from denialscope.claims.models import Claim, Patient
from denialscope.orgs.models import Payer

__all__ = ["link_claims", "payers_for"]

_CHUNK = 500


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def payers_for(session: Session, *, stays: Sequence[Stay]) -> dict[int, Payer | None]:
    """Stay id -> its payer (None when nothing names one)."""
    out: dict[int, Payer | None] = {}
    by_id = {p.id: p for p in session.scalars(select(Payer))}
    by_key = {p.payer_key: p for p in by_id.values()}
    by_visit: dict[str, int] = {}
    by_member: dict[str, int] = {}
    visits = sorted({s.visit_number for s in stays})
    for chunk in _chunks(visits):
        rows = session.execute(
            select(Claim.control_number, Claim.payer_id)
            .where(Claim.control_number.in_(chunk), Claim.payer_id.is_not(None))
            .order_by(Claim.id)
        )
        by_visit.update({number: payer for number, payer in rows})
    members = sorted({s.patient_ref.split("^")[0] for s in stays if s.patient_ref})
    for chunk in _chunks(members):
        rows = session.execute(
            select(Patient.member_id, Claim.payer_id)
            .join(Claim, Claim.patient_id == Patient.id)
            .where(Patient.member_id.in_(chunk), Claim.payer_id.is_not(None))
            .order_by(Claim.statement_from, Claim.id)
        )
        by_member.update({str(member): payer for member, payer in rows})  # latest wins
    for stay in stays:
        payer = by_id.get(stay.payer_id) if stay.payer_id else None
        payer = payer or (by_key.get(stay.payer_key) if stay.payer_key else None)
        if payer is None:
            pid = by_visit.get(stay.visit_number)
            if pid is None and stay.patient_ref:
                pid = by_member.get(stay.patient_ref.split("^")[0])
            payer = by_id.get(pid) if pid is not None else None
        out[stay.id] = payer
    return out


def link_claims(session: Session) -> int:
    """Link stays to their 837I (CLM01 = the visit number); return how many were linked."""
    open_stays = session.scalars(select(Stay).where(Stay.claim_id.is_(None))).all()
    linked = 0
    for chunk in _chunks([s.visit_number for s in open_stays]):
        rows = session.execute(
            select(Claim.control_number, Claim.id)
            .where(Claim.control_number.in_(chunk), Claim.kind == "837I")
            .order_by(Claim.id)
        )
        claims = {number: claim_id for number, claim_id in rows}
        for stay in open_stays:
            claim_id = claims.get(stay.visit_number)
            if claim_id is not None and stay.claim_id is None:
                stay.claim_id = claim_id
                linked += 1
    session.flush()
    return linked
