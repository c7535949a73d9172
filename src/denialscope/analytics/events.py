"""Change events: register them, and compare every root cause's rate before and after one.

For an event in a department (or service line) on date D, the claims of that scope are
split by cohort date (< D, >= D), optionally within ``window_days`` either side. For each
root cause: rate = claims with a denial of the cause on their initial adjudication ÷
claims; rate ratio after/before with a 95% interval on the log scale (0.5 added to every
cell when a count is zero); and the one-sided exact conditional test of "after is higher":
given the n = a + b denials, a ~ Binomial(n, N_after / (N_after + N_before)) when nothing
changed.

A department's own before-period count of a rare cause is often zero, which leaves that
test without power. So the spike decision uses a second test that borrows strength from
the rest of the organization (a comparative interrupted time series on the ratio scale):
the before rate is shrunk toward the other departments' before rate of the same cause,
scaled by this department's overall denial level, with a weight of as many claims as the
department's own before period; it is then carried forward by the other departments'
after/before change of that cause (so organization-wide drifts do not count). The shrunk
before rate is itself uncertain (a department that saw 0 or 1 of a cause over a few hundred
claims does not know its rate), so it is a Gamma(b + N_before × prior, 2 × N_before)
posterior, and the after count is compared with its Gamma-Poisson (negative binomial)
predictive rather than with a Poisson at the point estimate, which flagged 0 → 4 rises that
were noise on the demo. A spike is a cause whose rate went up
and whose pooled p-value is below ``alpha`` divided by the number of causes (Bonferroni).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort
from denialscope.analytics.models import EVENT_KINDS, ChangeEvent
from denialscope.errors import InputError, NotFoundError
from denialscope.remits.models import Adjustment

__all__ = [
    "CauseChange",
    "EventImpact",
    "binomial_tail",
    "create_event",
    "event_impact",
    "list_events",
    "load_events_yaml",
    "negative_binomial_tail",
    "poisson_tail",
    "rate_ratio",
]

Z95 = 1.959964


def create_event(
    session: Session,
    *,
    event_date: dt.date,
    kind: str,
    description: str = "",
    department: str | None = None,
    service_line: str | None = None,
) -> ChangeEvent:
    """Register one change event (flushed; the caller commits)."""
    if kind not in EVENT_KINDS:
        raise InputError(f"unknown event kind {kind!r}: use one of {', '.join(EVENT_KINDS)}")
    if not department and not service_line:
        raise InputError("an event needs a department or a service line")
    event = ChangeEvent(
        event_date=event_date,
        kind=kind,
        description=description,
        department=department.strip().upper() if department else None,
        service_line=service_line.strip().lower() if service_line else None,
    )
    session.add(event)
    session.flush()
    return event


def list_events(session: Session) -> list[ChangeEvent]:
    """Every registered event, oldest first."""
    return list(session.scalars(select(ChangeEvent).order_by(ChangeEvent.event_date)))


def load_events_yaml(session: Session, path: Path) -> list[ChangeEvent]:
    """Register the events of a YAML file (``events: [{date, kind, department, ...}]``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the events file: {error}") from error
    except yaml.MarkedYAMLError as error:  # one line naming the line, like every YAML we read
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(
            f"{path}{line}: not valid YAML: {error.problem or error.context}"
        ) from error
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML: {error}") from error
    except ValueError as error:  # YAML reads 2025-13-01 as a date and fails
        raise InputError(f"{path}: a date is not YYYY-MM-DD or does not exist: {error}") from error
    items = data.get("events") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a top-level 'events:' list")
    created = []
    for number, item in enumerate(items, start=1):
        where = f"{path}: event {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected a mapping with date, kind, department")
        unknown = set(item) - {"date", "kind", "department", "service_line", "description"}
        if unknown:
            raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        when = item.get("date")
        if isinstance(when, str):
            try:
                when = dt.date.fromisoformat(when)
            except ValueError as error:
                raise InputError(f"{where}: date {when!r} is not YYYY-MM-DD") from error
        if not isinstance(when, dt.date):
            raise InputError(f"{where}: 'date' is required (YYYY-MM-DD)")
        try:
            created.append(
                create_event(
                    session,
                    event_date=when,
                    kind=str(item.get("kind", "other")),
                    description=str(item.get("description", "")),
                    department=item.get("department"),
                    service_line=item.get("service_line"),
                )
            )
        except InputError as error:
            raise InputError(f"{where}: {error.message}") from error
    return created


def rate_ratio(a: int, n1: int, b: int, n0: int) -> tuple[float, float, float]:
    """(after rate / before rate, lower, upper) with a 95% log-scale interval."""
    if 0 in (a, b):
        a_, b_, n1_, n0_ = a + 0.5, b + 0.5, n1 + 0.5, n0 + 0.5
    else:
        a_, b_, n1_, n0_ = float(a), float(b), float(n1), float(n0)
    ratio = (a_ / n1_) / (b_ / n0_)
    spread = Z95 * math.sqrt(max(1 / a_ - 1 / n1_ + 1 / b_ - 1 / n0_, 0.0))
    return ratio, ratio * math.exp(-spread), ratio * math.exp(spread)


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return min(1.0, sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)))


def negative_binomial_tail(k: int, shape: float, rate: float, exposure: float) -> float:
    """P(X >= k) for X ~ Poisson(exposure × λ), λ ~ Gamma(shape, rate): the predictive count."""
    if k <= 0:
        return 1.0
    if exposure <= 0 or shape <= 0:
        return 0.0
    p = rate / (rate + exposure)  # success probability of the negative binomial
    log_p, log_q = math.log(p), math.log1p(-p)
    below = sum(
        math.exp(
            math.lgamma(i + shape) - math.lgamma(shape) - math.lgamma(i + 1)
            + shape * log_p + i * log_q
        )
        for i in range(k)
    )  # fmt: skip
    return max(0.0, 1.0 - below)


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    below = sum(math.exp(i * math.log(mean) - mean - math.lgamma(i + 1)) for i in range(k))
    return max(0.0, 1.0 - below)


@dataclass(slots=True, frozen=True)
class CauseChange:
    root_cause: str
    stream: str
    denials_before: int
    denials_after: int
    rate_before: float
    rate_after: float
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    p_value_pooled: float
    spike: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "root_cause": self.root_cause,
            "stream": self.stream,
            "denials_before": self.denials_before,
            "denials_after": self.denials_after,
            "rate_before": round(self.rate_before, 5),
            "rate_after": round(self.rate_after, 5),
            "rate_ratio": round(self.ratio, 2),
            "ci95": [round(self.ci_low, 2), round(self.ci_high, 2)],
            "p_value": round(self.p_value, 5),
            "p_value_pooled": float(f"{self.p_value_pooled:.3g}"),
            "spike": self.spike,
        }


@dataclass(slots=True, frozen=True)
class EventImpact:
    event_id: int | None
    event_date: dt.date
    scope: str
    claims_before: int
    claims_after: int
    causes: list[CauseChange]

    @property
    def spikes(self) -> list[CauseChange]:
        return [c for c in self.causes if c.spike]

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event_date": self.event_date.isoformat(),
            "scope": self.scope,
            "claims_before": self.claims_before,
            "claims_after": self.claims_after,
            "spikes": [c.root_cause for c in self.spikes],
            "causes": [c.to_dict() for c in self.causes],
        }


def _counts(session: Session, filters: Filters) -> tuple[int, int, Mapping[tuple[str, str], int]]:
    """(adjudicated claims, initially denied claims, {(cause, stream): denied claims})."""
    cohort = claim_cohort(filters)
    totals = session.execute(
        select(func.sum(cohort.c.remitted), func.sum(cohort.c.is_denial)).where(
            cohort.c.remitted == 1
        )
    ).one()
    query = (
        select(
            Adjustment.root_cause,
            Adjustment.stream,
            func.count(func.distinct(cohort.c.claim_id)).label("claims"),
        )
        .join(Adjustment, Adjustment.claim_payment_id == cohort.c.payment_id)
        .where(Adjustment.is_denial.is_(True))
        .group_by(Adjustment.root_cause, Adjustment.stream)
    )
    causes = {
        (row.root_cause or "unclassified", row.stream or "none"): int(row.claims)
        for row in session.execute(query)
    }
    return int(totals[0] or 0), int(totals[1] or 0), causes


def _jeffreys(count: int, claims: int) -> float:
    # Half a denial added: a cause never seen is rare, not impossible.
    return (max(count, 0) + 0.5) / (max(claims, 0) + 1)


def event_impact(
    session: Session,
    *,
    event_date: dt.date,
    department: str | None = None,
    service_line: str | None = None,
    payer: str | None = None,
    window_days: int | None = None,
    alpha: float = 0.05,
    event_id: int | None = None,
) -> EventImpact:
    """Every root cause's rate before vs after ``event_date`` in the event's scope."""
    if not department and not service_line:
        raise InputError("an event analysis needs a department or a service line")
    window = dt.timedelta(days=window_days) if window_days else None
    scope = {"department": department, "service_line": service_line, "payer": payer}
    before = Filters(
        **scope,
        date_from=event_date - window if window else None,
        date_to=event_date - dt.timedelta(days=1),
    )
    after = Filters(**scope, date_from=event_date, date_to=event_date + window if window else None)
    n0, d0, causes0 = _counts(session, before)
    n1, _d1, causes1 = _counts(session, after)
    # The rest of the organization (same payer filter, same windows) is the control.
    org_before = Filters(payer=payer, date_from=before.date_from, date_to=before.date_to)
    org_after = Filters(payer=payer, date_from=after.date_from, date_to=after.date_to)
    on0, od0, org0 = _counts(session, org_before)
    on1, _od1, org1 = _counts(session, org_after)
    level = _jeffreys(d0, n0) / _jeffreys(od0 - d0, on0 - n0)
    share_after = n1 / (n0 + n1) if n0 + n1 else 0.0
    keys = sorted(set(causes0) | set(causes1))
    threshold = alpha / max(len(keys), 1)
    changes = []
    for key in keys:
        cause, stream = key
        b = causes0.get(key, 0)
        a = causes1.get(key, 0)
        ratio, low, high = rate_ratio(a, n1, b, n0) if n0 and n1 else (math.nan,) * 3
        p_value = binomial_tail(a, a + b, share_after)
        others_before = _jeffreys(org0.get(key, 0) - b, on0 - n0)
        others_after = _jeffreys(org1.get(key, 0) - a, on1 - n1)
        prior = others_before * level
        drift = others_after / others_before
        if n0:
            p_pooled = negative_binomial_tail(a, b + n0 * prior, 2.0 * n0, n1 * drift)
        else:
            p_pooled = poisson_tail(a, n1 * prior * drift)
        went_up = n0 > 0 and n1 > 0 and a / n1 > b / n0
        changes.append(
            CauseChange(
                cause, stream, b, a, b / n0 if n0 else 0.0, a / n1 if n1 else 0.0,
                ratio, low, high, p_value, p_pooled, went_up and p_pooled < threshold,
            )
        )  # fmt: skip
    changes.sort(key=lambda c: (c.p_value_pooled, c.p_value, c.root_cause))
    label = " ".join(f"{k}={v}" for k, v in scope.items() if v)
    return EventImpact(event_id, event_date, label, n0, n1, changes)


def impacts_of_registered(
    *,
    session: Session,
    payer: str | None = None,
    window_days: int | None = None,
    alpha: float = 0.05,
) -> Sequence[EventImpact]:
    """The before/after analysis of every registered event (``report events``), at one
    payer (name part, key or id) or all."""
    return [
        event_impact(
            session,
            event_date=e.event_date,
            department=e.department,
            service_line=e.service_line,
            payer=payer,
            window_days=window_days,
            alpha=alpha,
            event_id=e.id,
        )
        for e in list_events(session)
    ]


def get_event(session: Session, *, event_id: int) -> ChangeEvent:
    """One event by id, else NotFoundError."""
    event = session.get(ChangeEvent, event_id)
    if event is None:
        raise NotFoundError(f"no change event with id {event_id}")
    return event
