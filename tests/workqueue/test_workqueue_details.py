"""The work-queue services the CLI and the web call: typed results, no printing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from denialscope.errors import InputError, NotFoundError
from denialscope.workqueue.config import load_workqueue_config
from denialscope.workqueue.details import act, get_details, list_work, resubmit, take_next
from denialscope.workqueue.schemas import WorkItemSummary
from factories.denied import make_denied_claim

D = Decimal
DAY = dt.date(2026, 3, 2)
CONFIG = load_workqueue_config()


def test_list_work_creates_ranks_and_names_each_claim(session: Session) -> None:
    big = make_denied_claim(session, root_cause="medical_necessity", dollars=D(900), denied_on=DAY)
    make_denied_claim(session, root_cause="modifier_missing_invalid", dollars=D(80), denied_on=DAY)

    rows = list_work(session=session, config=CONFIG)

    assert all(isinstance(r, WorkItemSummary) for r in rows)
    assert [r.root_cause for r in rows] == ["medical_necessity", "modifier_missing_invalid"]
    top = rows[0]
    assert (top.queue, top.stream, top.status, top.dollars_at_risk) == (
        "ur",
        "clinical",
        "new",
        D("900.00"),
    )
    assert top.claim.claim_number == big.claim.control_number
    assert top.claim.payer == "PAYERA TEST PLAN"
    assert top.claim.reason_codes == ("CO-50",)
    assert top.claim.service_from == DAY - dt.timedelta(days=30)
    assert top.claim.billed_amount == D("900.00")
    data = top.to_dict()
    # The documented JSON of `queue list`: money and dates as strings, the claim beside it.
    assert data["dollars_at_risk"] == "900.00"
    assert data["claim_number"] == data["patient_account"] == big.claim.control_number
    assert data["service_from"] == "2026-01-31"
    assert "member_id" not in data and "last_name" not in data
    with pytest.raises(dataclasses.FrozenInstanceError):
        top.queue = "coding"  # type: ignore[misc]
    assert [r.id for r in list_work(session=session, config=CONFIG, queue="coding")] == [rows[1].id]


def test_take_act_and_show_keep_the_history_in_order(session: Session) -> None:
    make_denied_claim(session, root_cause="medical_necessity", dollars=D(900), denied_on=DAY)
    list_work(session=session, config=CONFIG)

    taken = take_next(session=session, queue="ur", user="ana")
    assert taken is not None
    assert (taken.item.assigned_to, taken.item.status) == ("ana", "in_review")
    assert take_next(session=session, queue="ur", user="bo") is None

    after = act(
        session=session,
        config=CONFIG,
        item_id=taken.item.id,
        actor="ana",
        note="called the payer",
        action="appeal_level_1",
        reason="records support the stay",
    )
    assert (after.item.action, after.item.status, after.item.appeal_level) == (
        "appeal_level_1",
        "action_chosen",
        1,
    )
    assert [(h.actor, h.kind, h.detail) for h in after.history] == [
        ("system", "created", "medical_necessity denial of 900.00 routed to ur"),
        ("ana", "assigned", "taken from ur"),
        ("ana", "note", "called the payer"),
        ("ana", "action", "appeal_level_1: records support the stay"),
    ]
    assert get_details(session=session, item_id=taken.item.id).to_dict()["history"][2] == {
        "at": after.history[2].at.isoformat(),
        "actor": "ana",
        "kind": "note",
        "detail": "called the payer",
    }
    with pytest.raises(InputError):
        act(session=session, config=CONFIG, item_id=taken.item.id, actor="ana")
    with pytest.raises(NotFoundError):
        get_details(session=session, item_id=taken.item.id + 1000)


def test_resubmit_without_approval_writes_nothing(session: Session) -> None:
    make_denied_claim(
        session, root_cause="modifier_missing_invalid", dollars=D(80), denied_on=DAY, carc="4"
    )
    (row,) = list_work(session=session, config=CONFIG)

    result = resubmit(session=session, item_id=row.id, actor="cody")

    assert result.content is None and result.filename is None
    assert result.details.item.id == row.id
    assert result.details.fixes and all(f.status == "proposed" for f in result.details.fixes)
    assert result.details.to_dict()["documents"] == []
