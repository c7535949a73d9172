"""The cross-fit: each claim calibrates only trees that never trained on it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from denialscope.predict import crossfit
from denialscope.predict.crossfit import cross_fit, month_blocks
from denialscope.predict.features import FEATURES
from denialscope.predict.model import fit_calibration


def test_months_are_cut_into_consecutive_blocks() -> None:
    ten = [f"2025-{m:02d}" for m in range(1, 11)]
    assert month_blocks(ten * 3) == [tuple(ten[i : i + 2]) for i in range(0, 10, 2)]
    seven = ten[:7]
    assert [len(b) for b in month_blocks(seven)] == [2, 2, 1, 1, 1]
    assert month_blocks(ten[:2]) == [(ten[0],), (ten[1],)]  # fewer months than folds


def test_each_member_scores_only_the_months_it_never_saw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    n = 1000
    x = rng.random((n, len(FEATURES)))
    x[:, 0] = np.arange(n)  # the row's id, to see which rows each member trained on
    y = (rng.random(n) < 0.2).astype(np.float64)
    months = [f"2025-{1 + i * 10 // n:02d}" for i in range(n)]
    trained: list[set[int]] = []
    fit = crossfit.fit_risk

    def recording(xs: Any, ys: Any, **kwargs: Any) -> Any:
        trained.append({int(i) for i in xs[:, 0]})
        return fit(xs, ys, **kwargs)

    monkeypatch.setattr(crossfit, "fit_risk", recording)
    got = cross_fit(x, y, months, min_data_in_leaf=20, rounds=10)
    assert len(got.members) == len(got.blocks) == len(trained) == 5
    scored: set[int] = set()
    for member, block, seen in zip(got.members, got.blocks, trained, strict=True):
        held = {i for i, m in enumerate(months) if m in block}
        assert not held & seen and held | seen == set(range(n))
        assert not held & scored  # every row is scored by exactly one member
        scored |= held
        rows = sorted(held)
        np.testing.assert_array_equal(got.out_of_fold[rows], member.predict(x[rows]))
    assert scored == set(range(n))
    # the map is the isotonic fit of those out-of-fold scores, nothing else
    assert got.calibration == fit_calibration(got.out_of_fold, y)


def test_one_month_is_too_short_to_cross_fit() -> None:
    with pytest.raises(ValueError, match="at least two months"):
        cross_fit(np.zeros((3, len(FEATURES))), np.zeros(3), ["2025-01"] * 3, rounds=1)
