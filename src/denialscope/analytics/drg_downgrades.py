"""DRG downgrades: the payer paid a lower MS-DRG (835 CLP11) than the hospital billed (837I HI DR).

A downgrade is a clinical-validation or coding denial that never shows as a zero payment: the
stay is paid, only at a lighter DRG. This module lists them by payer and billed DRG, with the
dollars they cost.

Basis of the dollar difference. The 835 does not state what the billed DRG would have paid, so
it is estimated from the claim's own payment and the MS-DRG relative weights (FY2026 table
shipped in ``denialscope.reference``, the same table for both DRGs so the ratio is consistent):

    DRG payment        = CLP04 paid + CLP05 patient responsibility   (what the payer allowed)
    implied base rate  = DRG payment / weight of the payer's DRG
    dollar difference  = implied base rate x (billed weight - payer weight)

so a stay paid $10,000 at weight 1.0 that was billed at weight 1.5 lost $5,000. Outlier and
add-on payments are scaled with the base rate (an approximation: they do not follow the
weight); a zero payment (the stay denied outright) has no rate, so its difference is unknown,
and so is a DRG missing from the table. The payer's own CAS denial amount on the payment is
reported next to the estimate (``denied``).

Which adjudication: the initial one by the primary payer, as every denial KPI (see
:func:`denialscope.analytics.cohort.initial_payment_condition`); a downgrade overturned on
appeal is still a downgrade.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort
from denialscope.analytics.results import Rate, to_decimal
from denialscope.claims.models import Claim
from denialscope.errors import InputError
from denialscope.orgs.models import Payer
from denialscope.reference import msdrg_weights
from denialscope.remits.models import ClaimPayment

__all__ = [
    "DOLLAR_BASIS",
    "DrgChange",
    "DrgDowngradeGroup",
    "DrgDowngradeReport",
    "drg_downgrades",
    "normalize_drg",
]

CENTS = Decimal("0.01")
DOLLAR_BASIS = (
    "(CLP04 paid + CLP05 patient responsibility) / payer DRG weight x "
    "(billed DRG weight - payer DRG weight), FY2026 MS-DRG weights"
)
NO_FILTERS = Filters()


def normalize_drg(value: str | None) -> str | None:
    """``"65"`` and ``" 065"`` are DRG 065; blanks are no DRG."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    return text.zfill(3) if text.isdigit() else text.upper()


@dataclass(slots=True, frozen=True)
class DrgChange:
    """One claim whose initial adjudication carries another DRG than the billed one."""

    claim_id: int
    control_number: str
    payer: str
    billed_drg: str
    payer_drg: str
    billed_weight: Decimal | None
    payer_weight: Decimal | None
    paid: Decimal
    denied: Decimal
    difference: Decimal | None  # estimated dollars lost (positive) on DOLLAR_BASIS

    @property
    def direction(self) -> str:
        """``down`` (lighter DRG paid), ``up`` (heavier) or ``unknown`` (a weight missing)."""
        if self.billed_weight is None or self.payer_weight is None:
            return "unknown"
        return "down" if self.payer_weight < self.billed_weight else "up"

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "control_number": self.control_number,
            "payer": self.payer,
            "billed_drg": self.billed_drg,
            "payer_drg": self.payer_drg,
            "direction": self.direction,
            "billed_weight": self.billed_weight,
            "payer_weight": self.payer_weight,
            "paid": self.paid,
            "denied": self.denied,
            "difference": self.difference,
        }


@dataclass(slots=True)
class DrgDowngradeGroup:
    """One payer and billed DRG: how often it was paid lower, and what that cost."""

    payer: str
    billed_drg: str
    drg_claims: int = 0  # initial adjudications carrying a payer DRG
    downgrades: int = 0
    weight_lost: Decimal = Decimal(0)
    difference: Decimal = Decimal(0)  # summed over downgrades whose difference is known
    unpriced: int = 0  # downgrades without a dollar estimate (zero paid, unknown weight)
    denied: Decimal = Decimal(0)
    payer_drgs: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> Rate:
        return Rate(Decimal(self.downgrades), Decimal(self.drg_claims))

    def to_dict(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "billed_drg": self.billed_drg,
            "drg_claims": self.drg_claims,
            "downgrades": self.downgrades,
            "downgrade_rate": self.rate.value,
            "paid_as": ", ".join(f"{d} ({n})" for d, n in self.payer_drgs.most_common()),
            "weight_lost": self.weight_lost,
            "difference": self.difference,
            "unpriced": self.unpriced,
            "denied": self.denied,
        }


@dataclass(slots=True, frozen=True)
class DrgDowngradeReport:
    groups: list[DrgDowngradeGroup]  # with at least one downgrade, largest difference first
    changes: list[DrgChange]  # every claim paid at another DRG (down, up or unknown)
    drg_claims: int
    # One row per payer with DRG-paid stays (billed_drg "(all)"; paid_as "billed>paid"),
    # payers that never downgrade included: their 0% is the comparison.
    payers: list[DrgDowngradeGroup] = field(default_factory=list)

    @property
    def downgrades(self) -> list[DrgChange]:
        return [c for c in self.changes if c.direction == "down"]

    @property
    def total_difference(self) -> Decimal:
        return sum((c.difference or Decimal(0) for c in self.downgrades), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        downgrades = self.downgrades
        return {
            "basis": DOLLAR_BASIS,
            "drg_claims": self.drg_claims,
            "downgrades": len(downgrades),
            "downgrade_rate": Rate(Decimal(len(downgrades)), Decimal(self.drg_claims)).value,
            "upgrades": sum(1 for c in self.changes if c.direction == "up"),
            "unknown_weight": sum(1 for c in self.changes if c.direction == "unknown"),
            "total_difference": self.total_difference,
            "groups": [g.to_dict() for g in self.groups],
            "payers": [g.to_dict() for g in self.payers],
            "claims": [c.to_dict() for c in self.changes],
        }


def _difference(billed: Decimal | None, payer: Decimal | None, allowed: Decimal) -> Decimal | None:
    if billed is None or payer is None or not payer or allowed <= 0:
        return None
    return (allowed / payer * (billed - payer)).quantize(CENTS, ROUND_HALF_EVEN)


def drg_downgrades(session: Session, *, filters: Filters = NO_FILTERS) -> DrgDowngradeReport:
    """Inpatient claims whose initial adjudication paid another DRG than billed, by payer/DRG."""
    if filters.stream:
        raise InputError("DRG downgrades are not split by stream: leave out --stream")
    weights = msdrg_weights()
    cohort = claim_cohort(filters)
    query = (
        select(
            Claim.id,
            Claim.control_number,
            Claim.drg.label("billed_drg"),
            Payer.name,
            Payer.payer_key,
            ClaimPayment.drg.label("payer_drg"),
            ClaimPayment.paid,
            ClaimPayment.patient_responsibility,
            ClaimPayment.denied_amount,
        )
        .join(cohort, cohort.c.claim_id == Claim.id)
        .join(ClaimPayment, ClaimPayment.id == cohort.c.payment_id)
        .outerjoin(Payer, Payer.id == Claim.payer_id)
        .where(Claim.drg.is_not(None), ClaimPayment.drg.is_not(None))
        .order_by(Claim.id)
    )
    groups: dict[tuple[str, str], DrgDowngradeGroup] = {}
    changes: list[DrgChange] = []
    drg_claims = 0
    for row in session.execute(query):
        billed, paid_drg = normalize_drg(row.billed_drg), normalize_drg(row.payer_drg)
        if billed is None or paid_drg is None:
            continue
        drg_claims += 1
        payer = row.name or row.payer_key or "(unknown payer)"
        group = groups.setdefault((payer, billed), DrgDowngradeGroup(payer, billed))
        group.drg_claims += 1
        if billed == paid_drg:
            continue
        high = weights[billed].weight if billed in weights else None
        low = weights[paid_drg].weight if paid_drg in weights else None
        paid = to_decimal(row.paid)
        allowed = paid + to_decimal(row.patient_responsibility)
        change = DrgChange(
            claim_id=row.id,
            control_number=row.control_number,
            payer=payer,
            billed_drg=billed,
            payer_drg=paid_drg,
            billed_weight=high,
            payer_weight=low,
            paid=paid,
            denied=to_decimal(row.denied_amount),
            difference=_difference(high, low, allowed),
        )
        changes.append(change)
        if change.direction != "down":
            continue
        group.downgrades += 1
        group.payer_drgs[paid_drg] += 1
        group.denied += change.denied
        assert high is not None and low is not None  # direction "down" has both weights
        group.weight_lost += high - low
        if change.difference is None:
            group.unpriced += 1
        else:
            group.difference += change.difference
    ranked = sorted(
        (g for g in groups.values() if g.downgrades),
        key=lambda g: (-g.difference, -g.downgrades, g.payer, g.billed_drg),
    )
    return DrgDowngradeReport(ranked, changes, drg_claims, _by_payer(groups.values()))


def _by_payer(groups: Iterable[DrgDowngradeGroup]) -> list[DrgDowngradeGroup]:
    totals: dict[str, DrgDowngradeGroup] = {}
    for g in groups:
        total = totals.setdefault(g.payer, DrgDowngradeGroup(g.payer, "(all)"))
        total.drg_claims += g.drg_claims
        total.downgrades += g.downgrades
        total.weight_lost += g.weight_lost
        total.difference += g.difference
        total.unpriced += g.unpriced
        total.denied += g.denied
        for paid, n in g.payer_drgs.items():
            total.payer_drgs[f"{g.billed_drg}>{paid}"] += n
    return sorted(totals.values(), key=lambda g: (-g.difference, -g.downgrades, g.payer))
