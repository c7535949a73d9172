"""Work items from denials: creation, routing, ranking, learning, outcomes and history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from denialscope.workqueue.details import get_details
from denialscope.workqueue.outcomes import apply_outcomes
from denialscope.workqueue.service import (
    add_note,
    choose_action,
    get_or_raise,
    list_items,
    next_item,
    sync_work_items,
)
from factories.denied import add_payment, make_denied_claim
from factories.rows import work_item_for as _item

D = Decimal
DAY = dt.date(2026, 3, 2)


def test_one_item_per_denied_claim_routed_by_root_cause_and_created_once(
    session: Session,
) -> None:
    clinical = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(900), denied_on=DAY
    )
    coding = make_denied_claim(
        session, root_cause="modifier_missing_invalid", dollars=D(80), denied_on=DAY
    )
    drg = make_denied_claim(
        session, root_cause="drg_apc_dispute", dollars=D(4000), denied_on=DAY, kind="837I"
    )
    owned = make_denied_claim(
        session,
        root_cause="custom_cause",
        dollars=D(50),
        denied_on=DAY,
        owner_role="Physician advisor",
        kind="837I",
    )
    # A second denial of the same claim joins its item instead of making another.
    add_payment(session, clinical, paid=D(0), on=DAY + dt.timedelta(days=40), is_denial=True)

    assert sync_work_items(session=session, as_of=DAY) == 4
    assert sync_work_items(session=session, as_of=DAY) == 0

    queues = {
        p.primary_root_cause: _item(session, p.claim_id).queue
        for p in (clinical, coding, drg, owned)
    }
    assert queues == {
        "medical_necessity": "ur",
        "modifier_missing_invalid": "coding",
        "drg_apc_dispute": "cdi",
        "custom_cause": "physician_advisor",
    }
    item = _item(session, clinical.claim_id)
    assert item.denial_payment_id == clinical.id
    assert item.recommended_action == "appeal_level_1"
    assert item.recommended_reason
    assert [e.kind for e in item.events] == ["created"]


def test_a_big_clinical_denial_near_its_deadline_outranks_a_small_coding_one(
    session: Session,
) -> None:
    as_of = dt.date(2026, 6, 1)
    # Commercial level 1 appeal window is 180 days: 10 days left.
    clinical = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=D(18000),
        denied_on=as_of - dt.timedelta(days=170),
    )
    coding = make_denied_claim(
        session,
        root_cause="modifier_missing_invalid",
        dollars=D(95),
        denied_on=as_of - dt.timedelta(days=2),
    )
    sync_work_items(session=session, as_of=as_of)
    big, small = _item(session, clinical.claim_id), _item(session, coding.claim_id)
    assert big.deadline == as_of + dt.timedelta(days=10)
    assert small.deadline is not None and small.deadline > big.deadline
    assert big.priority is not None and small.priority is not None
    assert big.priority > small.priority
    ranked = [i.id for i in list_items(session=session)]
    assert ranked.index(big.id) < ranked.index(small.id)
    # Expected net recovery is the probability times the dollars less the cost to work it.
    assert big.p_recovery is not None and big.expected_net is not None
    assert big.expected_net < big.p_recovery * big.dollars_at_risk
    assert "prior Beta" in (big.p_basis or "")


def test_a_missed_deadline_sinks_an_item(session: Session) -> None:
    as_of = dt.date(2026, 6, 1)
    late = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=D(5000),
        denied_on=as_of - dt.timedelta(days=400),
    )
    fresh = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=D(1000),
        denied_on=as_of - dt.timedelta(days=5),
    )
    sync_work_items(session=session, as_of=as_of)
    late_item, fresh_item = _item(session, late.claim_id), _item(session, fresh.claim_id)
    assert late_item.priority is not None and fresh_item.priority is not None
    assert late_item.priority < fresh_item.priority


def test_a_later_payment_closes_the_item_as_overturned_and_teaches_p_recovery(
    session: Session,
) -> None:
    first = make_denied_claim(session, root_cause="level_of_care", dollars=D(6000), denied_on=DAY)
    second = make_denied_claim(session, root_cause="level_of_care", dollars=D(6000), denied_on=DAY)
    sync_work_items(session=session, as_of=DAY)
    before = _item(session, second.claim_id).p_recovery
    assert before is not None

    paid_on = DAY + dt.timedelta(days=47)
    add_payment(session, first, paid=D("5875.50"), on=paid_on)
    assert apply_outcomes(session, as_of=paid_on) == 1
    assert apply_outcomes(session, as_of=paid_on) == 0  # nothing new the second time

    closed = _item(session, first.claim_id)
    assert (closed.status, closed.outcome) == ("resolved", "overturned")
    assert closed.recovered_amount == D("5875.50")
    assert closed.cycle_days == 47
    assert closed.events[-1].kind == "outcome"
    after = _item(session, second.claim_id)
    assert after.p_recovery is not None and after.p_recovery > before
    assert "1 of 1 recovered at this payer" in (after.p_basis or "")


def test_an_upheld_appeal_is_recorded_and_the_next_level_depends_on_the_dollars(
    session: Session,
) -> None:
    big = make_denied_claim(session, root_cause="medical_necessity", dollars=D(8000), denied_on=DAY)
    small = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(900), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    for denial in (big, small):
        choose_action(
            session=session,
            item_id=_item(session, denial.claim_id).id,
            action="appeal_level_1",
            actor="pat",
        )
        add_payment(session, denial, paid=D(0), on=DAY + dt.timedelta(days=60), is_denial=True)
    assert apply_outcomes(session, as_of=DAY) == 2
    big_item, small_item = _item(session, big.claim_id), _item(session, small.claim_id)
    assert (big_item.outcome, small_item.outcome) == ("upheld", "upheld")
    assert big_item.recommended_action == "appeal_level_2"
    assert small_item.recommended_action == "write_off"

    # Taking the second level reopens the item at the physician advisor.
    reopened = choose_action(
        session=session, item_id=big_item.id, action="appeal_level_2", actor="pat"
    )
    assert (reopened.status, reopened.outcome) == ("action_chosen", None)
    assert (reopened.appeal_level, reopened.queue) == (2, "physician_advisor")


def test_actions_notes_and_history_say_who_did_what(session: Session) -> None:
    # PR-27: the payer assigned the amount to the patient (coverage ended), so billing is allowed.
    denial = make_denied_claim(
        session,
        root_cause="eligibility_terminated",
        dollars=D(300),
        denied_on=DAY,
        group="PR",
        carc="27",
    )
    sync_work_items(session=session, as_of=DAY)
    item = next_item(session=session, queue="access", user="robin")
    assert item is not None and item.claim_id == denial.claim_id
    assert (item.assigned_to, item.status) == ("robin", "in_review")
    add_note(
        session=session, item_id=item.id, actor="robin", text="called the plan; coverage ended"
    )
    choose_action(session=session, item_id=item.id, action="bill_patient", actor="robin")
    item = get_or_raise(session=session, item_id=item.id)
    assert (item.status, item.outcome) == ("resolved", "billed_to_patient")
    history = get_details(session=session, item_id=item.id).to_dict()["history"]
    assert [(h["actor"], h["kind"]) for h in history] == [
        ("system", "created"),
        ("robin", "assigned"),
        ("robin", "note"),
        ("robin", "action"),
        ("robin", "outcome"),
    ]
    assert next_item(session=session, queue="access", user="kim") is None


def test_kpis_count_worked_appeals_recovery_cost_and_cycle_time(session: Session) -> None:
    from denialscope.analytics.cohort import Filters
    from denialscope.analytics.rework import appeal_summary

    won = make_denied_claim(session, root_cause="medical_necessity", dollars=D(4000), denied_on=DAY)
    lost = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(2000), denied_on=DAY
    )
    fixed = make_denied_claim(session, root_cause="ncci_bundling", dollars=D(100), denied_on=DAY)
    make_denied_claim(session, root_cause="ncci_bundling", dollars=D(100), denied_on=DAY)
    sync_work_items(session=session, as_of=DAY)
    add_payment(session, won, paid=D(3000), on=DAY + dt.timedelta(days=30))
    add_payment(session, lost, paid=D(0), on=DAY + dt.timedelta(days=50), is_denial=True)
    add_payment(session, fixed, paid=D(80), on=DAY + dt.timedelta(days=20))
    apply_outcomes(session, as_of=DAY)
    overall = appeal_summary(session, filters=Filters())["all"]
    # Two clinical appeals decided (the lost one now recommends a write-off: what was
    # pursued is still the level 1 appeal); the coding ones are corrections, not appeals.
    assert (overall["worked"], overall["overturned"], overall["open"]) == (2, 1, 0)
    assert overall["overturn_rate"]["count"] == D("0.5")
    # Net: the won claim allows 3000 of 4000 (ratio 0.75), all of it recovered; no claim was
    # paid clean on its first adjudication, so the lost one's estimate is its charge (2000).
    assert overall["denied_net_decided"] == D("5000")
    assert overall["recovered_net"] == D("3000")
    assert overall["overturn_rate"]["net"] == D("0.6")
    assert overall["corrections"] == {"items": 2, "paid": 1, "recovered_net": D("80")}
    assert overall["mean_cycle_days"] == D(40)
    # UR works both clinical appeals: 60 min x 65/h each.
    assert overall["cost_per_worked"] == D("65.00")
