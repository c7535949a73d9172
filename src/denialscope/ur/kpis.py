"""Closing the loop: once a stay's 837I and 835 are stored, what the reviews changed.

* UR denials (level of care, length of stay, days past the authorization) for reviewed vs
  unreviewed stays, counted on stays whose claim has a remittance;
* observation-to-inpatient conversion: stays that began in observation and were admitted;
* short-stay share: discharged inpatient stays of fewer than two midnights;
* peer-to-peer overturn rate: overturned / (overturned + upheld).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from denialscope.adt.models import Stay
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.ur.history import UR_ROOT_CAUSES
from denialscope.ur.models import Escalation, Review
from denialscope.ur.payers import link_claims
from denialscope.ur.triggers import midnights

__all__ = ["Share", "UrKpis", "ur_kpis"]


@dataclass(frozen=True, slots=True)
class Share:
    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "whole": self.whole, "rate": self.rate}


@dataclass(frozen=True, slots=True)
class UrKpis:
    linked_stays: int
    reviewed_denied: Share
    unreviewed_denied: Share
    by_cause: dict[str, dict[str, int]]  # cause -> {"reviewed": n, "unreviewed": n}
    observation_to_inpatient: Share
    short_stays: Share
    p2p_overturned: Share

    def to_dict(self) -> dict[str, Any]:
        return {
            "linked_stays": self.linked_stays,
            "reviewed_denied": self.reviewed_denied.to_dict(),
            "unreviewed_denied": self.unreviewed_denied.to_dict(),
            "by_cause": self.by_cause,
            "observation_to_inpatient": self.observation_to_inpatient.to_dict(),
            "short_stays": self.short_stays.to_dict(),
            "p2p_overturned": self.p2p_overturned.to_dict(),
        }


def ur_kpis(
    session: Session, *, start: dt.date | None = None, end: dt.date | None = None
) -> UrKpis:
    """The KPIs over stays discharged in [start, end] (all discharged stays by default)."""
    link_claims(session)
    query = (
        select(Stay)
        .options(selectinload(Stay.changes))
        .where(Stay.status == "discharged", Stay.discharge_at.is_not(None))
    )
    if start is not None:
        query = query.where(Stay.discharge_at >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        query = query.where(
            Stay.discharge_at < dt.datetime.combine(end, dt.time()) + dt.timedelta(days=1)
        )
    stays = session.scalars(query).all()
    ids = [s.id for s in stays]
    reviewed: set[int] = set()
    for i in range(0, len(ids), 500):
        reviewed.update(
            session.scalars(select(Review.stay_id).where(Review.stay_id.in_(ids[i : i + 500])))
        )
    claim_ids = [s.claim_id for s in stays if s.claim_id is not None]
    remitted: set[int] = set()
    causes: dict[int, set[str]] = {}
    for i in range(0, len(claim_ids), 500):
        chunk = claim_ids[i : i + 500]
        remitted.update(
            c
            for c in session.scalars(
                select(ClaimPayment.claim_id).where(ClaimPayment.claim_id.in_(chunk))
            )
            if c
        )
        rows = session.execute(
            select(ClaimPayment.claim_id, Adjustment.root_cause)
            .join(Adjustment, Adjustment.claim_payment_id == ClaimPayment.id)
            .where(ClaimPayment.claim_id.in_(chunk), Adjustment.root_cause.in_(UR_ROOT_CAUSES))
        )
        for claim_id, cause in rows:
            causes.setdefault(claim_id, set()).add(cause)
    counts = {"reviewed": [0, 0], "unreviewed": [0, 0]}
    by_cause = {c: {"reviewed": 0, "unreviewed": 0} for c in UR_ROOT_CAUSES}
    converted = began_obs = short = inpatient = 0
    for stay in stays:
        group = "reviewed" if stay.id in reviewed else "unreviewed"
        if stay.claim_id in remitted:
            counts[group][1] += 1
            found = causes.get(stay.claim_id or 0, set())
            counts[group][0] += bool(found)
            for cause in found:
                by_cause[cause][group] += 1
        classes = [c.patient_class for c in sorted(stay.changes, key=lambda c: c.at)
                   if c.status == "active"]  # fmt: skip
        if classes and classes[0] == "O":
            began_obs += 1
            converted += "I" in classes
        if stay.patient_class == "I" and stay.admit_at and stay.discharge_at:
            inpatient += 1
            short += midnights(stay.admit_at, stay.discharge_at) < 2
    esc: list[str] = []
    for i in range(0, len(ids), 500):
        esc += session.scalars(
            select(Escalation.outcome).where(Escalation.stay_id.in_(ids[i : i + 500]))
        ).all()
    overturned = sum(1 for o in esc if o == "overturned")
    decided = sum(1 for o in esc if o in ("overturned", "upheld"))
    return UrKpis(
        linked_stays=sum(1 for s in stays if s.claim_id is not None),
        reviewed_denied=Share(*counts["reviewed"]),
        unreviewed_denied=Share(*counts["unreviewed"]),
        by_cause=by_cause,
        observation_to_inpatient=Share(converted, began_obs),
        short_stays=Share(short, inpatient),
        p2p_overturned=Share(overturned, decided),
    )
