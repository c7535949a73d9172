"""The KPIs added to ``kpi_report``: rework cost per claim and the appeal KPIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters
from denialscope.analytics.netbasis import net_basis
from denialscope.analytics.rework import load_rework_config
from denialscope.analytics.summary import kpi_report
from denialscope.claims.models import Claim
from denialscope.errors import ConfigurationError
from denialscope.remits.models import ClaimPayment
from denialscope.settings import Settings
from denialscope.workqueue.config import load_workqueue_config
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.priority import work_cost


def test_default_rates_and_an_override(tmp_path: Path) -> None:
    defaults = load_rework_config()
    # One touch: minutes / 60 x the role's hourly cost; a stream's rework: Σ touches.
    assert defaults.queue_cost("coding") == Decimal("15.00")  # 20 min at $45/h
    assert defaults.queue_cost("billing") == Decimal("8.00")  # 15 min at $32/h
    assert defaults.queue_cost("profee") == Decimal("24.00")  # 30 min at $48/h
    assert defaults.cost_per_claim("coding") == Decimal("46.00")  # 2 x 15 + 2 x 8
    assert defaults.cost_per_claim("clinical") == Decimal("110.00")  # UR 65 + CDI 45
    assert defaults.cost_per_claim("access") == Decimal("29.34")  # 2 x 10.67 + 8
    assert defaults.cost_per_claim("billing") == Decimal("32.00")  # 4 x 8
    # The work queue prices a worked item from the very same rates.
    queue = load_workqueue_config()
    assert work_cost(queue, "coding") == defaults.queue_cost("coding")
    (tmp_path / "workqueue.yaml").write_text(
        "work_cost:\n"
        "  roles: {coder: {hourly_cost: 60}, billing_specialist: {hourly_cost: 30}}\n"
        "  queues: {coding: {role: coder, minutes: 30}, billing: {role: billing_specialist,"
        " minutes: 10}}\n"
        "  streams: {coding: {coding: 1, billing: 1}}\n",
        encoding="utf-8",
    )
    own = load_rework_config(settings=Settings(data_dir=tmp_path, database_url="sqlite://"))
    assert own.cost_per_claim("coding") == Decimal("35.00")  # 30.00 + 5.00
    assert work_cost(load_workqueue_config(override=tmp_path / "workqueue.yaml"), "coding") == (
        Decimal("30.00")
    )
    (tmp_path / "workqueue.yaml").write_text(
        "work_cost:\n  roles: {coder: {hourly_cost: 60}}\n"
        "  queues: {coding: {role: nobody, minutes: 30}}\n  streams: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match=r"work_cost\.queues\.coding\.role"):
        load_rework_config(settings=Settings(data_dir=tmp_path, database_url="sqlite://"))


def _work_items(session: Session) -> None:
    """Three ALPHA modifier denials of 2025-Q1 (each $100 at risk) get work items."""
    rows = session.execute(
        select(Claim.id, ClaimPayment.id, ClaimPayment.adjudicated_at)
        .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
        .where(
            ClaimPayment.primary_root_cause == "modifier_missing_invalid",
            Claim.submitted_at < dt.date(2025, 4, 1),
        )
        .order_by(Claim.id)
    ).all()
    outcomes = [
        # outcome, recovered, submitted after denial (days), resolved after denial (days)
        ("overturned", Decimal("100"), 10, 40),
        ("upheld", Decimal("0"), 20, 50),
        (None, None, None, None),
    ]
    for (claim_id, payment_id, denied_on), spec in zip(rows, outcomes, strict=False):
        outcome, recovered, sent, done = spec
        session.add(
            WorkItem(
                claim_id=claim_id,
                denial_payment_id=payment_id,
                queue="coding",
                stream="coding",
                root_cause="modifier_missing_invalid",
                dollars_at_risk=Decimal("100"),
                denied_on=denied_on,
                outcome=outcome,
                action="appeal_level_1",  # chosen by a person: these are appeals
                recovered_amount=recovered,
                submitted_on=denied_on + dt.timedelta(days=sent) if sent else None,
                resolved_on=denied_on + dt.timedelta(days=done) if done else None,
                cycle_days=done,
            )
        )
    session.commit()


def _appealed(session: Session) -> list[int]:
    return list(session.scalars(select(WorkItem.claim_id).order_by(WorkItem.id)))


def test_kpi_report_has_rework_and_appeals(governed: Session) -> None:
    _work_items(governed)
    report = kpi_report(session=governed, by="quarter")
    q1, q2 = report["2025-Q1"], report["2025-Q2"]
    # Q1: 4 coding denials x $46, 1 clinical x $110.
    assert q1["rework"]["reworked_claims"]["coding"] == 4
    assert q1["rework"]["rework_cost"]["coding"] == Decimal("184.00")
    assert q1["rework"]["rework_cost"]["clinical"] == Decimal("110.00")
    assert q1["rework"]["total_cost"] == Decimal("294.00")
    appeals = q1["appeals"]
    assert (appeals["volume"], appeals["worked"], appeals["open"]) == (2, 2, 1)
    assert appeals["overturn_rate"]["count"] == Decimal("0.5")
    # Net basis: the overturned appeal recovers all of its denied net, the upheld one none.
    net = net_basis(governed, filters=Filters(payer="ALPHA"))["all"].claims
    first, second = (net[claim_id][0] for claim_id in _appealed(governed)[:2])
    assert appeals["denied_net_decided"] == first + second
    assert appeals["recovered_net"] == first
    assert appeals["overturn_rate"]["net"] == (first / (first + second)).quantize(
        Decimal("0.000001")
    )
    assert appeals["recovery_per_worked"] == (first / 2).quantize(Decimal("0.01"))
    assert appeals["cost_per_worked"] == Decimal("15.00")  # coding queue: 20 min at $45/h
    assert appeals["mean_days_denial_to_appeal"] == Decimal("15.0")  # (10 + 20) / 2
    assert appeals["mean_days_denial_to_resolution"] == Decimal("45.0")
    assert q2["appeals"]["worked"] == 0 and q2["appeals"]["overturn_rate"]["count"] is None
    beta = kpi_report(session=governed, filters=Filters(payer="BETA"))["all"]["appeals"]
    assert beta["volume"] == 0


def test_one_role_rate_changes_alone(tmp_path: Path) -> None:
    (tmp_path / "workqueue.yaml").write_text(
        "work_cost:\n  roles:\n    utilization_review_nurse: {hourly_cost: 70}\n"
        "  queues:\n    ur: {role: utilization_review_nurse, minutes: 75}\n",
        encoding="utf-8",
    )
    own = load_rework_config(settings=Settings(data_dir=tmp_path, database_url="sqlite://"))
    assert own.queue_cost("ur") == Decimal("87.50")  # 75 min at $70/h
    assert own.cost_per_claim("clinical") == Decimal("132.50")  # + CDI 45 unchanged
    assert own.cost_per_claim("coding") == Decimal("46.00")


def test_the_payer_scorecard_shows_the_one_overturn_rate(governed: Session) -> None:
    from denialscope.governance.report import governance_report

    _work_items(governed)
    report = governance_report(governed, quarter="2025-Q1", min_claims=1)
    alpha = next(row for row in report.payer_scorecard if row.payer == "ALPHA HEALTH")
    # The same HFMA rate as `report kpis`: 1 overturned of 2 decided appeals.
    assert alpha.overturn_rate == Decimal("0.5")
    assert "initial_denial_rate_charges" in alpha.to_dict()
