"""How much the trees may isolate: chosen on a validation inside the training window.

Near-certain denials (sent past the filing limit, coverage ended, a non-covered code) are
rare groups; with large leaves and few rounds the trees lump them with ordinary claims and
never score them near 1, so a 95%-precision threshold cannot take them. Smaller leaves and
more rounds let the trees isolate them, and overfit everywhere else. Which wins depends on
the data, so it is measured: the last ``VALIDATION_MONTHS`` of the training window are held
out, each candidate is fitted on the months before them, and the one ranking the held-out
months best is used. The calibration and test months are never looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from denialscope.predict import evaluate as ev
from denialscope.predict.model import ROUNDS, fit_risk

__all__ = ["CANDIDATES", "Capacity", "choose_capacity"]

VALIDATION_MONTHS = 2
# (claims a leaf at least, boosting rounds); the first is the default used when the training
# window is too short or holds too few denials to compare them.
CANDIDATES: tuple[tuple[int, int], ...] = (
    (40, ROUNDS), (40, 2 * ROUNDS), (20, ROUNDS), (20, 2 * ROUNDS),
    (10, ROUNDS), (10, 2 * ROUNDS), (5, ROUNDS), (5, 2 * ROUNDS),
)  # fmt: skip
# Below this many denials in the held-out months a comparison is noise, and below this many
# training claims a leaf of 5 claims memorizes patterns of a few days: keep the default.
MIN_VALIDATION_DENIALS = 50
MIN_TRAINING_CLAIMS = 5000


@dataclass(frozen=True, slots=True)
class Capacity:
    min_data_in_leaf: int
    rounds: int
    validation: tuple[str, str] | None  # held-out months; None: the default was kept
    scores: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_data_in_leaf": self.min_data_in_leaf,
            "rounds": self.rounds,
            "validation_months": list(self.validation) if self.validation else None,
            "candidates": list(self.scores),
        }


def _score(p: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> dict[str, float]:
    return {
        "recall_at_95_precision": ev.recall_at_precision(p, y, 0.95) or 0.0,
        "recall_at_80_precision": ev.recall_at_precision(p, y, 0.8) or 0.0,
        "pr_auc": ev.pr_auc(p, y) or 0.0,
    }


def choose_capacity(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], months: Sequence[str]
) -> Capacity:
    """The candidate whose held-out ranking is best: the sum of recall at 95% and at 80%
    precision and PR AUC (the top of the ranking three ways, so one lucky claim does not
    decide). ``months`` is each training row's submission month (YYYY-MM)."""
    default = Capacity(CANDIDATES[0][0], CANDIDATES[0][1], None)
    distinct = sorted(set(months))
    if len(distinct) <= VALIDATION_MONTHS or len(y) < MIN_TRAINING_CLAIMS:
        return default
    first_held = distinct[-VALIDATION_MONTHS]
    held = np.array([m >= first_held for m in months], dtype=bool)
    if y[held].sum() < MIN_VALIDATION_DENIALS or y[~held].sum() < MIN_VALIDATION_DENIALS:
        return default
    best: tuple[float, int] | None = None
    scores: list[dict[str, Any]] = []
    for i, (leaf, rounds) in enumerate(CANDIDATES):
        booster = fit_risk(x[~held], y[~held], min_data_in_leaf=leaf, rounds=rounds)
        got = _score(np.asarray(booster.predict(x[held]), dtype=np.float64), y[held])
        total = sum(got.values())
        scores.append({"min_data_in_leaf": leaf, "rounds": rounds, **got})
        if best is None or total > best[0] + 1e-12:  # ties keep the earlier, simpler one
            best = (total, i)
    assert best is not None
    leaf, rounds = CANDIDATES[best[1]]
    return Capacity(leaf, rounds, (first_held, distinct[-1]), tuple(scores))
