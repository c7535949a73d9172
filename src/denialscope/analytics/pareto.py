"""Pareto of root causes: the few causes that make most of a stream's denials.

"Which 5 root causes account for 70 percent of our clinical denials with payer X?" is
:func:`pareto` with ``filters=Filters(stream="clinical", payer="X")`` and ``target=0.70``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort
from denialscope.analytics.results import RATE_PLACES, to_decimal
from denialscope.errors import InputError
from denialscope.remits.models import Adjustment

__all__ = ["ParetoEntry", "ParetoResult", "pareto"]

Measure = Literal["count", "dollars"]
NO_FILTERS = Filters()


@dataclass(slots=True, frozen=True)
class ParetoEntry:
    """One root cause: its claims, its denied dollars, its share and the running share."""

    root_cause: str
    stream: str
    claims: Decimal
    dollars: Decimal
    share: Decimal
    cumulative_share: Decimal
    in_vital_few: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "root_cause": self.root_cause,
            "stream": self.stream,
            "claims": self.claims,
            "dollars": self.dollars,
            "share": self.share,
            "cumulative_share": self.cumulative_share,
            "in_vital_few": self.in_vital_few,
        }


@dataclass(slots=True, frozen=True)
class ParetoResult:
    measure: str
    target: Decimal
    total: Decimal
    entries: list[ParetoEntry]

    @property
    def vital_few(self) -> list[ParetoEntry]:
        """The smallest set of causes whose cumulative share reaches the target."""
        return [e for e in self.entries if e.in_vital_few]

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "target": self.target,
            "total": self.total,
            "vital_few": [e.root_cause for e in self.vital_few],
            "entries": [e.to_dict() for e in self.entries],
        }


def pareto(
    session: Session,
    *,
    filters: Filters = NO_FILTERS,
    target: Decimal = Decimal("0.8"),
    measure: Measure = "count",
) -> ParetoResult:
    """Root causes of the initial denials in scope, largest first, with cumulative shares.

    count = claims with at least one denial of the cause on their initial adjudication (a
    claim with two causes counts once for each, so shares are of cause-claim pairs);
    dollars = the denied amounts. Ties are broken by name so the result is stable.
    """
    if measure not in ("count", "dollars"):
        raise InputError(f"unknown Pareto measure {measure!r}: use count or dollars")
    if not Decimal(0) < target <= Decimal(1):
        raise InputError(f"the Pareto target must be a share in (0, 1], not {target}")
    cohort = claim_cohort(Filters(**{n: getattr(filters, n) for n in Filters.__slots__}))
    query = (
        select(
            Adjustment.root_cause,
            Adjustment.stream,
            func.count(func.distinct(cohort.c.claim_id)).label("claims"),
            func.sum(Adjustment.amount).label("dollars"),
        )
        .join(Adjustment, Adjustment.claim_payment_id == cohort.c.payment_id)
        .where(Adjustment.is_denial.is_(True))
        .group_by(Adjustment.root_cause, Adjustment.stream)
    )
    if filters.stream:
        query = query.where(Adjustment.stream == filters.stream)
    rows: list[tuple[str, str, Decimal, Decimal]] = [
        (
            row.root_cause or "unclassified",
            row.stream or "none",
            to_decimal(row.claims),
            to_decimal(row.dollars),
        )
        for row in session.execute(query)
    ]

    def measured(r: tuple[str, str, Decimal, Decimal]) -> Decimal:
        return r[2] if measure == "count" else r[3]

    rows.sort(key=lambda r: (-measured(r), r[0]))
    total = sum((measured(r) for r in rows), Decimal(0))
    entries: list[ParetoEntry] = []
    running = Decimal(0)
    reached = False
    for cause, stream, claims, dollars in rows:
        value = claims if measure == "count" else dollars
        before = running
        running += value
        share = (value / total).quantize(RATE_PLACES) if total else Decimal(0)
        cumulative = (running / total).quantize(RATE_PLACES) if total else Decimal(0)
        # A cause belongs to the vital few when the target was not yet reached before it.
        vital = not reached and total > 0 and before / total < target
        reached = reached or (total > 0 and running / total >= target)
        entries.append(ParetoEntry(cause, stream, claims, dollars, share, cumulative, vital))
    return ParetoResult(measure=measure, target=target, total=total, entries=entries)
