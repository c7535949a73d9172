"""Ranking: expected net recovery, learned recovery odds, deadlines and their urgency.

    expected net = P(recovery) x dollars at risk - minutes x hourly cost of the queue's role
    priority     = expected net x urgency(days to the deadline)

P(recovery | root cause, payer, level) is the mean of a Beta posterior: the configured prior
for the root cause (else its stream), plus this organization's outcomes of the same root
cause at the same payer (full weight) and at other payers (``pooling_weight``), times the
level factor (later appeal levels win less often). Pure functions: the service feeds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from denialscope.workqueue.config import WorkqueueConfig
from denialscope.workqueue.decision import ACTION_LEVELS

__all__ = [
    "Deadline",
    "OutcomeCounts",
    "Recovery",
    "deadline_for",
    "payer_windows",
    "priority_score",
    "recovery_probability",
    "work_cost",
]

_CENT = Decimal("0.01")
_P = Decimal("0.0001")


@dataclass(slots=True)
class OutcomeCounts:
    """Recoveries (fractional for partial overturns) and losses of worked denials."""

    won: Decimal = Decimal(0)
    lost: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.won + self.lost


@dataclass(slots=True, frozen=True)
class Recovery:
    probability: Decimal
    basis: str


@dataclass(slots=True, frozen=True)
class Deadline:
    date: dt.date | None
    kind: str | None


def _prior(config: WorkqueueConfig, root_cause: str, stream: str) -> tuple[Decimal, Decimal]:
    recovery = config.recovery
    pair = (recovery.get("by_root_cause") or {}).get(root_cause)
    if pair is None:
        pair = (recovery.get("by_stream") or {}).get(stream, (1, 1))
    return Decimal(str(pair[0])), Decimal(str(pair[1]))


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else f"{value:.1f}"


def recovery_probability(
    config: WorkqueueConfig,
    *,
    root_cause: str,
    stream: str,
    payer_key: int | None,
    level: int,
    history: Mapping[tuple[str, int | None], OutcomeCounts],
    model_estimate: Recovery | None = None,
) -> Recovery:
    """P(recovery) and a one-line account of where it comes from.

    ``model_estimate`` (denialscope.predict.appeal, once enough appeals are decided) wins;
    the Beta-binomial below is the fallback, and its figure stays in the basis.
    """
    alpha, beta = _prior(config, root_cause, stream)
    basis = [f"prior Beta({_fmt(alpha)},{_fmt(beta)})"]
    here = history.get((root_cause, payer_key), OutcomeCounts())
    everywhere = OutcomeCounts()
    for (cause, _payer), counts in history.items():
        if cause == root_cause:
            everywhere.won += counts.won
            everywhere.lost += counts.lost
    weight = Decimal(str(config.recovery.get("pooling_weight", 0.5)))
    other_won, other_lost = everywhere.won - here.won, everywhere.lost - here.lost
    alpha += here.won + weight * other_won
    beta += here.lost + weight * other_lost
    if here.total:
        basis.append(f"{_fmt(here.won)} of {_fmt(here.total)} recovered at this payer")
    if other_won + other_lost:
        basis.append(
            f"{_fmt(other_won)} of {_fmt(other_won + other_lost)} at other payers x {weight}"
        )
    factor = Decimal(str((config.recovery.get("level_factor") or {}).get(level, 1)))
    probability = alpha / (alpha + beta) * factor
    if factor != 1:
        basis.append(f"level {level} factor {factor}")
    probability = min(Decimal(1), probability).quantize(_P, ROUND_HALF_UP)
    if model_estimate is not None:
        return Recovery(
            model_estimate.probability,
            f"{model_estimate.basis} (Beta-binomial fallback {probability:.2f})",
        )
    return Recovery(probability, "; ".join(basis) + f" -> {probability:.2f}")


def work_cost(config: WorkqueueConfig, queue: str) -> Decimal:
    """Minutes x hourly cost of the queue's role: what working one item costs."""
    return config.work_cost.queue_cost(queue)


def payer_windows(
    config: WorkqueueConfig, *, payer_kind: str | None, payer_code: str | None
) -> dict[str, int]:
    """Appeal, corrected-claim and timely-filing windows (days) for one payer."""
    windows: dict[str, Any] = dict(config.payer_windows.get("default") or {})
    windows.update((config.payer_windows.get("by_kind") or {}).get(payer_kind or "", {}))
    windows.update((config.payer_windows.get("by_payer_id") or {}).get(payer_code or "", {}))
    return {key: int(value) for key, value in windows.items()}


def _plus(day: dt.date | None, days: int | None) -> dt.date | None:
    if day is None or days is None:
        return None
    return day + dt.timedelta(days=days)


def deadline_for(
    action: str | None,
    *,
    windows: Mapping[str, int],
    denied_on: dt.date | None,
    service_date: dt.date | None,
) -> Deadline:
    """The last day to act: the appeal window of the level, or for a corrected claim the
    earlier of the corrected-claim window (from the denial) and timely filing (from service)."""
    if action == "resubmit":
        candidates = [
            (_plus(denied_on, windows.get("corrected_claim_days")), "corrected claim window"),
            (_plus(service_date, windows.get("timely_filing_days")), "timely filing"),
        ]
        known = [(day, kind) for day, kind in candidates if day is not None]
        if not known:
            return Deadline(None, None)
        day, kind = min(known, key=lambda pair: pair[0])
        return Deadline(day, kind)
    if action == "reopening":
        return Deadline(_plus(denied_on, windows.get("reopening_days")), "reopening")
    level = ACTION_LEVELS.get(action or "")
    if level is None or level == 0:
        return Deadline(None, None)
    key = {1: "appeal_level_1_days", 2: "appeal_level_2_days", 3: "external_review_days"}[level]
    kind = {1: "level 1 appeal", 2: "level 2 appeal", 3: "external review"}[level]
    return Deadline(_plus(denied_on, windows.get(key)), kind)


def priority_score(
    config: WorkqueueConfig, *, expected_net: Decimal, deadline: dt.date | None, as_of: dt.date
) -> Decimal:
    """Expected net recovery weighted by how close the deadline is."""
    horizon = config.urgency.get("horizon_days", Decimal(45))
    weight = config.urgency.get("weight", Decimal(2))
    if deadline is None:
        urgency = Decimal(1)
    else:
        days_left = (deadline - as_of).days
        if days_left < 0:
            urgency = config.urgency.get("expired_factor", Decimal("0.05"))
        else:
            closeness = max(Decimal(0), (horizon - days_left) / horizon)
            urgency = 1 + weight * closeness
    if expected_net < 0:
        # A losing case stays at the bottom however urgent it is.
        return expected_net.quantize(_CENT, ROUND_HALF_UP)
    return (expected_net * urgency).quantize(_CENT, ROUND_HALF_UP)
