"""The expected loss of a stay in house: for each cause utilization review prevents,
P(the payer denies this stay for it | what is known today) x the dollars that denial takes.

    expected loss = P(level of care) x status impact + P(length of stay) x days' share

* P per cause from the organization's own adjudicated stays (``ur.history``, one history per
  cause: a status denial follows the physician's expectation and the midnights, a days denial
  the payer and the service): the payer shrunk toward its kind, x the stay's stage, x its
  hospital service (PV1-10), refined by payer x DRG family where that cell has the volume;
  a stay now in observation is scaled by what past stays with an observation period did
  (most stay outpatient and are never denied for status or days);
* the dollars: a status denial takes the inpatient payment, and the hospital rebills the
  stay as observation, so it loses DRG weight x base rate - the observation payment; a days
  denial cuts part of the stay, the share of the claim's charge the payer's past
  length-of-stay denials adjusted (``DEFAULT_DAYS_SHARE`` before there are any), applied to
  the inpatient payment.

The days cause's P comes from the length table (``ur.los``: P(final length past the AMLOS |
still in on day d) x the days-denial rate per band x the payer) once the organization has the
history for it. Otherwise, and for the status cause, when a trained stay-day model
(``ur.model``) gives a cause's P, it replaces the history's for that cause (``model_p``); the
dollars stay these. Each cause says where its P came from.

Only remittances adjudicated before the worklist's day count: the model never sees the
outcome it predicts (``risk_model(before=...)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.adt.models import Stay, StayChange
from denialscope.claims.models import Claim
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.ur.history import PRIOR_WEIGHT, DenialHistory, denial_history
from denialscope.ur.los import LosRisk, los_risk

if TYPE_CHECKING:
    from denialscope.ur.model import ModelP

__all__ = [
    "CAUSES",
    "DEFAULT_DAYS_SHARE",
    "LOS_SOURCE",
    "CauseRisk",
    "RiskModel",
    "StayRisk",
    "risk_model",
]

# What utilization review prevents, with the short label a case manager reads.
CAUSES: dict[str, str] = {"level_of_care": "status", "length_of_stay": "days"}
# Share of the claim a days denial takes before the organization has seen one: a few days of
# a stay of about five (the shipped demo's 835s adjust 29 % of the charge).
DEFAULT_DAYS_SHARE = Decimal("0.25")
_CENT = Decimal("0.01")
# The days cause's source when its P comes from the length-of-stay table (ur.los).
LOS_SOURCE = "length table"


@dataclass(frozen=True, slots=True)
class CauseRisk:
    cause: str
    probability: float
    dollars: Decimal  # what the denial would take
    expected_loss: Decimal  # probability x dollars
    basis: str
    source: str = "history"  # where P came from: "history" (empirical Bayes) or "model v0002"

    def to_dict(self) -> dict[str, object]:
        return {
            "cause": self.cause,
            "probability": round(self.probability, 4),
            "dollars": str(self.dollars),
            "expected_loss": str(self.expected_loss),
            "source": self.source,
            "basis": self.basis,
        }


@dataclass(frozen=True, slots=True)
class StayRisk:
    causes: tuple[CauseRisk, ...]

    @property
    def probability(self) -> float:
        """P(a level-of-care or a length-of-stay denial): the causes are exclusive on a claim."""
        return min(sum(c.probability for c in self.causes), 1.0)

    @property
    def expected_loss(self) -> Decimal:
        return sum((c.expected_loss for c in self.causes), Decimal("0.00"))

    @property
    def basis(self) -> str:
        return "; ".join(f"{CAUSES.get(c.cause, c.cause)}: {c.basis}" for c in self.causes)


@dataclass(frozen=True, slots=True)
class RiskModel:
    histories: dict[str, DenialHistory]  # cause -> its history
    # cause -> (stays with an observation period that were denied for it, all such stays)
    observation: dict[str, tuple[int, int]]
    # cause -> (adjusted, charge) over the payers' past denials for it
    taken: dict[str, tuple[Decimal, Decimal]]
    # the days cause from the past stays' lengths against their DRG (None: not built)
    los: LosRisk | None = None

    def days_share(self) -> tuple[Decimal, str]:
        adjusted, charge = self.taken.get("length_of_stay", (Decimal(0), Decimal(0)))
        if charge <= 0:
            return DEFAULT_DAYS_SHARE, f"{DEFAULT_DAYS_SHARE:.0%} assumed (no days denial yet)"
        share = (adjusted / charge).quantize(Decimal("0.0001"))
        return share, f"{share:.0%} (past days denials took ${adjusted:,.2f} of ${charge:,.2f})"

    def assess(
        self,
        *,
        payer_id: int | None,
        drg: str | None,
        gmlos: float | Decimal | None,
        day: int,
        expected_midnights: int | None,
        service: str | None,
        patient_class: str,
        inpatient_pay: Decimal,
        observation_pay: Decimal,
        model_p: Mapping[str, ModelP] | None = None,
        amlos: float | Decimal | None = None,
    ) -> StayRisk:
        """P x dollars per cause for one stay as known now; a cause's P from ``model_p`` when
        the model gives one, else from the history (with the model's reason appended)."""
        status = max(inpatient_pay - observation_pay, Decimal("0.00"))
        share, share_basis = self.days_share()
        dollars = {
            "level_of_care": (status, f"${inpatient_pay:,.2f} - observation "
                              f"${observation_pay:,.2f}"),
            "length_of_stay": ((inpatient_pay * share).quantize(_CENT),
                               f"{share_basis} of ${inpatient_pay:,.2f}"),
        }  # fmt: skip
        out = []
        for cause, history in self.histories.items():
            amount, amount_basis = dollars[cause]
            days = self._days(cause, payer_id, day, drg, gmlos, amlos, patient_class)
            if days is not None:
                p, basis = days
                expected = (Decimal(str(p)) * amount).quantize(_CENT)
                text = f"P {p:.1%} [{basis}] x ${amount:,.2f} [{amount_basis}]"
                out.append(CauseRisk(cause, p, amount, expected, text, LOS_SOURCE))
                continue
            learned = (model_p or {}).get(cause)
            if learned is not None and learned.probability is not None:
                p = learned.probability
                expected = (Decimal(str(p)) * amount).quantize(_CENT)
                text = f"P {p:.1%} [{learned.basis}] x ${amount:,.2f} [{amount_basis}]"
                out.append(CauseRisk(cause, p, amount, expected, text, learned.source))
                continue
            rate = history.rate(
                payer_id=payer_id,
                drg=drg,
                gmlos=gmlos,
                day=day,
                expected_midnights=expected_midnights,
                service=service,
            )
            p, basis = rate.rate, rate.basis
            if patient_class == "O":
                relative, counts = self._observation_relative(cause)
                p = min(p * relative, 1.0)
                basis += f" x in observation {counts[0]}/{counts[1]} (x{relative:.2f})"
            if learned is not None:  # a model that gives no P here says why
                basis += f"; {learned.basis}"
            expected = (Decimal(str(p)) * amount).quantize(_CENT)
            out.append(CauseRisk(cause, p, amount, expected, f"P {p:.1%} [{basis}] x "
                                 f"${amount:,.2f} [{amount_basis}]"))  # fmt: skip
        return StayRisk(tuple(out))

    def _days(
        self,
        cause: str,
        payer_id: int | None,
        day: int,
        drg: str | None,
        gmlos: float | Decimal | None,
        amlos: float | Decimal | None,
        patient_class: str,
    ) -> tuple[float, str] | None:
        """The days cause's P from the length-of-stay table, when it has the history."""
        if cause != "length_of_stay" or self.los is None:
            return None
        estimate = self.los.assess(payer_id=payer_id, day=day, drg=drg, gmlos=gmlos, amlos=amlos)
        if estimate is None:
            return None
        p, basis = estimate.probability, estimate.basis
        if patient_class == "O":
            relative, counts = self._observation_relative(cause)
            p = min(p * relative, 1.0)
            basis += f" x in observation {counts[0]}/{counts[1]} (x{relative:.2f})"
        return p, basis

    def _observation_relative(self, cause: str) -> tuple[float, tuple[int, int]]:
        d_all, n_all = self.histories[cause].overall
        base = (d_all + 1) / (n_all + 50)
        counts = self.observation.get(cause, (0, 0))
        shrunk = (counts[0] + PRIOR_WEIGHT * base) / (counts[1] + PRIOR_WEIGHT)
        return shrunk / base, counts


def risk_model(session: Session, *, before: dt.date | None = None) -> RiskModel:
    """The per-cause histories, the observation factor and what past denials took, from
    remittances adjudicated before ``before`` (all when None)."""
    histories = {cause: denial_history(session, before=before, causes=(cause,)) for cause in CAUSES}
    los = los_risk(session, before=before or dt.date.max)
    return RiskModel(histories, _observation(session, before), _taken(session, before), los)


def _observation(session: Session, before: dt.date | None) -> dict[str, tuple[int, int]]:
    """Past stays with an observation period (ADT class O) whose claim is adjudicated: how
    many were denied for each cause (a stay billed as outpatient never is)."""
    had_obs = select(StayChange.stay_id).where(StayChange.patient_class == "O").distinct()
    query = (
        select(Stay.id, Adjustment.root_cause)
        .join(Claim, Claim.control_number == Stay.visit_number)
        .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
        .outerjoin(
            Adjustment,
            (Adjustment.claim_payment_id == ClaimPayment.id)
            & Adjustment.root_cause.in_(tuple(CAUSES)),
        )
        .where(Stay.id.in_(had_obs), Claim.kind == "837I")
    )
    if before is not None:
        query = query.where(ClaimPayment.adjudicated_at < before)
    stays: set[int] = set()
    denied: dict[str, set[int]] = {cause: set() for cause in CAUSES}
    for stay_id, cause in session.execute(query):
        stays.add(stay_id)
        if cause is not None:
            denied[cause].add(stay_id)
    return {cause: (len(ids), len(stays)) for cause, ids in denied.items()}


def _taken(session: Session, before: dt.date | None) -> dict[str, tuple[Decimal, Decimal]]:
    """Per cause: the amount the payers' denials adjusted and the billed charge of those
    claims (one remittance of a claim counted once per cause)."""
    per_claim = (
        select(
            Adjustment.root_cause.label("cause"),
            ClaimPayment.id.label("payment"),
            func.sum(Adjustment.amount).label("adjusted"),
            func.max(Claim.total_charge).label("charge"),
        )
        .join(ClaimPayment, ClaimPayment.id == Adjustment.claim_payment_id)
        .join(Claim, Claim.id == ClaimPayment.claim_id)
        .where(Adjustment.root_cause.in_(tuple(CAUSES)), Claim.kind == "837I")
        .where(Claim.total_charge > 0, ClaimPayment.is_reversal.is_(False))
        .group_by(Adjustment.root_cause, ClaimPayment.id)
    )
    if before is not None:
        per_claim = per_claim.where(ClaimPayment.adjudicated_at < before)
    sub = per_claim.subquery()
    rows = session.execute(
        select(sub.c.cause, func.sum(sub.c.adjusted), func.sum(sub.c.charge)).group_by(sub.c.cause)
    )
    return {
        cause: (Decimal(adjusted or 0), Decimal(charge or 0)) for cause, adjusted, charge in rows
    }
