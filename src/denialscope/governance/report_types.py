"""Typed shapes of the quarterly governance report (``report governance``, its HTML and PDF).

:class:`GovernanceReport` is what :func:`denialscope.governance.report.governance_report`
returns; its ``to_dict`` is the documented ``--format json`` document (docs/analytics.md),
key for key, and what the HTML template reads. The two SVG charts are kept apart
(:class:`GovernanceCharts`): they belong to the page, not to the JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from denialscope.analytics.kpi_types import AppealKpis, ReworkCost
from denialscope.analytics.trends import TrendPoint
from denialscope.governance.service import PlanProgress

__all__ = [
    "GovernanceCharts",
    "GovernanceReport",
    "GovernanceSummary",
    "PlanRow",
    "ScorecardRow",
    "TopCause",
]

Ratio = Decimal | None


@dataclass(frozen=True, slots=True)
class GovernanceSummary:
    """The quarter's cohort: claims, initial denials, their rate and denied dollars."""

    claims_submitted: int
    claims_adjudicated: int
    initial_denials: int
    initial_denial_rate: Ratio
    denied_amount: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "claims_submitted": self.claims_submitted,
            "claims_adjudicated": self.claims_adjudicated,
            "initial_denials": self.initial_denials,
            "initial_denial_rate": self.initial_denial_rate,
            "denied_amount": self.denied_amount,
        }


@dataclass(frozen=True, slots=True)
class TopCause:
    """One of a stream's top root causes with the layer-3 step and owner most denials name."""

    root_cause: str
    claims: Decimal  # as the Pareto counts them
    dollars: Decimal
    share: Decimal
    process_step: str | None = None
    owner_role: str | None = None
    owner_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "root_cause": self.root_cause,
            "claims": self.claims,
            "dollars": self.dollars,
            "share": self.share,
            "process_step": self.process_step,
            "owner_role": self.owner_role,
            "owner_name": self.owner_name,
        }


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One action plan as the report lists it: scope, owner and target as text, progress."""

    id: int
    root_cause: str
    stream: str
    scope: str
    owner: str
    metric: str
    target: str
    due_date: dt.date
    status: str
    notes: str
    progress: PlanProgress

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "root_cause": self.root_cause,
            "stream": self.stream,
            "scope": self.scope,
            "owner": self.owner,
            "metric": self.metric,
            "target": self.target,
            "due_date": self.due_date,
            "status": self.status,
            "notes": self.notes,
            "progress": self.progress.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class ScorecardRow:
    """One payer of the scorecard for contract talks."""

    payer: str
    claims: int
    claims_adjudicated: int
    initial_denial_rate_count: Ratio
    initial_denial_rate_charges: Ratio
    denial_mix: Mapping[str, Ratio]  # every stream: share of the payer's denied claims
    top_root_causes: tuple[str, ...]
    overturn_rate: Ratio
    avg_days_to_pay: Decimal | None
    zero_pay_rate: Ratio

    def to_dict(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "claims": self.claims,
            "claims_adjudicated": self.claims_adjudicated,
            "initial_denial_rate_count": self.initial_denial_rate_count,
            "initial_denial_rate_charges": self.initial_denial_rate_charges,
            "denial_mix": dict(self.denial_mix),
            "top_root_causes": list(self.top_root_causes),
            "overturn_rate": self.overturn_rate,
            "avg_days_to_pay": self.avg_days_to_pay,
            "zero_pay_rate": self.zero_pay_rate,
        }


@dataclass(frozen=True, slots=True)
class GovernanceCharts:
    """The two inline SVG charts of the page (not part of the JSON)."""

    pareto: str
    trend: str

    def to_dict(self) -> dict[str, str]:
        return {"pareto": self.pareto, "trend": self.trend}


@dataclass(frozen=True, slots=True)
class GovernanceReport:
    """Everything the quarterly report shows."""

    quarter: str  # "2025-Q4"
    period_from: dt.date
    period_to: dt.date
    data_as_of: dt.date
    summary: GovernanceSummary
    appeals: AppealKpis
    rework: ReworkCost
    top_root_causes: Mapping[str, tuple[TopCause, ...]]  # every denial stream
    action_plans: tuple[PlanRow, ...]
    trends: Mapping[str, tuple[TrendPoint, ...]]  # month, payer, service_line, facility
    payer_scorecard: tuple[ScorecardRow, ...]
    charts: GovernanceCharts

    def to_dict(self) -> dict[str, Any]:
        """The ``report governance --format json`` document (the charts left out)."""
        return {
            "quarter": self.quarter,
            "period": {"from": self.period_from, "to": self.period_to},
            "data_as_of": self.data_as_of,
            "summary": self.summary.to_dict(),
            "appeals": self.appeals.to_dict(),
            "rework": self.rework.to_dict(),
            "top_root_causes": {
                stream: [cause.to_dict() for cause in causes]
                for stream, causes in self.top_root_causes.items()
            },
            "action_plans": [plan.to_dict() for plan in self.action_plans],
            "trends": {
                by: [point.to_dict() for point in points] for by, points in self.trends.items()
            },
            "payer_scorecard": [row.to_dict() for row in self.payer_scorecard],
        }
