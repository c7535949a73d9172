"""Typed shapes of the KPI report (``report kpis``, the dashboard, the web's JSON twin).

One :class:`KpiGroup` per group ("all" without ``--by``). Money is ``Decimal``, rates are
``Decimal`` ratios to six places or ``None`` when their denominator is zero; ``to_dict`` gives
the documented JSON (docs/analytics.md), key for key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "AppealKpis",
    "ClinicalKpis",
    "CodingKpis",
    "KpiGroup",
    "KpiReport",
    "ReworkCost",
    "StreamDenials",
]

Ratio = Decimal | None


@dataclass(frozen=True, slots=True)
class StreamDenials:
    """Initially denied claims of one stream, their denied charges and denied net."""

    count: Decimal
    charges: Decimal
    net: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "charges": self.charges, "net": self.net}


@dataclass(frozen=True, slots=True)
class ClinicalKpis:
    denied_net_pct_of_npsr: Ratio
    avg_net_at_risk: Ratio
    avg_charges_at_risk: Ratio
    documentation_driven_share: Ratio

    def to_dict(self) -> dict[str, Any]:
        return {
            "denied_net_pct_of_npsr": self.denied_net_pct_of_npsr,
            "avg_net_at_risk": self.avg_net_at_risk,
            "avg_charges_at_risk": self.avg_charges_at_risk,
            "documentation_driven_share": self.documentation_driven_share,
        }


@dataclass(frozen=True, slots=True)
class CodingKpis:
    denial_rate: Ratio
    days_to_correct: Decimal | None
    corrected_claims: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "denial_rate": self.denial_rate,
            "days_to_correct": self.days_to_correct,
            "corrected_claims": self.corrected_claims,
        }


@dataclass(frozen=True, slots=True)
class ReworkCost:
    """Rework labor per stream: cost per reworked claim, claims, cost; and the total."""

    cost_per_reworked_claim: Mapping[str, Decimal] = field(default_factory=dict)
    reworked_claims: Mapping[str, Decimal] = field(default_factory=dict)
    rework_cost: Mapping[str, Decimal] = field(default_factory=dict)
    total_cost: Decimal | None = None  # None: no denial to rework in the group

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> ReworkCost:
        """From :func:`denialscope.analytics.rework.rework_costs`' entry of one group."""
        if not data:
            return cls()
        return cls(
            cost_per_reworked_claim=dict(data["cost_per_reworked_claim"]),
            reworked_claims=dict(data["reworked_claims"]),
            rework_cost=dict(data["rework_cost"]),
            total_cost=data["total_cost"],
        )

    def to_dict(self) -> dict[str, Any]:
        if self.total_cost is None:
            return {}
        return {
            "cost_per_reworked_claim": dict(self.cost_per_reworked_claim),
            "reworked_claims": dict(self.reworked_claims),
            "rework_cost": dict(self.rework_cost),
            "total_cost": self.total_cost,
        }


@dataclass(frozen=True, slots=True)
class AppealKpis:
    """The appeal KPIs of :func:`denialscope.analytics.rework.appeal_summary` (HFMA)."""

    volume: int
    worked: int
    open: int
    overturned: int
    overturned_partly: int
    overturn_rate_count: Ratio
    overturn_rate_net: Ratio
    denied_net_decided: Decimal
    recovered_net: Decimal
    recovery_per_worked: Decimal | None
    cost_per_worked: Decimal | None
    mean_cycle_days: Decimal | None
    mean_days_denial_to_appeal: Decimal | None
    mean_days_denial_to_resolution: Decimal | None
    corrections: int
    corrections_paid: int
    corrections_recovered_net: Decimal

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> AppealKpis:
        """From one group of :func:`denialscope.analytics.rework.appeal_summary`."""
        rate, corrections = data["overturn_rate"], data["corrections"]
        return cls(
            volume=data["volume"],
            worked=data["worked"],
            open=data["open"],
            overturned=data["overturned"],
            overturned_partly=data["overturned_partly"],
            overturn_rate_count=rate["count"],
            overturn_rate_net=rate["net"],
            denied_net_decided=data["denied_net_decided"],
            recovered_net=data["recovered_net"],
            recovery_per_worked=data["recovery_per_worked"],
            cost_per_worked=data["cost_per_worked"],
            mean_cycle_days=data["mean_cycle_days"],
            mean_days_denial_to_appeal=data["mean_days_denial_to_appeal"],
            mean_days_denial_to_resolution=data["mean_days_denial_to_resolution"],
            corrections=corrections["items"],
            corrections_paid=corrections["paid"],
            corrections_recovered_net=corrections["recovered_net"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "volume": self.volume,
            "worked": self.worked,
            "open": self.open,
            "overturned": self.overturned,
            "overturned_partly": self.overturned_partly,
            "overturn_rate": {"count": self.overturn_rate_count, "net": self.overturn_rate_net},
            "denied_net_decided": self.denied_net_decided,
            "recovered_net": self.recovered_net,
            "recovery_per_worked": self.recovery_per_worked,
            "cost_per_worked": self.cost_per_worked,
            "mean_cycle_days": self.mean_cycle_days,
            "mean_days_denial_to_appeal": self.mean_days_denial_to_appeal,
            "mean_days_denial_to_resolution": self.mean_days_denial_to_resolution,
            "corrections": {
                "items": self.corrections,
                "paid": self.corrections_paid,
                "recovered_net": self.corrections_recovered_net,
            },
        }


@dataclass(frozen=True, slots=True)
class KpiGroup:
    """Every KPI of docs/analytics.md for one group of claims."""

    claims_submitted: int
    claims_adjudicated: int
    initial_denials: int
    initial_denial_rate_count: Ratio
    initial_denial_rate_charges: Ratio
    duplicate_claims: int
    duplicate_charges: Decimal
    zero_pay_denial_rate: Ratio
    partial_pay_denial_rate: Ratio
    denied_charges: Decimal
    denied_net: Decimal
    net_basis_claims_allowed: int
    net_basis_claims_estimated: int
    net_basis_net_estimated: Decimal
    denials_by_stream: Mapping[str, StreamDenials]
    overturned_claims_full: int
    overturned_claims_partly: int
    overturned_recovered_net: Decimal
    overturned_recovered_pct_of_denied_net: Ratio
    contractual_adjustments: Decimal
    patient_responsibility: Decimal
    net_patient_service_revenue: Decimal
    first_pass_yield: Ratio
    acknowledgments_loaded: bool
    front_end_rejected_claims: int
    clean_claim_rate: Ratio
    clean_claim_rate_note: str
    clinical: ClinicalKpis
    coding: CodingKpis
    rework: ReworkCost
    appeals: AppealKpis
    denial_write_off_net: Decimal
    denials_open_net: Decimal
    denial_write_off_pct_of_npsr: Ratio

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON of one group of ``report kpis``."""
        return {
            "claims_submitted": self.claims_submitted,
            "claims_adjudicated": self.claims_adjudicated,
            "initial_denials": self.initial_denials,
            "initial_denial_rate": {
                "count": self.initial_denial_rate_count,
                "charges": self.initial_denial_rate_charges,
            },
            "duplicates": {"claims": self.duplicate_claims, "charges": self.duplicate_charges},
            "zero_pay_denial_rate": self.zero_pay_denial_rate,
            "partial_pay_denial_rate": self.partial_pay_denial_rate,
            "denied_charges": self.denied_charges,
            "denied_net": self.denied_net,
            "denied_net_basis": {
                "claims_allowed": self.net_basis_claims_allowed,
                "claims_estimated": self.net_basis_claims_estimated,
                "net_estimated": self.net_basis_net_estimated,
            },
            "denials_by_stream": {k: v.to_dict() for k, v in self.denials_by_stream.items()},
            "overturned": {
                "claims_full": self.overturned_claims_full,
                "claims_partly": self.overturned_claims_partly,
                "recovered_net": self.overturned_recovered_net,
                "recovered_pct_of_denied_net": self.overturned_recovered_pct_of_denied_net,
            },
            "contractual_adjustments": self.contractual_adjustments,
            "patient_responsibility": self.patient_responsibility,
            "net_patient_service_revenue": self.net_patient_service_revenue,
            "first_pass_yield": self.first_pass_yield,
            "front_end_rejections": {
                "acknowledgments_loaded": self.acknowledgments_loaded,
                "claims": self.front_end_rejected_claims,
            },
            "clean_claim_rate": self.clean_claim_rate,
            "clean_claim_rate_note": self.clean_claim_rate_note,
            "clinical": self.clinical.to_dict(),
            "coding": self.coding.to_dict(),
            "rework": self.rework.to_dict(),
            "appeals": self.appeals.to_dict(),
            "denial_write_off_net": self.denial_write_off_net,
            "denials_open_net": self.denials_open_net,
            "denial_write_off_pct_of_npsr": self.denial_write_off_pct_of_npsr,
        }


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The KPI groups of one scope: ``by`` None means one group, "all"."""

    by: str | None
    groups: Mapping[str, KpiGroup]

    def to_dict(self) -> dict[str, Any]:
        """``report kpis --format json``: the "all" group, or {"by", "groups"}."""
        if self.by is None:
            group = self.groups.get("all")
            return group.to_dict() if group is not None else {}
        return {"by": self.by, "groups": {k: g.to_dict() for k, g in self.groups.items()}}
