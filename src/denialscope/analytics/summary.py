"""The KPI report: every KPI for one scope, shaped for ``report kpis`` and the dashboard."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.cohort import Filters
from denialscope.analytics.results import Rate
from denialscope.analytics.rework import (
    ReworkConfig,
    appeal_summary,
    load_rework_config,
    no_appeals,
    rework_costs,
)

__all__ = ["kpi_report"]


def _share(numerator: Decimal, denominator: Decimal) -> Rate:
    return Rate(numerator, denominator)


def kpi_report(
    session: Session,
    *,
    filters: Filters = kpis.NO_FILTERS,
    by: str | None = None,
    documentation_causes: frozenset[str] = frozenset(),
    rework: ReworkConfig | None = None,
) -> dict[str, dict[str, Any]]:
    """{group: {kpi: value}} for every KPI of docs/analytics.md (one group "all" without by).

    ``clean_claim_rate`` is None for a group none of whose claims was scrubbed. ``rework``
    holds the labor rates (default: the package's, see :mod:`denialscope.analytics.rework`).
    """
    totals = kpis.cohort_totals(session, filters=filters, by=by)
    streams = kpis.denials_by_stream(session, filters=filters, by=by)
    turned = kpis.overturned(session, filters=filters, by=by)
    categories = kpis.adjustments_by_category(session, filters=filters, by=by)
    revenue = kpis.net_patient_revenue(session, filters=filters, by=by)
    documentation = kpis.documentation_driven_share(
        session, root_causes=documentation_causes, filters=filters, by=by
    )
    correction = kpis.days_to_correct(session, filters=filters, by=by)
    clean = kpis.clean_claim_rate(session, filters=filters, by=by)
    rework_by_group = rework_costs(streams, rework or load_rework_config())
    appeals = appeal_summary(session, filters=filters, by=by)
    zero = Decimal(0)
    out: dict[str, dict[str, Any]] = {}
    for label, t in sorted(totals.items()):
        by_stream = streams.get(label, {})
        clinical = by_stream.get("clinical", {"count": zero, "dollars": zero})
        coding = by_stream.get("coding", {"count": zero, "dollars": zero})
        net = revenue.get(label, zero)
        over = turned.get(label, {"claims": zero, "dollars": zero, "rate": Rate(zero, zero)})
        not_recovered = t["denied_amount"] - over["dollars"]  # type: ignore[operator]
        out[label] = {
            "claims_submitted": int(t["submitted"]),
            "claims_adjudicated": int(t["remitted"]),
            "initial_denials": int(t["denied"]),
            "initial_denial_rate": {
                "count": Rate(t["denied"], t["remitted"]).value,
                "dollars": Rate(t["charges_denied"], t["charges_remitted"]).value,
            },
            "zero_pay_denial_rate": Rate(t["zero_pay"], t["remitted"]).value,
            "partial_pay_denial_rate": Rate(t["partial_pay"], t["remitted"]).value,
            "denied_amount": t["denied_amount"],
            "denials_by_stream": by_stream,
            "overturned": {
                "claims": over["claims"],
                "dollars": over["dollars"],
                "rate": over["rate"].value if isinstance(over["rate"], Rate) else None,
            },
            "contractual_adjustments": categories.get(label, {}).get("contractual", zero),
            "patient_responsibility": categories.get(label, {}).get("patient_share", zero),
            "net_patient_revenue": net,
            "first_pass_yield": Rate(t["first_pass"], t["remitted"]).value,
            # None when no claim in the group went through the scrubber.
            "clean_claim_rate": clean[label].value if label in clean else None,
            "clinical": {
                "denials_pct_of_net_revenue": _share(clinical["dollars"], net).value,
                "avg_dollars_at_risk": _share(clinical["dollars"], clinical["count"]).value,
                "documentation_driven_share": documentation.get(label, Rate(zero, zero)).value,
            },
            "coding": {
                "denial_rate": _share(coding["count"], t["remitted"]).value,
                "days_to_correct": correction.get(label, {}).get("mean_days"),
                "corrected_claims": correction.get(label, {}).get("claims", zero),
            },
            "rework": rework_by_group.get(label, {}),
            "appeals": appeals.get(label) or no_appeals(),
            "denials_not_recovered": not_recovered,
            "denials_not_recovered_pct_of_net_revenue": _share(not_recovered, net).value,
        }
    return out
