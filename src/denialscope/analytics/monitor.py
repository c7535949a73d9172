"""Continuous monitoring: a Poisson CUSUM per stream × payer that dates when a shift began.

For each series (a stream or root cause, crossed with a payer or department), month by
month: n_t adjudicated claims and y_t claims denied for that stream. The in-control rate
p0 is the series' rate over its first ``baseline_months`` months (with half a denial added,
so a quiet baseline is not a zero rate); the expected count e_t = p0 × n_t adjusts for
volume. The CUSUM tuned to detect a rise by the factor ``ratio`` (Lucas 1985):

    S_t = max(0, S_{t-1} + y_t ln(ratio) − (ratio − 1) e_t)

raises an alert when S_t > ``threshold``; the shift is dated to the month after S was
last 0, the start of the run that crossed the threshold. It runs whether or not an event
was registered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort, group_label
from denialscope.claims.models import Claim
from denialscope.orgs.models import Department, Payer
from denialscope.remits.models import Adjustment

__all__ = ["Alert", "cusum", "cusum_alerts"]

Level = Literal["stream", "root_cause"]
Across = Literal["payer", "department"]
NO_FILTERS = Filters()


@dataclass(slots=True, frozen=True)
class Alert:
    series: str  # e.g. "coding × SUMMIT HEALTH PLAN"
    shift_began: str  # month, YYYY-MM
    alarm_month: str
    baseline_rate: float
    rate_since_shift: float
    observed_since_shift: int
    expected_since_shift: float
    statistic: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "shift_began": self.shift_began,
            "alarm_month": self.alarm_month,
            "baseline_rate": round(self.baseline_rate, 5),
            "rate_since_shift": round(self.rate_since_shift, 5),
            "observed_since_shift": self.observed_since_shift,
            "expected_since_shift": round(self.expected_since_shift, 2),
            "cusum": round(self.statistic, 2),
        }


def cusum(
    counts: list[tuple[str, int, int]],
    *,
    baseline_months: int = 6,
    ratio: float = 2.0,
    threshold: float = 4.0,
) -> tuple[float, list[float], int | None, int | None]:
    """(p0, S_t per month, index of the shift start, index of the alarm) for one series.

    ``counts`` = [(month, n_t, y_t)] in month order.
    """
    base = counts[:baseline_months]
    claims = sum(n for _, n, _ in base)
    if not claims:
        return 0.0, [], None, None
    p0 = (sum(y for _, _, y in base) + 0.5) / claims
    statistic = 0.0
    path: list[float] = []
    run_start = 0
    for index, (_month, n, y) in enumerate(counts):
        before = statistic
        statistic = max(0.0, statistic + y * math.log(ratio) - (ratio - 1) * p0 * n)
        if before == 0.0:
            run_start = index
        path.append(statistic)
        if statistic > threshold and index >= baseline_months:
            return p0, path, run_start, index
    return p0, path, None, None


def _series_key(level: Level, across: Across) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    measure = Adjustment.stream if level == "stream" else Adjustment.root_cause
    side = Payer.name if across == "payer" else Department.code
    return measure.expression, side.expression


def cusum_alerts(
    session: Session,
    *,
    filters: Filters = NO_FILTERS,
    level: Level = "stream",
    across: Across = "payer",
    baseline_months: int = 6,
    ratio: float | None = None,
    threshold: float | None = None,
) -> list[Alert]:
    """Alerts for every stream (or root cause) × payer (or department) series in scope.

    Defaults: detect a doubling with threshold 4 for streams; root causes are rare, so a
    single denial carries more weight there: detect a fourfold rise with threshold 5.
    """
    ratio = ratio if ratio is not None else (2.0 if level == "stream" else 4.0)
    threshold = threshold if threshold is not None else (4.0 if level == "stream" else 5.0)
    cohort = claim_cohort(filters, by="month")
    measure, side = _series_key(level, across)
    join_side = Payer.id == Claim.payer_id if across == "payer" else (
        Department.id == Claim.department_id
    )  # fmt: skip
    volume = (
        select(cohort.c.grp, side.label("side"), func.sum(cohort.c.remitted).label("n"))
        .join(Claim, Claim.id == cohort.c.claim_id)
        .outerjoin(Payer if across == "payer" else Department, join_side)
        .group_by(cohort.c.grp, side)
    )
    denied = (
        select(
            cohort.c.grp,
            side.label("side"),
            measure.label("measure"),
            func.count(func.distinct(cohort.c.claim_id)).label("y"),
        )
        .join(Claim, Claim.id == cohort.c.claim_id)
        .outerjoin(Payer if across == "payer" else Department, join_side)
        .join(Adjustment, Adjustment.claim_payment_id == cohort.c.payment_id)
        .where(Adjustment.is_denial.is_(True))
        .group_by(cohort.c.grp, side, measure)
    )
    if filters.stream:
        denied = denied.where(Adjustment.stream == filters.stream)
    months: set[int] = set()
    claims: dict[tuple[str, int], int] = {}
    for row in session.execute(volume):
        months.add(int(row.grp))
        claims[(row.side or "(none)", int(row.grp))] = int(row.n or 0)
    hits: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for row in session.execute(denied):
        hits[(row.measure or "unclassified", row.side or "(none)")][int(row.grp)] = int(row.y)
    ordered = sorted(months)
    alerts: list[Alert] = []
    for (what, where), by_month in sorted(hits.items()):
        counts = [
            (group_label("month", m), claims.get((where, m), 0), by_month.get(m, 0))
            for m in ordered
        ]
        p0, _path, start, alarm = cusum(
            counts, baseline_months=baseline_months, ratio=ratio, threshold=threshold
        )
        if start is None or alarm is None:
            continue
        since = counts[start:]
        n = sum(c[1] for c in since)
        y = sum(c[2] for c in since)
        alerts.append(
            Alert(
                series=f"{what} × {where}",
                shift_began=counts[start][0],
                alarm_month=counts[alarm][0],
                baseline_rate=p0,
                rate_since_shift=y / n if n else 0.0,
                observed_since_shift=y,
                expected_since_shift=p0 * n,
                statistic=_path[alarm],
            )
        )
    alerts.sort(key=lambda a: (a.alarm_month, a.series))
    return alerts
