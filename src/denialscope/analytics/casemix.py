"""The case-mix reference model: expected initial-denial probability from what a claim IS.

A Poisson (log-link) regression with main effects for payer, encounter type (claim type and
place of service / facility type), procedure family (the claim's leading CPT/HCPCS section)
and, for inpatient stays, the MS-DRG weight band. The department is never a covariate: the
model says what an average department would deny with this mix. The log link matches how
denial risk multiplies across these factors; Poisson regression of a 0/1 outcome estimates
risk ratios consistently (Zou 2004) and its fitted values sum to the observed total, so
O/E across all departments is exactly 1.

Claims are collapsed into cells of identical covariates before fitting, so the fit costs
the same for 5,000 or 5,000,000 claims; it is plain Python (no numpy dependency).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, case, func

from denialscope.claims.models import ClaimLine

__all__ = [
    "FAMILY_NAMES",
    "Cell",
    "PoissonModel",
    "drg_band",
    "fit_poisson",
    "procedure_family_rank",
]

# Highest priority first: a claim takes the family of its most intensive line.
_FAMILY_RANGES: Final[tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = (
    ("surgery", (("20000", "69999"),)),
    ("minor_procedure", (("10000", "19999"),)),
    (
        "advanced_imaging",
        (
            ("70450", "70559"),
            ("71250", "71555"),
            ("72125", "72198"),
            ("73200", "73225"),
            ("73700", "73725"),
            ("74150", "74185"),
            ("78000", "78999"),
        ),
    ),
    ("imaging", (("70000", "79999"),)),
    ("diagnostic", (("92000", "96999"),)),
    ("psych", (("90785", "90899"),)),
    ("em", (("99202", "99499"),)),
    ("lab", (("80000", "89999"),)),
)
FAMILY_NAMES: Final = (*(name for name, _ in _FAMILY_RANGES), "other")


def procedure_family_rank() -> ColumnElement[Any]:
    """Per line, the rank (1 = most intensive) of its procedure's family; ``min`` per claim."""
    code = ClaimLine.procedure
    whens = []
    for rank, (_name, ranges) in enumerate(_FAMILY_RANGES, start=1):
        for low, high in ranges:
            whens.append((and_(func.length(code) == 5, code >= low, code <= high), rank))
    return case(*whens, else_=len(_FAMILY_RANGES) + 1)


@cache
def _drg_weights() -> dict[str, Decimal]:
    from denialscope.reference.codesets import msdrg_weights

    return {drg: w.weight for drg, w in msdrg_weights().items() if w.weight is not None}


def drg_band(drg: str | None) -> str:
    """MS-DRG relative weight band: <1, 1-2, 2-4, 4+ (unknown DRG: "drg?")."""
    if not drg:
        return "no_drg"
    weight = _drg_weights().get(drg.strip().zfill(3))
    if weight is None:
        return "drg?"
    if weight < 1:
        return "drg<1"
    if weight < 2:
        return "drg1-2"
    if weight < 4:
        return "drg2-4"
    return "drg4+"


@dataclass(slots=True, frozen=True)
class Cell:
    """Claims sharing every covariate: ``n`` of them, ``denied`` initially denied."""

    covariates: tuple[str, ...]
    n: int
    denied: int


@dataclass(slots=True, frozen=True)
class PoissonModel:
    """Fitted coefficients: log rate = intercept + Σ effect[(position, level)]."""

    intercept: float
    effects: dict[tuple[int, str], float]

    def rate(self, covariates: Sequence[str]) -> float:
        """The expected denials per claim for these covariates (unseen levels count as 0)."""
        eta = self.intercept + sum(
            self.effects.get((i, level), 0.0) for i, level in enumerate(covariates)
        )
        return math.exp(eta)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems are a few dozen wide)."""
    size = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(size):
            if r != col and a[r][col]:
                factor = a[r][col] / a[col][col]
                for k in range(col, size + 1):
                    a[r][k] -= factor * a[col][k]
    return [a[i][size] / a[i][i] if abs(a[i][i]) >= 1e-12 else 0.0 for i in range(size)]


def fit_poisson(
    cells: Iterable[Cell], *, iterations: int = 25, ridge: float = 1e-4
) -> PoissonModel:
    """Maximum-likelihood main-effects Poisson regression by Newton-Raphson on cells.

    The most frequent level of each covariate is the reference; a small ridge keeps levels
    with no denials at all (whose estimate runs to minus infinity) finite.
    """
    data = [c for c in cells if c.n > 0]
    if not data:
        return PoissonModel(0.0, {})
    width = len(data[0].covariates)
    levels: list[dict[str, int]] = []
    for i in range(width):
        counts: dict[str, int] = {}
        for c in data:
            counts[c.covariates[i]] = counts.get(c.covariates[i], 0) + c.n
        reference = max(sorted(counts), key=lambda k: counts[k])
        levels.append({k: 0 for k in sorted(counts) if k != reference})
    columns: list[tuple[int, str]] = []
    for i, found in enumerate(levels):
        for level in found:
            found[level] = len(columns) + 1
            columns.append((i, level))
    size = len(columns) + 1
    # Per cell, the columns that are 1: the intercept (0) and each non-reference level.
    rows = [
        [0] + [j for i in range(width) if (j := levels[i].get(c.covariates[i], 0))] for c in data
    ]
    total_n = sum(c.n for c in data)
    beta = [math.log(max(sum(c.denied for c in data), 0.5) / total_n)] + [0.0] * (size - 1)
    for _ in range(iterations):
        info = [[0.0] * size for _ in range(size)]
        score = [0.0] * size
        for c, row in zip(data, rows, strict=True):
            active = row
            mu = c.n * math.exp(sum(beta[j] for j in active))
            for j in active:
                score[j] += c.denied - mu
                for k in active:
                    info[j][k] += mu
        for j in range(1, size):
            score[j] -= ridge * total_n * beta[j]
            info[j][j] += ridge * total_n
        step = _solve(info, score)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-9:
            break
    effects = {columns[j - 1]: beta[j] for j in range(1, size)}
    return PoissonModel(intercept=beta[0], effects=effects)
