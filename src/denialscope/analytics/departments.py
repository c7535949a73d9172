"""Departments compared fairly: denials per 1,000 encounters, raw and case-mix adjusted.

Indirect standardization: each department's expected denials E = Σ over its claims of the
reference model's rate (:mod:`denialscope.analytics.casemix`, fitted on all departments and
never on the department itself). O/E with an exact-enough 95% interval (Byar's Poisson
approximation); funnel-plot limits around 1 at 95% and 99.8% (Spiegelhalter 2005). A
department is flagged only when its 95% interval excludes 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.casemix import FAMILY_NAMES, Cell, drg_band, fit_poisson
from denialscope.analytics.casemix import procedure_family_rank as _family_rank
from denialscope.analytics.cohort import Filters, claim_cohort
from denialscope.claims.models import Claim, ClaimLine
from denialscope.orgs.models import Department

__all__ = ["DepartmentResult", "byar_interval", "department_report", "funnel_limits"]

NO_FILTERS = Filters()
Z95 = 1.959964
Z998 = 3.090232


def byar_interval(observed: int, expected: float, z: float = Z95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval of O, divided by E."""
    if expected <= 0:
        return (math.nan, math.nan)
    if observed == 0:
        low = 0.0
    else:
        o = float(observed)
        low = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    o1 = float(observed + 1)
    high = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return (low / expected, high / expected)


def funnel_limits(expected: float) -> dict[str, float]:
    """Funnel-plot control limits for O/E = 1 at this E (normal approximation to Poisson)."""
    if expected <= 0:
        return {}
    spread = 1 / math.sqrt(expected)
    return {
        "lower_95": max(0.0, 1 - Z95 * spread),
        "upper_95": 1 + Z95 * spread,
        "lower_998": max(0.0, 1 - Z998 * spread),
        "upper_998": 1 + Z998 * spread,
    }


@dataclass(slots=True, frozen=True)
class DepartmentResult:
    department: str
    encounters: int
    denials: int
    per_1000: Decimal
    expected: float
    ratio: float  # O/E
    ci_low: float
    ci_high: float
    flag: str  # "high", "low" or ""
    funnel: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "encounters": self.encounters,
            "denials": self.denials,
            "denials_per_1000": self.per_1000,
            "expected": round(self.expected, 2),
            "expected_per_1000": round(1000 * self.expected / self.encounters, 1)
            if self.encounters
            else None,
            "observed_over_expected": round(self.ratio, 3),
            "ci95": [round(self.ci_low, 3), round(self.ci_high, 3)],
            "flag": self.flag,
            "funnel": {k: round(v, 3) for k, v in self.funnel.items()},
        }


def department_report(session: Session, *, filters: Filters = NO_FILTERS) -> list[DepartmentResult]:
    """Every department with adjudicated claims in scope, highest O/E first."""
    cohort = claim_cohort(filters)
    family = (
        select(ClaimLine.claim_id, func.min(_family_rank()).label("rank"))
        .group_by(ClaimLine.claim_id)
        .subquery("family")
    )
    query = (
        select(
            Department.code,
            Claim.payer_id,
            Claim.claim_type,
            Claim.facility_code,
            Claim.drg,
            family.c.rank,
            func.count().label("n"),
            func.sum(cohort.c.is_denial).label("denied"),
        )
        .select_from(cohort)
        .join(Claim, Claim.id == cohort.c.claim_id)
        .outerjoin(Department, Department.id == Claim.department_id)
        .outerjoin(family, family.c.claim_id == Claim.id)
        .where(cohort.c.remitted == 1)
        .group_by(
            Department.code,
            Claim.payer_id,
            Claim.claim_type,
            Claim.facility_code,
            Claim.drg,
            family.c.rank,
        )
    )
    by_department: dict[str, list[Cell]] = defaultdict(list)
    for row in session.execute(query):
        if row.claim_type == "inpatient":
            kind = drg_band(row.drg)
        else:
            kind = FAMILY_NAMES[(row.rank or len(FAMILY_NAMES)) - 1]
        covariates = (
            str(row.payer_id),
            f"{row.claim_type or '?'}:{row.facility_code or '?'}",
            kind,
        )
        by_department[row.code or "(none)"].append(
            Cell(covariates, int(row.n), int(row.denied or 0))
        )
    model = fit_poisson(cell for cells in by_department.values() for cell in cells)
    results: list[DepartmentResult] = []
    for code, cells in by_department.items():
        n = sum(c.n for c in cells)
        observed = sum(c.denied for c in cells)
        expected = sum(c.n * model.rate(c.covariates) for c in cells)
        ratio = observed / expected if expected > 0 else math.nan
        low, high = byar_interval(observed, expected)
        flag = "high" if low > 1 else "low" if high < 1 else ""
        per_1000 = (Decimal(1000 * observed) / n).quantize(Decimal("0.1")) if n else Decimal(0)
        results.append(
            DepartmentResult(
                code, n, observed, per_1000, expected, ratio, low, high, flag,
                funnel_limits(expected),
            )
        )  # fmt: skip
    results.sort(key=lambda r: (-(r.ratio if not math.isnan(r.ratio) else 0), r.department))
    return results
