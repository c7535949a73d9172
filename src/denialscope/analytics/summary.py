"""The KPI report: every KPI for one scope, shaped for ``report kpis`` and the dashboard."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.cohort import Filters
from denialscope.analytics.frontend import FrontEnd, acknowledgments_loaded, front_end
from denialscope.analytics.kpi_types import (
    AppealKpis,
    ClinicalKpis,
    CodingKpis,
    KpiGroup,
    ReworkCost,
    StreamDenials,
)
from denialscope.analytics.netbasis import NetGroup, net_basis
from denialscope.analytics.results import Rate
from denialscope.analytics.rework import (
    ReworkConfig,
    appeal_summary,
    no_appeals,
    rework_costs,
)

if TYPE_CHECKING:
    from denialscope.workqueue.config import WorkqueueConfig

__all__ = ["kpi_groups", "kpi_report"]

_NO_FRONT_END = FrontEnd(
    rejected=0, first_pass_yield=Rate(Decimal(0), Decimal(0)), clean_claim_rate=None
)


def _share(numerator: Decimal, denominator: Decimal) -> Rate:
    return Rate(numerator, denominator)


def kpi_report(
    *,
    session: Session,
    filters: Filters = kpis.NO_FILTERS,
    by: str | None = None,
    documentation_causes: frozenset[str] = frozenset(),
    rework: ReworkConfig | None = None,
    workqueue: WorkqueueConfig | None = None,
) -> dict[str, dict[str, Any]]:
    """{group: {kpi: value}}: the JSON form of :func:`kpi_groups` (docs/analytics.md)."""
    groups = kpi_groups(
        session,
        filters=filters,
        by=by,
        documentation_causes=documentation_causes,
        rework=rework,
        workqueue=workqueue,
    )
    return {label: group.to_dict() for label, group in groups.items()}


def kpi_groups(
    session: Session,
    *,
    filters: Filters = kpis.NO_FILTERS,
    by: str | None = None,
    documentation_causes: frozenset[str] = frozenset(),
    rework: ReworkConfig | None = None,
    workqueue: WorkqueueConfig | None = None,
    net: dict[str, NetGroup] | None = None,
) -> dict[str, KpiGroup]:
    """Every KPI of docs/analytics.md per group (one group "all" without by), typed.

    Dollar figures name their basis: ``..._charges`` (gross billed charges) or ``..._net``
    (expected net reimbursement, :mod:`denialscope.analytics.netbasis`).
    ``clean_claim_rate`` is None for a group none of whose claims was scrubbed, and
    ``clean_claim_rate_note`` says why (or what it includes). ``rework``
    holds the labor rates (default: those of ``workqueue``, the work-queue configuration,
    itself by default the package's, see :mod:`denialscope.analytics.rework`). ``net``: the
    :func:`net_basis` of these filters and grouping when the caller has it already.
    """
    totals = kpis.cohort_totals(session, filters=filters, by=by)
    streams = kpis.denials_by_stream(session, filters=filters, by=by)
    dupes = kpis.duplicates(session, filters=filters, by=by)
    if net is None:
        net = net_basis(session, filters=filters, by=by)
    categories = kpis.adjustments_by_category(session, filters=filters, by=by)
    documentation = kpis.documentation_driven_share(
        session, root_causes=documentation_causes, filters=filters, by=by
    )
    correction = kpis.days_to_correct(session, filters=filters, by=by)
    acks = acknowledgments_loaded(session)
    front = front_end(session, filters=filters, by=by)
    if workqueue is None:
        from denialscope.workqueue.config import load_workqueue_config

        workqueue = load_workqueue_config()
    rework_by_group = rework_costs(streams, rework or workqueue.work_cost)
    claim_net: dict[int, tuple[Decimal, Decimal]] = {}
    for group in net.values():
        claim_net.update(group.claims)
    appeals = appeal_summary(
        session, filters=filters, by=by, claim_net=claim_net, workqueue=workqueue
    )
    zero = Decimal(0)
    none = StreamDenials(zero, zero, zero)
    out: dict[str, KpiGroup] = {}
    for label, t in sorted(totals.items()):
        n = net.get(label) or NetGroup()
        by_stream = _streams(streams.get(label, {}), n)
        clinical = by_stream.get("clinical", none)
        coding = by_stream.get("coding", none)
        dup = dupes.get(label, {"claims": zero, "charges": zero})
        fe = front.get(label)
        clean_rate = fe.clean_claim_rate if fe else None
        out[label] = KpiGroup(
            claims_submitted=int(t["submitted"]),
            claims_adjudicated=int(t["remitted"]),
            initial_denials=int(t["denied"]),
            initial_denial_rate_count=Rate(t["denied"], t["remitted"]).value,
            initial_denial_rate_charges=Rate(t["charges_denied"], t["charges_remitted"]).value,
            duplicate_claims=int(dup["claims"]),
            duplicate_charges=dup["charges"],
            zero_pay_denial_rate=Rate(t["zero_pay"], t["remitted"]).value,
            partial_pay_denial_rate=Rate(t["partial_pay"], t["remitted"]).value,
            denied_charges=t["denied_amount"],
            denied_net=n.denied_net,
            net_basis_claims_allowed=n.claims_allowed_basis,
            net_basis_claims_estimated=n.claims_estimated,
            net_basis_net_estimated=n.denied_net_estimated,
            denials_by_stream=by_stream,
            overturned_claims_full=n.overturned_full,
            overturned_claims_partly=n.overturned_partly,
            overturned_recovered_net=n.recovered_net,
            overturned_recovered_pct_of_denied_net=_share(n.recovered_net, n.denied_net).value,
            contractual_adjustments=categories.get(label, {}).get("contractual", zero),
            patient_responsibility=categories.get(label, {}).get("patient_share", zero),
            net_patient_service_revenue=n.npsr,
            # With 999/277CA acknowledgments loaded a front-end rejection is no first pass.
            first_pass_yield=(fe.first_pass_yield if fe else Rate(zero, zero)).value,
            acknowledgments_loaded=acks,
            front_end_rejected_claims=fe.rejected if fe else 0,
            clean_claim_rate=clean_rate.value if clean_rate is not None else None,
            clean_claim_rate_note=(fe or _NO_FRONT_END).clean_claim_note(acks),
            clinical=ClinicalKpis(
                denied_net_pct_of_npsr=_share(clinical.net, n.npsr).value,
                avg_net_at_risk=_share(clinical.net, clinical.count).value,
                avg_charges_at_risk=_share(clinical.charges, clinical.count).value,
                documentation_driven_share=documentation.get(label, Rate(zero, zero)).value,
            ),
            coding=CodingKpis(
                denial_rate=_share(coding.count, t["remitted"]).value,
                days_to_correct=correction.get(label, {}).get("mean_days"),
                corrected_claims=correction.get(label, {}).get("claims", zero),
            ),
            rework=ReworkCost.of(rework_by_group.get(label, {})),
            appeals=AppealKpis.of(appeals.get(label) or no_appeals()),
            denial_write_off_net=n.written_off_net,
            denials_open_net=n.open_net,
            denial_write_off_pct_of_npsr=_share(n.written_off_net, n.npsr).value,
        )
    return out


def _streams(charges: dict[str, dict[str, Decimal]], net: NetGroup) -> dict[str, StreamDenials]:
    """Per stream: claims, denied charges and denied net (the claim's ratio applied)."""
    return {
        stream: StreamDenials(
            count=values["count"],
            charges=values["dollars"],
            net=net.streams.get(stream, {}).get("net", Decimal(0)),
        )
        for stream, values in charges.items()
    }
