"""The governance page's report is kept until something it reads changes (data, plans)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from denialscope.governance.cache import cached_governance_report, clear_governance_cache
from denialscope.governance.service import create_plan, update_plan
from factories.governance import FEW, build_governance_data


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_governance_cache()
    yield
    clear_governance_cache()


def test_the_report_is_kept_until_the_plans_or_the_data_change(
    engine: Engine, session: Session
) -> None:
    build_governance_data(session)
    settings = dataclasses.replace(FEW, database_url=str(engine.url))
    first = cached_governance_report(session, quarter="2025Q2", settings=settings)
    assert cached_governance_report(session, quarter="2025Q2", settings=settings) is first
    assert first.summary.initial_denials == 5 and first.action_plans == ()

    other = cached_governance_report(session, quarter="2025Q1", settings=settings)
    assert other is not first and other.summary.initial_denials == 5  # 4 + 1 in Q1

    plan = create_plan(
        session, settings=FEW, root_cause="modifier_missing_invalid", owner_role="Coding",
        owner_name="Sam", metric="count", change_pct=Decimal(-40), due_date=dt.date(2025, 12, 31),
    )  # fmt: skip
    session.commit()
    with_plan = cached_governance_report(session, quarter="2025Q2", settings=settings)
    assert [row.id for row in with_plan.action_plans] == [plan.id]

    update_plan(session, plan.id, status="at_risk")
    session.commit()
    updated = cached_governance_report(session, quarter="2025Q2", settings=settings)
    assert updated is not with_plan and updated.action_plans[0].status == "at_risk"

    build_governance_data_more(session)
    grown = cached_governance_report(session, quarter="2025Q2", settings=settings)
    assert grown is not updated
    assert grown.summary.claims_submitted == 12 + 1


def build_governance_data_more(session: Session) -> None:
    """One more paid ALPHA claim submitted in May 2025 (a new claim changes the data)."""
    from denialscope.claims.models import Claim
    from denialscope.orgs.models import Payer
    from denialscope.remits.models import ClaimPayment, Remittance

    alpha = session.query(Payer).filter_by(payer_key="ALPHA").one()
    first = session.query(Claim).order_by(Claim.id).first()
    assert first is not None
    claim = Claim(
        claim_key="G99|1234567893", control_number="G99", kind="837P",
        claim_type="professional", payer_id=alpha.id, department_id=first.department_id,
        facility_id=first.facility_id, service_line="cardiology", total_charge=Decimal(100),
        submitted_at=dt.date(2025, 5, 5),
    )  # fmt: skip
    session.add(claim)
    session.flush()
    remittance = session.query(Remittance).order_by(Remittance.id).first()
    assert remittance is not None
    session.add(
        ClaimPayment(
            remittance_id=remittance.id, claim_id=claim.id, seq=1, status_code="1",
            payer_responsibility="primary", is_reversal=False, charge=Decimal(100),
            paid=Decimal(100), adjudicated_at=dt.date(2025, 5, 20), denial_type="paid",
            is_denial=False, denied_amount=Decimal(0),
        )
    )  # fmt: skip
    session.commit()


def test_the_events_analysis_is_kept_until_an_event_is_registered(
    engine: Engine, session: Session
) -> None:
    from denialscope.analytics.cohort import Filters
    from denialscope.analytics.events import create_event
    from denialscope.governance.cache import EventAnalysis, cached_event_analysis

    build_governance_data(session)
    url = str(engine.url)

    def analysis(filters: Filters | None = None) -> EventAnalysis:
        return cached_event_analysis(
            session, filters=filters or Filters(), level="stream", across="payer",
            window_days=None,
            database_url=url,
        )  # fmt: skip

    empty = analysis()
    assert analysis() is empty
    assert analysis(Filters(payer="BETA")) is not empty  # another scope, another entry
    create_event(session, event_date=dt.date(2025, 4, 1), kind="template", department="D1")
    session.commit()
    registered = analysis()
    assert registered is not empty
    (event,) = registered.events
    assert (event["claims_before"], event["claims_after"]) == (10, 12)
