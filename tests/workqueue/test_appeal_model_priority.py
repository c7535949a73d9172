"""P(recovery) from the appeal-outcome model, the Beta-binomial as fallback (both databases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.outcomes import refresh_priorities
from denialscope.workqueue.priority import Recovery
from denialscope.workqueue.service import sync_work_items
from factories.denied import make_denied_claim

DAY = dt.date(2025, 3, 1)


def test_a_model_estimate_wins_and_the_fallback_stays_in_the_basis(session: Session) -> None:
    make_denied_claim(session, root_cause="medical_necessity", dollars=Decimal(1000), denied_on=DAY)
    make_denied_claim(
        session, root_cause="missing_information", dollars=Decimal(500), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    items = {i.root_cause: i for i in session.scalars(select(WorkItem))}
    beta = {k: (i.p_recovery, i.p_basis) for k, i in items.items()}

    def model(item: WorkItem) -> Recovery | None:
        # scores one root cause only: the other keeps the Beta-binomial
        if item.root_cause == "medical_necessity":
            return Recovery(Decimal("0.8123"), "appeal-outcome model v0001 -> 0.81")
        return None

    refresh_priorities(session, as_of=DAY, appeal_model=model)
    scored = items["medical_necessity"]
    assert scored.p_recovery == Decimal("0.8123")
    old_p = beta["medical_necessity"][0]
    assert old_p is not None
    assert scored.p_basis == (
        f"appeal-outcome model v0001 -> 0.81 (Beta-binomial fallback {old_p:.2f})"
    )
    # expected net follows the model's probability
    assert scored.expected_net is not None and scored.expected_net > Decimal("0.8") * 1000 - 100
    assert (items["missing_information"].p_recovery, items["missing_information"].p_basis) == (
        beta["missing_information"]
    )
