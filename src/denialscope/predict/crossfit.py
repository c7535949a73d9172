"""Cross-fitted calibration: the trees learn from every fitting month, and each claim that
calibrates them is scored by trees that never saw it.

The fitting window (training and calibration months) is cut into ``FOLDS`` blocks of
consecutive months. For each block one set of trees is fitted on the other blocks and scores
the block: every claim of the window gets an out-of-fold score, from trees that did not
train on it. The isotonic map is fitted on those out-of-fold scores against the outcomes.
The model is the blocks' trees together: each member's score goes through the map, and the
members' probabilities are averaged. Each member is used exactly as it was calibrated (its
scores on claims it never saw); trees refitted on the whole window would score more
confidently than the ones the map was fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from denialscope.predict.model import Calibration, fit_calibration, fit_risk

__all__ = ["FOLDS", "CrossFit", "cross_fit", "month_blocks"]

# Five blocks: each member trains on 80% of the window (on the demo's ten months, eight),
# and scoring costs five trees' passes.
FOLDS = 5


@dataclass(frozen=True, slots=True)
class CrossFit:
    members: tuple[lgb.Booster, ...]
    blocks: tuple[tuple[str, ...], ...]  # the months each member scores (and did not see)
    out_of_fold: npt.NDArray[np.float64]  # each row's score by the member that did not see it
    calibration: Calibration


def month_blocks(months: Sequence[str], folds: int = FOLDS) -> list[tuple[str, ...]]:
    """The distinct months cut into at most ``folds`` blocks of consecutive months, as
    equal as they can be (the earlier blocks take one month more)."""
    distinct = sorted(set(months))
    k = min(folds, len(distinct))
    return [tuple(block) for block in np.array_split(np.array(distinct, dtype=object), k)]


def cross_fit(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    months: Sequence[str],
    *,
    min_data_in_leaf: int | None = None,
    rounds: int,
    folds: int = FOLDS,
) -> CrossFit:
    """One member per block of months, fitted on the other blocks; the map is fitted on
    the out-of-fold scores. ``months`` is each row's submission month (YYYY-MM); one month
    is too short for a cross-fit (``ValueError``: ``time_split`` always leaves two)."""
    blocks = month_blocks(months, folds)
    if len(blocks) < 2:
        raise ValueError("a cross-fit needs at least two months")
    month_of = np.array(months, dtype=object)
    oof = np.empty(len(y), dtype=np.float64)
    members: list[lgb.Booster] = []
    for block in blocks:
        held = np.isin(month_of, block)
        booster = fit_risk(x[~held], y[~held], min_data_in_leaf=min_data_in_leaf, rounds=rounds)
        oof[held] = np.asarray(booster.predict(x[held]), dtype=np.float64)
        members.append(booster)
    return CrossFit(tuple(members), tuple(blocks), oof, fit_calibration(oof, y))
