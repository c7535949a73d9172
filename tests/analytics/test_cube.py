"""The pre-aggregated cube gives exactly the live figures, and goes stale when data changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.cohort import GROUP_FIELDS, Filters
from denialscope.analytics.cube import cube_can_answer, cube_is_fresh, refresh_cube
from denialscope.remits.models import ClaimPayment
from factories.tiny import Tiny

CASES = [
    Filters(),
    Filters(payer="beta"),
    Filters(department="D1"),
    Filters(facility="F1", service_line="orthopedics"),
    Filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 3, 31)),
    Filters(stream="clinical"),
]


@pytest.mark.parametrize("by", [None, *GROUP_FIELDS])
def test_cube_matches_the_live_query(session: Session, tiny: Tiny, by: str | None) -> None:
    refresh_cube(session)
    session.commit()
    assert cube_is_fresh(session)
    for filters in CASES:
        live = kpis.cohort_totals(session, filters=filters, by=by, use_cube=False)
        assert kpis.cohort_totals(session, filters=filters, by=by) == live, filters
        live_streams = kpis.denials_by_stream(session, filters=filters, by=by, use_cube=False)
        assert kpis.denials_by_stream(session, filters=filters, by=by) == live_streams, filters


def test_cube_answers_only_whole_cells() -> None:
    assert cube_can_answer(Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 2, 28)))
    assert not cube_can_answer(Filters(date_from=dt.date(2025, 1, 2)))
    assert not cube_can_answer(Filters(date_to=dt.date(2025, 2, 27)))
    assert not cube_can_answer(Filters(stream="coding"))
    assert cube_can_answer(Filters(stream="coding"), streams=True)


def test_new_data_makes_the_cube_stale(session: Session, tiny: Tiny) -> None:
    refresh_cube(session)
    session.commit()
    before = kpis.cohort_totals(session)["all"]["remitted"]
    payment = session.get(ClaimPayment, 1)
    assert payment is not None
    session.add(
        ClaimPayment(
            remittance_id=payment.remittance_id,
            claim_id=tiny.claims["C7"],
            seq=1,
            status_code="1",
            payer_responsibility="primary",
            charge=Decimal("70"),
            paid=Decimal("70"),
            adjudicated_at=dt.date(2025, 4, 1),
            denial_type="paid",
        )
    )
    session.commit()
    assert not cube_is_fresh(session)
    assert kpis.cohort_totals(session)["all"]["remitted"] == before + 1  # live, not the cube
