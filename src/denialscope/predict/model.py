"""Gradient-boosted trees for P(denial), isotonic calibration, and the likely root cause.

LightGBM is imported here only: the CLI loads this module inside its commands. The trees
rank; an isotonic fit (pool-adjacent-violators, on scores of claims the trees never saw:
``predict.crossfit``), interpolated between its blocks so that it stays strictly
increasing, turns scores into probabilities that match observed denial rates without
changing a set of trees' ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from denialscope.predict.features import CATEGORICAL, FEATURES

__all__ = [
    "PARAMS",
    "TIE_BREAK",
    "Calibration",
    "RiskModel",
    "fit_calibration",
    "fit_causes",
    "fit_risk",
]

# Shallow trees, slow learning, a floor on leaf size: a few thousand denials per year are
# few, and the history columns already carry most of the cell-level signal.
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.06,
    "num_leaves": 15,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "cat_smooth": 20.0,
    "min_data_per_group": 30,
    "max_cat_to_onehot": 8,
    "verbose": -1,
    "seed": 17,
    "deterministic": True,
    "num_threads": 1,
    "force_col_wise": True,
    "max_bin": 63,
}
ROUNDS = 200


@dataclass(frozen=True, slots=True)
class Calibration:
    """A strictly increasing map from the trees' score to a probability.

    ``scores``/``probabilities`` are the knots: each isotonic block's mean score and its
    observed denial rate. Between knots the map is linear, beyond them flat at the end
    values; ``TIE_BREAK`` of the raw score is blended in so that no two different scores
    share a probability. An isotonic step function would tie every claim of a step, and a
    threshold could then not split the near-certain claims from the others in their step:
    this map keeps the trees' ranking exactly (same recall at any precision as the raw score).
    """

    scores: tuple[float, ...]
    probabilities: tuple[float, ...]

    def apply(self, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        if not self.scores:
            return scores
        fitted = np.interp(scores, np.asarray(self.scores), np.asarray(self.probabilities))
        return np.asarray((1.0 - TIE_BREAK) * fitted + TIE_BREAK * scores, dtype=np.float64)


# Small enough to leave every probability within 1e-6 of the isotonic fit, large enough to
# order two scores that differ by the trees' smallest step (float64 keeps ~1e-16).
TIE_BREAK = 1e-6


def _isotonic_blocks(
    scores: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]
) -> list[tuple[float, float, float]]:
    """Pool adjacent violators: blocks of (score sum, label sum, count) whose label means
    strictly increase."""
    order = np.argsort(scores, kind="mergesort")
    s, y = scores[order], labels[order].astype(np.float64)
    blocks: list[list[float]] = []  # [score sum, label sum, count, last score]
    for score, label in zip(s.tolist(), y.tolist(), strict=True):
        if blocks and score == blocks[-1][3]:  # equal scores always share a block
            b = blocks[-1]
            b[0] += score
            b[1] += label
            b[2] += 1
        else:
            blocks.append([score, label, 1.0, score])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1][0] += last[0]
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
            blocks[-1][3] = last[3]
    return [(b[0], b[1], b[2]) for b in blocks]


def fit_calibration(
    scores: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]
) -> Calibration:
    """Isotonic regression of labels on scores, its blocks joined at their mean scores."""
    if len(scores) == 0:
        return Calibration((), ())
    blocks = _isotonic_blocks(scores, labels)
    return Calibration(
        tuple(score_sum / n for score_sum, _, n in blocks),
        tuple(label_sum / n for _, label_sum, n in blocks),
    )


def _dataset(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64] | None) -> lgb.Dataset:
    return lgb.Dataset(
        x,
        label=y,
        feature_name=list(FEATURES),
        categorical_feature=list(CATEGORICAL),
        free_raw_data=False,
    )


def fit_risk(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    min_data_in_leaf: int | None = None,
    rounds: int = ROUNDS,
) -> lgb.Booster:
    """The P(denial) trees; leaf size and rounds as ``predict.capacity`` chose them."""
    params = dict(PARAMS)
    if min_data_in_leaf is not None:
        params["min_data_in_leaf"] = min_data_in_leaf
    return lgb.train(params, _dataset(x, y), num_boost_round=rounds)


def fit_causes(
    x: npt.NDArray[np.float64], causes: list[str], *, min_count: int = 20
) -> tuple[lgb.Booster | None, list[str]]:
    """A multiclass model of the root cause among denied claims (rare causes: "other")."""
    counts: dict[str, int] = {}
    for c in causes:
        counts[c] = counts.get(c, 0) + 1
    classes = sorted(c for c, n in counts.items() if n >= min_count and c)
    if len(classes) < 2:
        return None, classes
    classes.append("other")
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index.get(c, len(classes) - 1) for c in causes], dtype=np.float64)
    params = {
        **PARAMS,
        "objective": "multiclass",
        "num_class": len(classes),
        "min_data_in_leaf": 20,
        "learning_rate": 0.1,
        "num_leaves": 7,
    }
    return lgb.train(params, _dataset(x, y), num_boost_round=60), classes


@dataclass(slots=True)
class RiskModel:
    """P(denial) from one or more sets of trees (the cross-fit's members, see
    ``predict.crossfit``): each member's score goes through the calibration and the
    members' probabilities are averaged."""

    boosters: tuple[lgb.Booster, ...]
    calibration: Calibration
    causes: lgb.Booster | None
    cause_classes: list[str]

    def _each(self, x: npt.NDArray[np.float64]) -> list[npt.NDArray[np.float64]]:
        return [np.asarray(b.predict(x), dtype=np.float64) for b in self.boosters]

    def raw(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The members' mean score (uncalibrated)."""
        if len(x) == 0:
            return np.zeros(0)
        return np.asarray(np.mean(self._each(x), axis=0), dtype=np.float64)

    def probability(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        if len(x) == 0:
            return np.zeros(0)
        each = [self.calibration.apply(s) for s in self._each(x)]
        return np.asarray(np.mean(each, axis=0), dtype=np.float64)

    def contributions(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per-feature log-odds contributions (last column: the bias), the members' mean."""
        each = [b.predict(x, pred_contrib=True) for b in self.boosters]
        return np.asarray(np.mean(each, axis=0), dtype=np.float64)

    def likely_causes(self, x: npt.NDArray[np.float64]) -> list[tuple[str, float]]:
        """The most likely root cause of each claim if it is denied, with its share."""
        if self.causes is None or len(x) == 0:
            # One cause seen often enough: it is the likely one (none: nothing to say).
            only = self.cause_classes[0] if len(self.cause_classes) == 1 else ""
            return [(only, 1.0 if only else 0.0)] * len(x)
        p = np.asarray(self.causes.predict(x), dtype=np.float64).reshape(len(x), -1)
        best = p.argmax(axis=1)
        return [(self.cause_classes[b], float(p[i, b])) for i, b in enumerate(best)]
