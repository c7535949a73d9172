"""Recommended actions a compliance officer accepts: no patient billing for the provider's
liability, no appeal past its window, reopenings for Medicare timely filing, pro-fee routing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy.orm import Session

from denialscope.appeals.letters import letter_context, render_html, write_letter
from denialscope.errors import InputError
from denialscope.workqueue.service import choose_action, sync_work_items
from factories.denied import DeniedLine, make_denied_claim
from factories.rows import work_item_for as _item

DAY = dt.date(2026, 3, 2)


# Letters, configuration and loaded tables go to a data dir of the test's own.
pytestmark = pytest.mark.usefixtures("data_dir")


def test_a_co_denial_never_recommends_billing_the_patient(session: Session) -> None:
    # The tree says bill_patient for a non-covered service; only PR or a waiver allows it.
    co = make_denied_claim(
        session, root_cause="coverage_noncovered", dollars=D(400), denied_on=DAY, carc="96"
    )
    pr = make_denied_claim(
        session,
        root_cause="coverage_noncovered",
        dollars=D(400),
        denied_on=DAY,
        carc="96",
        group="PR",
    )
    waived = make_denied_claim(
        session,
        root_cause="coverage_noncovered",
        dollars=D(400),
        denied_on=DAY,
        carc="96",
        lines=[DeniedLine("G0105", D(250), modifiers="GA"), DeniedLine("45380", D(150), "GA")],
    )
    half = make_denied_claim(
        session,
        root_cause="coverage_noncovered",
        dollars=D(400),
        denied_on=DAY,
        carc="96",
        lines=[DeniedLine("G0105", D(250), modifiers="GA"), DeniedLine("45380", D(150))],
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, co.claim_id)
    assert item.recommended_action == "write_off"
    assert item.recommended_reason is not None
    assert "CO-96 is the provider's liability" in item.recommended_reason
    assert _item(session, pr.claim_id).recommended_action == "bill_patient"
    assert _item(session, waived.claim_id).recommended_action == "bill_patient"
    # A waiver on one line does not cover a claim-level denial of both.
    assert _item(session, half.claim_id).recommended_action == "write_off"
    # Nor may a person choose it.
    with pytest.raises(InputError, match="the patient may not be billed"):
        choose_action(session=session, item_id=item.id, action="bill_patient", actor="kim")
    assert item.action is None


def test_an_expired_appeal_becomes_a_reopening_or_a_write_off(session: Session) -> None:
    # Commercial: 180-day level 1 window from the denial, no reopening.
    late = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=D(5000),
        denied_on=DAY - dt.timedelta(days=181),
    )
    on_time = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=D(5000),
        denied_on=DAY - dt.timedelta(days=180),
    )
    # Medicare: 120 days to appeal, a year to reopen.
    medicare = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=D(5000),
        denied_on=DAY - dt.timedelta(days=130),
        payer_code="MCARE",
        payer_kind="medicare",
    )
    sync_work_items(session=session, as_of=DAY)
    expired = _item(session, late.claim_id)
    assert expired.recommended_action == "write_off"
    assert expired.recommended_reason == (
        "the appeal level 1 window closed on 2026-03-01; no appeal or reopening is possible: "
        "write off the balance"
    )
    assert expired.events[-1].kind == "recommendation"
    assert _item(session, on_time.claim_id).recommended_action == "appeal_level_1"
    reopen = _item(session, medicare.claim_id)
    assert reopen.recommended_action == "reopening"
    # Denied 2025-10-23: appeal window to 2026-02-20, reopening until 2026-10-23.
    assert reopen.recommended_reason is not None
    assert "closed on 2026-02-20" in reopen.recommended_reason
    assert "by 2026-10-23" in reopen.recommended_reason
    assert (reopen.deadline, reopen.deadline_kind) == (dt.date(2026, 10, 23), "reopening")


def test_medicare_timely_filing_asks_for_a_reopening_not_a_redetermination(
    session: Session,
) -> None:
    medicare = make_denied_claim(
        session,
        root_cause="timely_filing",
        dollars=D(700),
        denied_on=DAY,
        payer_code="MCARE",
        payer_kind="medicare",
        carc="29",
    )
    commercial = make_denied_claim(
        session, root_cause="timely_filing", dollars=D(700), denied_on=DAY, carc="29"
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, medicare.claim_id)
    assert item.recommended_action == "reopening"
    assert item.recommended_reason is not None
    assert "administrative error" in item.recommended_reason
    assert _item(session, commercial.claim_id).recommended_action == "appeal_level_1"
    html = render_html(letter_context(session, item, letter_date=DAY), "timely_filing")
    assert "Request for reopening" in html
    assert "We do\nnot request a redetermination" in html
    other = render_html(
        letter_context(session, _item(session, commercial.claim_id), letter_date=DAY),
        "timely_filing",
    )
    assert "Appeal of a timely filing denial" in other and "reopening" not in other


def test_the_letter_refuses_an_expired_appeal_unless_forced(session: Session) -> None:
    denial = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(3000), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, denial.claim_id)
    # Commercial level 1: 180 days, so the last day is 2026-08-29.
    assert write_letter(
        session, item_id=item.id, actor="pat", letter_date=dt.date(2026, 8, 29), draft=True
    ).content.startswith(b"%PDF-")
    with pytest.raises(InputError, match=r"closed on 2026-08-29, 1 days before"):
        write_letter(
            session, item_id=item.id, actor="pat", letter_date=dt.date(2026, 8, 30), draft=True
        )
    warnings: list[str] = []
    forced = write_letter(
        session,
        item_id=item.id,
        actor="pat",
        letter_date=dt.date(2026, 8, 30),
        force=True,
        good_cause="The payer's portal was down from 2026-08-25 to 2026-08-30.",
        warn=warnings.append,
        draft=True,
    )
    assert forced.version == 2
    assert len(warnings) == 1 and "closed on 2026-08-29" in warnings[0]
    assert "late_letter" in [e.kind for e in item.events]


def test_the_good_cause_is_printed_in_a_forced_letter(session: Session) -> None:
    denial = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(3000), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    context = letter_context(session, _item(session, denial.claim_id), letter_date=DAY)
    context["good_cause"] = "Portal outage."
    html = render_html(context, "medical_necessity")
    assert "Good cause for a late request" in html and "Portal outage." in html
    context["good_cause"] = None
    assert "Good cause" not in render_html(context, "medical_necessity")


def test_professional_clinical_denials_go_to_the_professional_fee_queue(
    session: Session,
) -> None:
    profee = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(300), denied_on=DAY, kind="837P"
    )
    documentation = make_denied_claim(
        session,
        root_cause="documentation_insufficient",
        dollars=D(300),
        denied_on=DAY,
        kind="837P",
    )
    hospital = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(300), denied_on=DAY, kind="837I"
    )
    sync_work_items(session=session, as_of=DAY)
    assert _item(session, profee.claim_id).queue == "profee"
    assert _item(session, documentation.claim_id).queue == "profee"
    assert _item(session, hospital.claim_id).queue == "ur"
    # A second-level appeal of a professional claim stays with the group, not the hospital's
    # physician advisor.
    item = choose_action(
        session=session,
        item_id=_item(session, profee.claim_id).id,
        action="appeal_level_2",
        actor="x",
    )
    assert item.queue == "profee"


@pytest.mark.parametrize(("days_after", "expected"), [(60, "appeal_level_2"), (61, "write_off")])
def test_the_next_level_after_an_upheld_decision_counts_from_that_decision(
    session: Session, days_after: int, expected: str
) -> None:
    from denialscope.workqueue.outcomes import apply_outcomes
    from factories.denied import add_payment

    denial = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(5000), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, denial.claim_id)
    choose_action(session=session, item_id=item.id, action="appeal_level_1", actor="pat")
    upheld_on = DAY + dt.timedelta(days=90)
    add_payment(session, denial, paid=D(0), on=upheld_on, is_denial=True)
    # Commercial level 2: 60 days from the decision that upheld level 1 (2026-05-31).
    apply_outcomes(session, as_of=upheld_on + dt.timedelta(days=days_after))
    assert item.outcome == "upheld"
    assert item.recommended_action == expected
    if expected == "write_off":
        assert item.recommended_reason is not None
        assert "the appeal level 2 window closed on 2026-07-30" in item.recommended_reason
