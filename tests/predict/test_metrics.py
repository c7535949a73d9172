"""Metrics and calibration on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from denialscope.predict import evaluate as ev
from denialscope.predict.model import TIE_BREAK, fit_calibration
from denialscope.predict.split import NotEnoughHistoryError, time_split


def a(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_roc_auc_counts_pairs_and_half_ties() -> None:
    # pairs (pos, neg): 0.35>0.1 yes, 0.35>0.4 no, 0.8 beats both -> 3 of 4
    assert ev.roc_auc(a(0.1, 0.4, 0.35, 0.8), a(0, 0, 1, 1)) == 0.75
    assert ev.roc_auc(a(0.5, 0.5), a(0, 1)) == 0.5
    assert ev.roc_auc(a(0.5, 0.6), a(1, 1)) is None


def test_precision_recall_figures() -> None:
    s, y = a(0.9, 0.8, 0.7, 0.6), a(1, 0, 1, 0)
    # precision 1, 1/2, 2/3, 1/2 at recall 1/2, 1/2, 1, 1
    assert ev.pr_auc(s, y) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert ev.recall_at_precision(s, y, 0.95) == 0.5
    assert ev.recall_at_precision(s, y, 0.6) == 1.0
    assert ev.recall_at_precision(a(0.9, 0.8), a(0, 1), 0.95) == 0.0
    # tied scores are flagged together: 1 of 2 at the top tie is 50%, not 100%
    assert ev.recall_at_precision(a(0.9, 0.9, 0.1), a(1, 0, 1), 0.95) == 0.0


def test_brier_reliability_and_dollars() -> None:
    assert ev.brier(a(0.2, 0.9), a(0, 1)) == pytest.approx((0.04 + 0.01) / 2)
    rows = ev.reliability_table(a(0.05, 0.15, 0.12), a(0, 1, 0))
    assert [(r.claims, round(r.predicted, 3), r.observed) for r in rows] == [
        (1, 0.05, 0.0),
        (2, 0.135, 0.5),
    ]
    assert ev.dollars_captured(a(3, 2, 1, 0), a(0, 50, 25, 25), 0.5) == 0.5
    assert ev.dollars_captured(a(3, 2), a(0, 0), 0.5) is None


def test_isotonic_calibration_pools_violations() -> None:
    # blocks {1, 2} (1 of 2 denied) and {3, 4} (both): knots at their mean scores
    cal = fit_calibration(a(0.1, 0.2, 0.3, 0.4), a(1, 0, 1, 1))
    assert cal.scores == pytest.approx((0.15, 0.35)) and cal.probabilities == (0.5, 1.0)
    # linear between the knots (0.2 -> 0.5 + 0.5 * 0.25), flat beyond them, up to TIE_BREAK
    got = cal.apply(a(0, 0.15, 0.2, 0.35, 0.9))
    assert list(np.round(got, 5)) == [0.5, 0.5, 0.625, 1.0, 1.0]
    assert got[2] == pytest.approx((1 - TIE_BREAK) * 0.625 + TIE_BREAK * 0.2)


def test_calibration_keeps_the_ranking() -> None:
    # 0.1 and 0.2 fall in one isotonic block (a step function gives both 0.5): they keep
    # their order, as do 0 and 0.1 below the first knot and 0.4 and 0.9 above the last
    cal = fit_calibration(a(0.1, 0.2, 0.3, 0.4), a(1, 0, 1, 1))
    p = cal.apply(a(0, 0.1, 0.2, 0.4, 0.9))
    assert p[0] < p[1] < p[2] < p[3] < p[4]
    assert all(0.0 <= v <= 1.0 for v in p)
    # a threshold can still split the top: recall at 95% precision is the raw score's
    raw, y = a(0.91, 0.9, 0.88, 0.7, 0.5, 0.3), a(1, 1, 0, 1, 0, 0)
    flat = fit_calibration(a(0.5, 0.88, 0.9, 0.91, 0.95), a(0, 1, 1, 1, 1))
    assert ev.recall_at_precision(raw, y, 0.95) == pytest.approx(2 / 3)
    assert ev.recall_at_precision(flat.apply(raw), y, 0.95) == pytest.approx(2 / 3)


def test_time_split_needs_enough_months() -> None:
    import datetime as dt

    from denialscope.predict.records import ClaimInput

    def claim(month: int) -> ClaimInput:
        return ClaimInput(
            "k",
            "n",
            "P",
            "P",
            "commercial",
            "837P",
            "11",
            "D",
            "L",
            "",
            "",
            dt.date(2025, month, 5),
            None,
            1.0,
            (),
            (),
            "",
            False,
            False,
        )

    split = time_split([claim(m) for m in range(1, 7)], test_months=2, calibration_months=1)
    assert (split.train, split.calibration, split.test) == (
        ("2025-01", "2025-03"),
        ("2025-04", "2025-04"),
        ("2025-05", "2025-06"),
    )
    assert split.part(dt.date(2025, 4, 30)) == "calibration"
    with pytest.raises(NotEnoughHistoryError, match="3 month"):
        time_split([claim(m) for m in range(1, 4)], test_months=2, calibration_months=1)
