"""P(level-of-care denial) and P(length-of-stay denial) of a stay in house, learned from the
organization's own past stay-days: one small L2 logistic model per cause.

    <data dir>/models/ur_denial/<version>/model.json   vocabulary and weights per cause
                                          meta.json    format, features, training window,
                                                       rows, denied stays, held-out metrics

* **Training rows**: every past stay whose claim (837I, CLM01 = the visit number) was
  adjudicated before the cut-off, one row per day it was in house (inpatient or observation)
  at ``SNAPSHOT_HOUR``, with what was known at that moment only: the class then (from the
  stored status history), midnights in house, the physician's expected discharge once the
  message that set it had arrived (PV2-9), the working DRG of the diagnoses known then,
  payer, payer kind and hospital service. The rows come straight from the stored stays and
  their status changes: no census is replayed.
* **Labels**: the stay was denied for the cause on a remittance adjudicated before the
  cut-off. A stay whose claim is still unpaid at the cut-off is not a row at all (its outcome
  is not known yet), and a denial that arrives after the cut-off does not count.
* **Fit**: Newton's method on one-hot features with an L2 penalty (numpy only); a cause with
  fewer than ``MIN_DENIED_STAYS`` denied stays (or fewer than ``MIN_STAYS`` labelled stays in
  all) is not fitted, and the worklist keeps the empirical-Bayes history (``ur.risk``) for it.
* **Use**: the worklist (``ur.worklist``) takes the model's P per cause in place of the
  history's when the model learned only from remittances adjudicated before the worklist's
  day (a replay never sees a later outcome); otherwise, or for a cause not fitted, the
  history, and the row says which.

The stored stay keeps its latest service, payer and procedures (as the replayed worklist
reads them); diagnoses and the expected discharge are taken only once the message that set
them had arrived.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from denialscope.adt.census import state_at
from denialscope.adt.models import Stay
from denialscope.claims.models import Claim
from denialscope.predict import store
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.ur.drg import WorkingDrg, WorkingGrouper
from denialscope.ur.history import UR_ROOT_CAUSES
from denialscope.ur.payers import payers_for
from denialscope.ur.triggers import midnights

__all__ = [
    "FEATURES",
    "FORMAT",
    "HOLDOUT_DAYS",
    "L2",
    "MIN_DENIED_STAYS",
    "MIN_STAYS",
    "SNAPSHOT_HOUR",
    "UR_MODEL",
    "CauseFit",
    "Known",
    "ModelP",
    "StayDay",
    "StayDayModel",
    "StayOutcome",
    "day_features",
    "fit_logistic",
    "known_at",
    "load_model",
    "save_model",
    "stay_days",
    "stay_outcomes",
    "train",
    "train_model",
    "working_drg",
]

UR_MODEL = "ur_denial"
# The layout of model.json and the features: a model saved with another is refused.
FORMAT = 1
FEATURES = (
    "payer_kind",
    "payer",
    "class",
    "day",
    "expected",
    "expected_x_day",
    "service",
    "drg_weight",
)
SNAPSHOT_HOUR = 12  # one training row per stay per day in house, as at noon
L2 = 5.0  # the benchmark's penalty (benchmarks/ur_worklist_logistic.py --l2)
MIN_STAYS = 30  # labelled stays below which no cause is fitted
MIN_DENIED_STAYS = 5  # denied stays of a cause below which that cause is not fitted
HOLDOUT_DAYS = 91  # the held-out quarter the training reports on
LAST_DAY = 3  # midnights in house, the last bucket open (as ur.history counts them)
_MAX_ITERATIONS = 25
Array = npt.NDArray[np.float64]


# -- what was known at a moment, the same for training rows and the worklist -------------------


@dataclass(frozen=True, slots=True)
class Known:
    """A stay at a moment, with only what the feed had said by then."""

    status: str  # active (in house), discharged, cancelled
    patient_class: str  # I, O, E ...
    since: dt.datetime  # in this class since
    diagnoses: str | None
    expected_discharge_at: dt.datetime | None

    @property
    def in_house(self) -> bool:
        """An inpatient or observation stay not discharged: what the census lists."""
        return self.status == "active" and self.patient_class in ("I", "O")

    def expected_midnights(self, admit_at: dt.datetime) -> int | None:
        if self.expected_discharge_at is None:
            return None
        return midnights(admit_at, self.expected_discharge_at)


def known_at(stay: Stay, now: dt.datetime) -> Known | None:
    """The stay as known at ``now`` (from its status history), or None before it began."""
    state = state_at(stay, now)
    if state is None or stay.admit_at is None:
        return None
    status, cls, since = state
    diagnoses = stay.diagnoses if stay.diagnoses_at is None or stay.diagnoses_at <= now else None
    set_at = stay.expected_discharge_set_at
    expected = stay.expected_discharge_at if set_at is not None and set_at <= now else None
    return Known(status, cls, since or stay.admit_at, diagnoses, expected)


def working_drg(
    stay: Stay, known: Known, now: dt.datetime, grouper: WorkingGrouper
) -> WorkingDrg | None:
    return grouper.group(
        on=now.date(),
        age=stay.age,
        sex=stay.sex,
        diagnoses=known.diagnoses.split(",") if known.diagnoses else [],
        procedures=stay.procedures.split(",") if stay.procedures else [],
    )


def day_features(
    *,
    payer_key: str | None,
    payer_kind: str | None,
    patient_class: str,
    day: int,
    expected_midnights: int | None,
    service: str | None,
    drg_weight: Decimal | None,
) -> tuple[str, ...]:
    """The one-hot features of a stay-day (one value per name in ``FEATURES``)."""
    capped = min(day, LAST_DAY)
    day_label = f"{capped}+" if capped == LAST_DAY else str(capped)
    if expected_midnights is None:
        expected = "unknown"
    else:
        expected = "under 2 midnights" if expected_midnights < 2 else "2+ midnights"
    if drg_weight is None:
        band = "DRG pending"
    else:
        band = "under 1" if drg_weight < 1 else "1-2" if drg_weight < 2 else "2+"
    return (
        f"payer kind {payer_kind or 'unknown'}",
        f"payer {payer_key or 'unknown'}",
        f"class {patient_class}",
        f"day {day_label}",
        f"expected {expected}",
        f"expected {expected} x day {day_label}",
        f"service {service or 'unknown'}",
        f"DRG weight {band}",
    )


# -- training rows and labels -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StayDay:
    visit_number: str
    at: dt.datetime
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StayOutcome:
    first_adjudicated: dt.date  # the claim's first remittance
    denied: Mapping[str, dt.date]  # UR cause -> the first remittance denying the stay for it

    def known(self, before: dt.date) -> bool:
        """The claim had a remittance before ``before``: the stay can be a training row."""
        return self.first_adjudicated < before

    def denied_for(self, cause: str, before: dt.date) -> bool:
        """Denied for ``cause`` on a remittance adjudicated before ``before``."""
        at = self.denied.get(cause)
        return at is not None and at < before


def stay_outcomes(session: Session, *, before: dt.date | None = None) -> dict[str, StayOutcome]:
    """Visit number -> the outcome of its 837I from remittances adjudicated before ``before``
    (all when None): a stay whose claim is not adjudicated by then is absent. Each denial
    keeps its date, so ``train_model`` counts only those before its own cut-off."""
    query = (
        select(Claim.control_number, ClaimPayment.adjudicated_at, Adjustment.root_cause)
        .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
        .outerjoin(
            Adjustment,
            (Adjustment.claim_payment_id == ClaimPayment.id)
            & Adjustment.root_cause.in_(UR_ROOT_CAUSES),
        )
        .where(Claim.kind == "837I", ClaimPayment.adjudicated_at.is_not(None))
        .where(ClaimPayment.is_reversal.is_(False))
    )
    if before is not None:
        query = query.where(ClaimPayment.adjudicated_at < before)
    first: dict[str, dt.date] = {}
    denied: dict[str, dict[str, dt.date]] = {}
    for number, at, cause in session.execute(query):
        if number not in first or at < first[number]:
            first[number] = at
        causes = denied.setdefault(number, {})
        if cause is not None and (cause not in causes or at < causes[cause]):
            causes[cause] = at
    return {v: StayOutcome(first[v], denied[v]) for v in first}


def stay_days(
    session: Session,
    *,
    visits: Collection[str],
    until: dt.datetime,
    hour: int = SNAPSHOT_HOUR,
    grouper: WorkingGrouper | None = None,
) -> list[StayDay]:
    """One row per day in house at ``hour`` of the stays ``visits``, each with the features
    known at that moment, before ``until`` (a stay without a discharge: up to it)."""
    wanted = sorted(set(visits))
    stays: list[Stay] = []
    for i in range(0, len(wanted), 500):
        stays += session.scalars(
            select(Stay)
            .options(selectinload(Stay.changes))
            .where(Stay.visit_number.in_(wanted[i : i + 500]), Stay.admit_at.is_not(None))
            .order_by(Stay.id)
        ).all()
    payers = payers_for(session, stays=stays)
    own = grouper is None
    grouper = grouper or WorkingGrouper()
    rows: list[StayDay] = []
    try:
        for stay in stays:
            assert stay.admit_at is not None
            payer = payers.get(stay.id)
            moment = dt.datetime.combine(stay.admit_at.date(), dt.time(hour))
            # In the census while discharge_at > moment (ur.worklist's replay): before it.
            last = min(stay.discharge_at or until, until)
            while moment < last:
                known = known_at(stay, moment) if moment >= stay.admit_at else None
                if known is not None and known.in_house:
                    drg = working_drg(stay, known, moment, grouper)
                    rows.append(
                        StayDay(
                            stay.visit_number,
                            moment,
                            day_features(
                                payer_key=payer.payer_key if payer else None,
                                payer_kind=payer.kind if payer else None,
                                patient_class=known.patient_class,
                                day=midnights(stay.admit_at, moment),
                                expected_midnights=known.expected_midnights(stay.admit_at),
                                service=stay.service,
                                drg_weight=drg.weight if drg else None,
                            ),
                        )
                    )
                moment += dt.timedelta(days=1)
    finally:
        if own:
            grouper.close()
    return rows


# -- the fit ------------------------------------------------------------------------------------


def fit_logistic(rows: list[list[int]], y: Array, width: int, l2: float) -> Array:
    """Weights (the last is the intercept, not penalized) of an L2 logistic regression on
    one-hot rows (the column indexes set to 1), by Newton's method."""
    x = np.zeros((len(rows), width))
    x[:, -1] = 1.0
    for i, idx in enumerate(rows):
        x[i, idx] = 1.0
    w = np.zeros(width)
    mean = float(y.mean()) if len(y) else 0.0
    w[-1] = np.log((mean + 1e-3) / (1 - mean + 1e-3))
    penalty = l2 * np.eye(width)
    penalty[-1, -1] = 0.0
    for _ in range(_MAX_ITERATIONS):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty + 1e-9 * np.eye(width)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return np.asarray(w, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class CauseFit:
    stays: int  # labelled stays
    denied: int  # of them denied for the cause
    weights: tuple[float, ...] | None  # None: not fitted (``note`` says why)
    note: str = "fitted"


@dataclass(frozen=True, slots=True)
class ModelP:
    """The model's word on one cause of one stay-day: a probability, or why there is none."""

    probability: float | None
    basis: str
    source: str  # "model v0002", or "history" when probability is None


@dataclass(slots=True)
class StayDayModel:
    before: dt.date  # learned from remittances adjudicated before this day
    vocabulary: dict[str, int]
    causes: dict[str, CauseFit]
    stay_days: int
    stays: int
    l2: float = L2
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    version: str = ""  # set once saved or loaded
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"model {self.version}" if self.version else "model (unsaved)"

    def assess(self, features: Iterable[str], *, on: dt.date) -> dict[str, ModelP]:
        """P per cause of a stay-day on ``on`` (each cause of ``UR_ROOT_CAUSES``)."""
        out: dict[str, ModelP] = {}
        if on < self.before:
            why = (
                f"{self.label} learned from remittances adjudicated before {self.before}, "
                f"after this day: not used"
            )
            return {cause: ModelP(None, why, "history") for cause in UR_ROOT_CAUSES}
        present = list(features)
        known = [(f, self.vocabulary[f]) for f in present if f in self.vocabulary]
        unseen = [f for f in present if f not in self.vocabulary]
        for cause in UR_ROOT_CAUSES:
            fit = self.causes.get(cause)
            if fit is None or fit.weights is None:
                note = fit.note if fit is not None else "no fit"
                out[cause] = ModelP(None, f"{self.label}: {note}", "history")
                continue
            w = fit.weights
            terms = [(f, w[i]) for f, i in known]
            z = w[-1] + sum(t for _, t in terms)
            p = float(1 / (1 + np.exp(-z)))
            largest = sorted(terms, key=lambda t: (-abs(t[1]), t[0]))[:3]
            basis = (
                f"{self.label}, {fit.denied}/{fit.stays:,} stays denied ({self.stay_days:,} "
                f"stay-days, remittances before {self.before}); largest: "
                + ", ".join(f"{f} {t:+.2f}" for f, t in largest)
            )
            if unseen:
                basis += f"; not in training: {', '.join(unseen)}"
            out[cause] = ModelP(p, basis, self.label)
        return out

    def summary(self) -> dict[str, Any]:
        """What ``ur train`` reports (and meta.json keeps), without the weights."""
        return {
            "name": UR_MODEL,
            "version": self.version,
            "format": FORMAT,
            "features": list(FEATURES),
            "snapshot_hour": SNAPSHOT_HOUR,
            "l2": self.l2,
            "training_window": {
                "before": self.before.isoformat(),
                "first_day": self.first_day.isoformat() if self.first_day else None,
                "last_day": self.last_day.isoformat() if self.last_day else None,
                "stays": self.stays,
                "stay_days": self.stay_days,
            },
            "causes": {
                c: {
                    "stays": f.stays,
                    "denied": f.denied,
                    "fitted": f.weights is not None,
                    "note": f.note,
                }
                for c, f in self.causes.items()
            },
            "metrics": self.metrics,
        }

    def probabilities(self, features: Iterable[str]) -> dict[str, float]:
        """P per fitted cause, whatever the day (training and evaluation)."""
        return {
            cause: p.probability
            for cause, p in self.assess(features, on=dt.date.max).items()
            if p.probability is not None
        }


def train_model(
    days: Iterable[StayDay],
    outcomes: Mapping[str, StayOutcome],
    *,
    before: dt.date,
    l2: float = L2,
    min_stays: int = MIN_STAYS,
    min_denied: int = MIN_DENIED_STAYS,
) -> StayDayModel:
    """Fit one model per cause on the stay-days before ``before`` of the stays whose claim
    was adjudicated before it (``outcomes`` may hold later ones: they are left out here)."""
    until = dt.datetime.combine(before, dt.time())
    labelled = {v: o for v, o in outcomes.items() if o.known(before)}
    rows = [d for d in days if d.at < until and d.visit_number in labelled]
    vocabulary: dict[str, int] = {}
    coded = [[vocabulary.setdefault(f, len(vocabulary)) for f in d.features] for d in rows]
    width = len(vocabulary) + 1
    stays = {d.visit_number for d in rows}
    causes: dict[str, CauseFit] = {}
    for cause in UR_ROOT_CAUSES:
        denied = sum(1 for v in stays if labelled[v].denied_for(cause, before))
        if len(stays) < min_stays:
            note = f"too few stays to learn from ({len(stays)} < {min_stays})"
            causes[cause] = CauseFit(len(stays), denied, None, note)
            continue
        if denied < min_denied:
            note = f"too few denied stays to learn from ({denied} < {min_denied})"
            causes[cause] = CauseFit(len(stays), denied, None, note)
            continue
        y = np.array([float(labelled[d.visit_number].denied_for(cause, before)) for d in rows])
        w = fit_logistic(coded, y, width, l2)
        causes[cause] = CauseFit(len(stays), denied, tuple(float(v) for v in w))
    return StayDayModel(
        before=before,
        vocabulary=vocabulary,
        causes=causes,
        stay_days=len(rows),
        stays=len(stays),
        l2=l2,
        first_day=min((d.at.date() for d in rows), default=None),
        last_day=max((d.at.date() for d in rows), default=None),
    )


def held_out(
    days: list[StayDay],
    outcomes: Mapping[str, StayOutcome],
    *,
    before: dt.date,
    l2: float = L2,
    holdout_days: int = HOLDOUT_DAYS,
) -> dict[str, Any]:
    """Fit on what was known ``holdout_days`` before the end of the data (``before``, or the
    day after the last remittance when that is earlier), then score the stay-days of the stays
    adjudicated since: per cause the AUC over their stay-days."""
    from denialscope.predict.evaluate import roc_auc

    last = max((o.first_adjudicated for o in outcomes.values() if o.known(before)), default=None)
    end = min(before, last + dt.timedelta(days=1)) if last is not None else before
    split = end - dt.timedelta(days=holdout_days)
    early = train_model(days, outcomes, before=split, l2=l2)
    later = {v for v, o in outcomes.items() if o.known(before) and not o.known(split)}
    test = [d for d in days if d.visit_number in later]
    report: dict[str, Any] = {
        "trained_before": split.isoformat(),
        "test_stays": len({d.visit_number for d in test}),
        "test_stay_days": len(test),
    }
    for cause in UR_ROOT_CAUSES:
        y = np.array([float(outcomes[d.visit_number].denied_for(cause, before)) for d in test])
        fit = early.causes[cause]
        denied = {d.visit_number for d, hit in zip(test, y, strict=True) if hit}
        entry: dict[str, Any] = {"denied_stays": len(denied)}
        if fit.weights is None:
            entry["auc"] = None
            entry["note"] = fit.note
        else:
            p = np.array([early.probabilities(d.features)[cause] for d in test])
            auc = roc_auc(p, y)
            entry["auc"] = round(auc, 4) if auc is not None else None
        report[cause] = entry
    return report


# -- stored versions ----------------------------------------------------------------------------


def save_model(data_dir: Path, model: StayDayModel) -> store.ModelFiles:
    """A new version under <data dir>/models/ur_denial (``model.version`` is set)."""
    body = {
        "vocabulary": model.vocabulary,
        "weights": {c: list(f.weights) if f.weights else None for c, f in model.causes.items()},
    }
    meta = {k: v for k, v in model.summary().items() if k not in ("name", "version")}
    files = store.save(data_dir, name=UR_MODEL, texts={"model.json": json.dumps(body)}, meta=meta)
    model.version = files.version
    return files


def load_model(data_dir: Path, version: str | None = None) -> StayDayModel | None:
    """The newest saved model (or ``version``); None when none was trained. A model saved by
    another format or with other features is refused (``ModelStoreError``)."""
    files = store.latest(data_dir, UR_MODEL, version=version)
    if files is None:
        return None
    meta = files.meta
    retrain = "run `denialscope ur train`"
    if meta.get("format") != FORMAT or list(meta.get("features", [])) != list(FEATURES):
        raise store.ModelStoreError(
            f"{files.folder}: saved by another version of denialscope (format "
            f"{meta.get('format')!r}, this one reads {FORMAT}); {retrain}"
        )
    try:
        body = json.loads(files.text("model.json") or "")
        window = meta["training_window"]
        vocabulary = {str(k): int(v) for k, v in body["vocabulary"].items()}
        causes = {}
        for cause, info in meta["causes"].items():
            weights = body["weights"].get(cause)
            if weights is not None and len(weights) != len(vocabulary) + 1:
                raise ValueError(f"{cause}: {len(weights)} weights for {len(vocabulary)} features")
            causes[cause] = CauseFit(
                int(info["stays"]),
                int(info["denied"]),
                tuple(float(w) for w in weights) if weights is not None else None,
                str(info["note"]),
            )
        return StayDayModel(
            before=dt.date.fromisoformat(window["before"]),
            vocabulary=vocabulary,
            causes=causes,
            stay_days=int(window["stay_days"]),
            stays=int(window["stays"]),
            l2=float(meta["l2"]),
            first_day=dt.date.fromisoformat(window["first_day"]) if window["first_day"] else None,
            last_day=dt.date.fromisoformat(window["last_day"]) if window["last_day"] else None,
            version=files.version,
            metrics=dict(meta.get("metrics", {})),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise store.ModelStoreError(
            f"{files.folder}: cannot read the model ({exc}); {retrain}"
        ) from exc


def train(
    session: Session,
    *,
    data_dir: Path,
    before: dt.date | None = None,
    l2: float = L2,
) -> StayDayModel:
    """Fit on every stay adjudicated before ``before`` (default: today), report on the
    held-out last quarter, save a new version and return it (``version`` set)."""
    before = before or dt.date.today()
    outcomes = stay_outcomes(session, before=before)
    days = stay_days(session, visits=outcomes, until=dt.datetime.combine(before, dt.time()))
    model = train_model(days, outcomes, before=before, l2=l2)
    model.metrics = {"held_out": held_out(days, outcomes, before=before, l2=l2)}
    save_model(data_dir, model)
    return model
