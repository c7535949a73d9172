"""Ranking and calibration metrics, written with numpy (no scikit-learn needed).

Every function takes scores and 0/1 labels of the same claims. Ties are handled as a
threshold would: claims with equal scores are flagged together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "Reliability",
    "brier",
    "dollars_captured",
    "pr_auc",
    "recall_at_precision",
    "reliability_table",
    "roc_auc",
]

Array = npt.NDArray[np.float64]


def roc_auc(scores: Array, labels: Array) -> float | None:
    """P(a denied claim scores above a paid one), ties counted half (Mann-Whitney)."""
    pos = labels == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if not n_pos or not n_neg:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average rank within ties
    _, start, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = start + (counts + 1) / 2.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _curve(scores: Array, labels: Array) -> tuple[Array, Array]:
    """Precision and recall at each distinct threshold, highest score first."""
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    flagged = np.arange(1, len(y) + 1, dtype=np.float64)
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    tp, flagged = tp[last_of_tie], flagged[last_of_tie]
    total = max(float(y.sum()), 1.0)
    return tp / flagged, tp / total


def pr_auc(scores: Array, labels: Array) -> float | None:
    """Average precision: precision at each threshold weighted by the recall it adds."""
    if not labels.sum():
        return None
    precision, recall = _curve(scores, labels)
    gains = np.diff(np.r_[0.0, recall])
    return float((precision * gains).sum())


def recall_at_precision(scores: Array, labels: Array, precision: float = 0.95) -> float | None:
    """The largest recall of a threshold whose flagged claims are at least ``precision``
    denied (0 when no threshold is that precise)."""
    if not labels.sum():
        return None
    p, r = _curve(scores, labels)
    ok = p >= precision
    return float(r[ok].max()) if ok.any() else 0.0


def brier(probabilities: Array, labels: Array) -> float | None:
    if not len(labels):
        return None
    return float(np.mean((probabilities - labels) ** 2))


@dataclass(frozen=True, slots=True)
class Reliability:
    low: float
    high: float
    claims: int
    predicted: float
    observed: float


def reliability_table(probabilities: Array, labels: Array, bins: int = 10) -> list[Reliability]:
    """Claims by predicted probability (equal-width bins): mean predicted vs observed rate."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, probabilities, side="right") - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        m = which == b
        if m.any():
            out.append(
                Reliability(
                    float(edges[b]),
                    float(edges[b + 1]),
                    int(m.sum()),
                    float(probabilities[m].mean()),
                    float(labels[m].mean()),
                )
            )
    return out


def dollars_captured(scores: Array, dollars: Array, share: float) -> float | None:
    """Share of the dollars at risk (denied dollars) in the top ``share`` of claims by score."""
    total = float(dollars.sum())
    if total <= 0 or not len(scores):
        return None
    top = max(1, round(len(scores) * share))
    order = np.argsort(-scores, kind="mergesort")[:top]
    return float(dollars[order].sum() / total)
