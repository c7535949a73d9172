"""The claim page names a claim by its id: never ambiguous, even when another claim's control
number (CLM01) is the same digits, where `denialscope explain 2` would ask which one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from denialscope.claims.models import Claim
from denialscope.db.engine import open_database
from denialscope.denials.explain import AmbiguousClaimError, explain_claim
from denialscope.workqueue.service import sync_work_items
from factories.denied import make_denied_claim
from factories.web import WebClients

DAY = dt.date(2026, 3, 2)


def test_an_id_that_is_also_another_claims_control_number_opens_the_claim_of_that_id(
    web: WebClients,
) -> None:
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            first = make_denied_claim(
                session, root_cause="medical_necessity", dollars=Decimal(100), denied_on=DAY
            )
            second = make_denied_claim(
                session, root_cause="medical_necessity", dollars=Decimal(200), denied_on=DAY
            )
            other = session.get(Claim, first.claim_id)
            assert other is not None
            other.control_number = str(second.claim_id)  # the digits of the second's id
            sync_work_items(session=session, as_of=DAY)
            session.commit()
            with pytest.raises(AmbiguousClaimError):
                explain_claim(session=session, claim=str(second.claim_id))
    finally:
        engine.dispose()
    data = web.as_role("clinical").get(f"/claims/{second.claim_id}.json").json()
    assert data["claim"]["id"] == second.claim_id
    assert data["work_item"]["dollars_at_risk"] == "200.00"
    assert [p["denied_amount"] for p in data["payments"]] == ["200.00"]
