"""The UR worklist: stays in house ranked by what a review can save, soonest first.

    score = expected loss x urgency
    expected loss = sum over causes of P(the payer denies this stay for it) x what it takes

* the causes: level of care (status) and length of stay (days), each with its probability
  from the organization's own history (``ur.risk``: payer, stage, hospital service, DRG,
  observation) and its dollars: the status-change impact (DRG weight x the payer's base rate
  minus what the stay pays as observation) for status, the share past days denials took of
  the inpatient payment for days;
* urgency: 1 when a trigger is open now, else 24 / (24 + hours to the next checkpoint).

``sort="likely"`` orders by the probability of a denial instead (then the score): the stays a
case manager should look at first when dollars are not the question.
Each row carries the basis of its factors, so a case manager sees why it is where it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.adt.census import census
from denialscope.adt.models import Stay
from denialscope.errors import InputError
from denialscope.ur.drg import WorkingDrg, WorkingGrouper
from denialscope.ur.model import StayDayModel, day_features, known_at, working_drg
from denialscope.ur.models import Review
from denialscope.ur.payers import payers_for
from denialscope.ur.risk import CAUSES, CauseRisk, RiskModel, risk_model
from denialscope.ur.rules import RuleBook, inpatient_only, load_rules
from denialscope.ur.triggers import StayFacts, Triggers, evaluate, midnights

__all__ = ["SORTS", "Row", "build_worklist"]

NO_CHECKPOINT_HOURS = 72  # urgency of a stay with nothing ahead: as if due in three days
# dollars: by expected loss x urgency (the ranking); likely: by P(denial), then score
SORTS = ("dollars", "likely")


@dataclass(frozen=True, slots=True)
class Row:
    stay_id: int
    visit_number: str
    facility: str | None
    payer: str | None
    payer_kind: str | None
    patient_class: str
    admit_at: dt.datetime
    day: int
    hours_in_class: float
    attending: str | None
    diagnoses: str | None
    drg: WorkingDrg | None
    triggers: Triggers
    last_review_at: dt.datetime | None
    dollars: Decimal  # the status-change impact: what a level-of-care denial takes
    dollars_basis: str
    denial_rate: float  # P(a level-of-care or length-of-stay denial)
    denial_basis: str
    urgency: float
    urgency_basis: str
    score: float  # expected loss x urgency
    expected_loss: Decimal = Decimal("0.00")
    risks: tuple[CauseRisk, ...] = ()

    @property
    def p_source(self) -> str:
        """Where the probabilities came from: "history", "model v0002", or per cause."""
        sources = {c.source for c in self.risks}
        if len(sources) == 1:
            return sources.pop()
        return ", ".join(f"{CAUSES.get(c.cause, c.cause)}: {c.source}" for c in self.risks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stay_id": self.stay_id,
            "visit_number": self.visit_number,
            "facility": self.facility,
            "payer": self.payer,
            "payer_kind": self.payer_kind,
            "class": self.patient_class,
            "admit_at": self.admit_at.isoformat(timespec="minutes"),
            "day": self.day,
            "hours_in_class": round(self.hours_in_class, 1),
            "attending": self.attending,
            "diagnoses": self.diagnoses,
            "drg": self.drg.drg if self.drg else None,
            "gmlos": str(self.drg.gmlos) if self.drg else None,
            "amlos": str(self.drg.amlos) if self.drg else None,
            "open_triggers": [h.rule for h in self.triggers.open],
            "triggers": [
                {
                    "rule": h.rule,
                    "since": h.since.isoformat(timespec="minutes"),
                    "reason": h.reason,
                    "reviewed": h.reviewed,
                }
                for h in self.triggers.hits
            ],
            "next_checkpoint": self.triggers.next_at.isoformat(timespec="minutes")
            if self.triggers.next_at
            else None,
            "last_review_at": self.last_review_at.isoformat(timespec="minutes")
            if self.last_review_at
            else None,
            "dollars_at_risk": str(self.dollars),
            "dollars_basis": self.dollars_basis,
            "denial_rate": round(self.denial_rate, 4),
            "denial_basis": self.denial_basis,
            "p_source": self.p_source,
            "expected_loss": str(self.expected_loss),
            "causes": [c.to_dict() for c in self.risks],
            "urgency": round(self.urgency, 3),
            "urgency_basis": self.urgency_basis,
            "score": round(self.score, 2),
        }


def build_worklist(
    session: Session,
    *,
    as_of: dt.datetime | None = None,
    rules_file: Path | None = None,
    inpatient_only_file: Path | None = None,
    rules: RuleBook | None = None,
    model: RiskModel | None = None,
    grouper: WorkingGrouper | None = None,
    sort: str = "dollars",
    stay_model: StayDayModel | None = None,
) -> list[Row]:
    """The ranked worklist of the census at ``as_of`` (default now: the live census), by
    expected loss x urgency, or with ``sort="likely"`` by the probability of a denial.

    With ``stay_model`` (``ur.model.load_model``), its P per cause replaces the history's
    where it gives one (a model that learned from remittances after the worklist's day is not
    used); each cause's ``source`` says which."""
    if sort not in SORTS:
        raise InputError(f"--sort {sort!r}: expected one of {', '.join(SORTS)}")
    now = as_of or dt.datetime.now()
    book = rules or load_rules(path=rules_file)
    ipo = inpatient_only(path=inpatient_only_file)
    stays = census(session, as_of=as_of)
    model = model or risk_model(session, before=now.date())
    payers = payers_for(session, stays=stays)
    last_reviews = _last_reviews(session, [s.id for s in stays], now)
    own_grouper = grouper is None
    grouper = grouper or WorkingGrouper()
    try:
        rows = [
            row
            for stay in stays
            if (
                row := _row(
                    stay,
                    now,
                    book,
                    ipo,
                    model,
                    payers.get(stay.id),
                    last_reviews,
                    grouper,
                    stay_model,
                )
            )
            is not None
        ]
    finally:
        if own_grouper:
            grouper.close()
    if sort == "likely":
        rows.sort(key=lambda r: (-r.denial_rate, -r.score, r.admit_at, r.stay_id))
    else:
        rows.sort(key=lambda r: (-r.score, r.admit_at, r.stay_id))
    return rows


def _last_reviews(session: Session, ids: list[int], now: dt.datetime) -> dict[int, dt.datetime]:
    out: dict[int, dt.datetime] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(Review.stay_id, func.max(Review.reviewed_at))
            .where(Review.stay_id.in_(ids[i : i + 500]), Review.reviewed_at <= now)
            .group_by(Review.stay_id)
        )
        out.update({stay_id: at for stay_id, at in rows})
    return out


def _row(
    stay: Stay,
    now: dt.datetime,
    book: RuleBook,
    ipo: frozenset[str],
    model: RiskModel,
    payer: Any,
    last_reviews: dict[int, dt.datetime],
    grouper: WorkingGrouper,
    stay_model: StayDayModel | None,
) -> Row | None:
    known = known_at(stay, now)
    if known is None or stay.admit_at is None:
        return None
    cls, since, known_dx = known.patient_class, known.since, known.diagnoses
    drg = working_drg(stay, known, now, grouper)
    rules = book.for_payer(
        kind=payer.kind if payer else None,
        payer_id=payer.payer_id if payer else None,
        name=payer.name if payer else None,
        two_midnight=payer.two_midnight if payer else None,
    )
    facts = StayFacts(
        patient_class=cls,
        admit_at=stay.admit_at,
        class_since=since,
        drg=drg,
        procedures=tuple(stay.procedures.split(",")) if stay.procedures else (),
        authorized_days=stay.authorized_days,
        last_review_at=last_reviews.get(stay.id),
        # Known from the message that set it on: a replayed worklist never sees it earlier.
        expected_discharge_at=known.expected_discharge_at,
    )
    triggers = evaluate(facts, rules, now=now, ipo=ipo)
    weight = drg.weight if drg else rules.unknown_drg_weight
    inpatient_pay = (weight * rules.base_rate).quantize(Decimal("0.01"))
    dollars = max(inpatient_pay - rules.observation_payment, Decimal("0.00"))
    label = f"DRG {drg.drg}" if drg else "DRG pending"
    dollars_basis = (
        f"{label} weight {weight} x ${rules.base_rate:,.2f} = ${inpatient_pay:,.2f}"
        f" - observation ${rules.observation_payment:,.2f}"
    )
    day = midnights(stay.admit_at, now)
    model_p = None
    if stay_model is not None:
        features = day_features(
            payer_key=payer.payer_key if payer else None,
            payer_kind=payer.kind if payer else None,
            patient_class=cls,
            day=day,
            expected_midnights=facts.expected_midnights,
            service=stay.service,
            drg_weight=drg.weight if drg else None,
        )
        model_p = stay_model.assess(features, on=now.date())
    risk = model.assess(
        payer_id=payer.id if payer else None,
        drg=drg.drg if drg else None,
        gmlos=drg.gmlos if drg else None,
        amlos=drg.amlos if drg else None,
        day=day,
        expected_midnights=facts.expected_midnights,
        service=stay.service,
        patient_class=cls,
        inpatient_pay=inpatient_pay,
        observation_pay=rules.observation_payment,
        model_p=model_p,
    )
    if triggers.open:
        hours, urgency_basis = 0.0, f"open now: {', '.join(h.rule for h in triggers.open)}"
    elif triggers.next_at is not None:
        hours = (triggers.next_at - now).total_seconds() / 3600
        urgency_basis = f"next checkpoint in {hours:.0f} h"
    else:
        hours, urgency_basis = float(NO_CHECKPOINT_HOURS), "no checkpoint ahead"
    urgency = 24 / (24 + hours)
    return Row(
        stay_id=stay.id,
        visit_number=stay.visit_number,
        facility=stay.facility,
        payer=payer.name if payer else None,
        payer_kind=payer.kind if payer else None,
        patient_class=cls,
        admit_at=stay.admit_at,
        day=day,
        hours_in_class=(now - since).total_seconds() / 3600,
        attending=stay.attending_name,
        diagnoses=known_dx,
        drg=drg,
        triggers=triggers,
        last_review_at=facts.last_review_at,
        dollars=dollars,
        dollars_basis=dollars_basis,
        denial_rate=risk.probability,
        denial_basis=risk.basis,
        urgency=urgency,
        urgency_basis=urgency_basis,
        # Unrounded, so stays whose expected loss rounds to the same cent still rank apart.
        score=sum(c.probability * float(c.dollars) for c in risk.causes) * urgency,
        expected_loss=risk.expected_loss,
        risks=risk.causes,
    )
