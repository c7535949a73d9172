"""Fit on a time split and measure on its test months against baselines and the oracle.

Baselines, scored on the same test claims:
- payer x procedure: the historical denial rate of the claim's riskiest payer x procedure
  cell as of its submission (the ``payer_procedure_rate`` feature alone);
- scrubber: the scrubber's rules alone (rejections first, then the number of findings).
The oracle is the demo generator's true probability (``ground_truth_claims.csv``), when the
data directory holds one: the best any model could do on these claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from denialscope.eligibility.store import EligibilityFeed
from denialscope.predict import evaluate as ev
from denialscope.predict.capacity import Capacity, choose_capacity
from denialscope.predict.crossfit import CrossFit, cross_fit
from denialscope.predict.features import FEATURES, FeatureFrame, build_vocabulary, feature_frame
from denialscope.predict.model import RiskModel, fit_causes
from denialscope.predict.records import ClaimInput, Outcome
from denialscope.predict.split import NotEnoughHistoryError, Split, time_split

__all__ = ["Fitted", "fit_split", "measure"]

TOP_SHARES = (0.05, 0.10, 0.20)
PRECISIONS = (0.95, 0.8, 0.5)


@dataclass(slots=True)
class Fitted:
    model: RiskModel
    vocabulary: dict[str, dict[str, int]]
    split: Split
    claims: list[ClaimInput]  # labelled claims in submission order
    outcomes: list[Outcome]
    parts: list[str]
    frame: FeatureFrame
    capacity: Capacity
    crossfit: CrossFit

    def rows(self, part: str) -> npt.NDArray[np.bool_]:
        return np.array([p == part for p in self.parts], dtype=bool)


def fit_split(
    labelled: list[tuple[ClaimInput, Outcome]],
    *,
    test_months: int,
    calibration_months: int,
    eligibility: EligibilityFeed | None = None,
) -> Fitted:
    """Fit on the training and calibration months, cross-fitted (``predict.crossfit``); the
    leaf size and rounds are chosen on the training months alone; the test months are in
    neither."""
    labelled = sorted(labelled, key=lambda pair: (pair[0].submitted, pair[0].key))
    claims = [c for c, _ in labelled]
    outcomes = [o for _, o in labelled]
    split = time_split(claims, test_months=test_months, calibration_months=calibration_months)
    parts = [split.part(c.submitted) for c in claims]
    train = [c for c, p in zip(claims, parts, strict=True) if p == "train"]
    vocabulary = build_vocabulary(train)
    frame = feature_frame(claims, history=labelled, vocabulary=vocabulary, eligibility=eligibility)
    y = np.array([float(o.denied) for o in outcomes])
    is_train = np.array([p == "train" for p in parts])
    is_cal = np.array([p == "calibration" for p in parts])
    if y[is_train].sum() < 10 or y[is_cal].sum() < 1:
        raise NotEnoughHistoryError(
            f"{int(y[is_train].sum())} denials in the training months and "
            f"{int(y[is_cal].sum())} in the calibration months: too few to learn from"
        )
    capacity = choose_capacity(
        frame.matrix[is_train],
        y[is_train],
        [c.submitted.strftime("%Y-%m") for c, t in zip(claims, is_train, strict=True) if t],
    )
    fit_rows = is_train | is_cal
    crossed = cross_fit(
        frame.matrix[fit_rows],
        y[fit_rows],
        [c.submitted.strftime("%Y-%m") for c, f in zip(claims, fit_rows, strict=True) if f],
        min_data_in_leaf=capacity.min_data_in_leaf,
        rounds=capacity.rounds,
    )
    denied = fit_rows & (y == 1)
    causes, classes = fit_causes(
        frame.matrix[denied],
        [o.root_cause for o, m in zip(outcomes, denied, strict=True) if m],
    )
    model = RiskModel(crossed.members, crossed.calibration, causes, classes)
    return Fitted(model, vocabulary, split, claims, outcomes, parts, frame, capacity, crossed)


def _ranking(
    scores: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    dollars: npt.NDArray[np.float64],
    charges: npt.NDArray[np.float64],
) -> dict[str, Any]:
    """Claims ranked by score for the counts; by score x charge (expected dollars at risk)
    for the dollars captured, as a queue working the largest expected losses first would."""
    out: dict[str, Any] = {
        "auc": ev.roc_auc(scores, y),
        "pr_auc": ev.pr_auc(scores, y),
        "recall_at_95_precision": ev.recall_at_precision(scores, y, 0.95),
        "recall_at_80_precision": ev.recall_at_precision(scores, y, 0.8),
        "recall_at_50_precision": ev.recall_at_precision(scores, y, 0.5),
    }
    for share in TOP_SHARES:
        out[f"dollars_captured_top_{int(share * 100)}pct"] = ev.dollars_captured(
            np.maximum(scores, 0) * charges, dollars, share
        )
    return out


def measure(fitted: Fitted, *, oracle: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The test months' figures: model, baselines and (when given) the oracle."""
    test = fitted.rows("test")
    if not test.any():
        raise NotEnoughHistoryError("no test months in this split")
    x = fitted.frame.matrix[test]
    y = np.array([float(o.denied) for o in fitted.outcomes])[test]
    dollars = np.array([o.denied_amount for o in fitted.outcomes])[test]
    charges = np.array([c.charge for c in fitted.claims])[test]
    p = fitted.model.probability(x)
    report: dict[str, Any] = {
        "window": {
            "train": list(fitted.split.train),
            "calibration": list(fitted.split.calibration),
            "test": list(fitted.split.test),
        },
        "claims": {part: int(fitted.rows(part).sum()) for part in ("train", "calibration", "test")},
        "test_denials": int(y.sum()),
        "capacity": fitted.capacity.to_dict(),
        "test_denied_dollars": float(dollars.sum()),
        **_ranking(p, y, dollars, charges),
        "brier": ev.brier(p, y),
        "brier_base_rate": ev.brier(np.full(len(y), y.mean()), y),
        "reliability": [vars_of(r) for r in ev.reliability_table(p, y)],
    }
    pp_col = FEATURES.index("payer_procedure_rate")
    pp = np.nan_to_num(x[:, pp_col], nan=-1.0)  # no history: ranked last
    scrub = x[:, FEATURES.index("scrub_rejects")] * 1000 + x[:, FEATURES.index("scrub_flags")]
    baselines = {
        "payer_procedure": _ranking(pp, y, dollars, charges),
        "scrubber": _ranking(scrub, y, dollars, charges),
    }
    report["baselines"] = baselines
    # The members' mean score, uncalibrated: each member's map is strictly increasing, so
    # with one member the ranking figures equal the model's; with several the model averages
    # calibrated probabilities, which can order a few claims differently.
    report["uncalibrated"] = _ranking(fitted.model.raw(x), y, dollars, charges)
    report["baseline_recall_at_95_precision"] = baselines["payer_procedure"][
        "recall_at_95_precision"
    ]
    report["scrubber_recall_at_95_precision"] = baselines["scrubber"]["recall_at_95_precision"]
    claims = [c for c, t in zip(fitted.claims, test, strict=True) if t]
    truth = [oracle.get(c.control_number) for c in claims] if oracle else []
    if truth and all(v is not None for v in truth):
        q = np.array(truth, dtype=np.float64)
        report["oracle"] = {**_ranking(q, y, dollars, charges), "brier": ev.brier(q, y)}
        report["oracle_recall_at_95_precision"] = report["oracle"]["recall_at_95_precision"]
    causes = fitted.model.likely_causes(x[y == 1])
    actual = [o.root_cause for o, t in zip(fitted.outcomes, test, strict=True) if t and o.denied]
    if causes and fitted.model.causes is not None:
        hits = sum(1 for (c, _), a in zip(causes, actual, strict=True) if c == a)
        report["root_cause_accuracy"] = hits / len(actual)
    return report


def vars_of(r: ev.Reliability) -> dict[str, Any]:
    return {
        "low": r.low,
        "high": r.high,
        "claims": r.claims,
        "predicted": r.predicted,
        "observed": r.observed,
    }
