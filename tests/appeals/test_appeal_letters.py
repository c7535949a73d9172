"""Appeal letters: the right template, merged with the claim and remittance, as a PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from denialscope.appeals.letters import letter_context, render_html, template_for, write_letter
from denialscope.settings import Settings
from denialscope.workqueue.service import sync_work_items
from factories.denied import make_denied_claim
from factories.rows import work_item_for as _item

DAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("root_cause", "template"),
    [
        ("medical_necessity", "medical_necessity"),
        ("level_of_care", "level_of_care"),
        ("length_of_stay", "length_of_stay"),
        ("drg_apc_dispute", "drg_dispute"),
        ("modifier_missing_invalid", "modifier"),
        ("timely_filing", "timely_filing"),
        ("auth_not_obtained", "authorization"),
        ("missing_information", "general"),
    ],
)
def test_each_denial_type_has_its_template(root_cause: str, template: str) -> None:
    assert template_for(root_cause) == template


def test_the_letter_carries_claim_remittance_chronology_argument_and_citations(
    session: Session,
) -> None:
    denial = make_denied_claim(
        session,
        root_cause="level_of_care",
        dollars=Decimal("12500"),
        denied_on=DAY,
        payer_code="MCARE",
        payer_kind="medicare",
        carc="50",
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, denial.claim_id)
    context = letter_context(
        session,
        item,
        argument=["Troponin rose on serial draws."],
        signer="A. Reviewer",
        letter_date=DAY,
    )
    html = render_html(context, template_for(item.root_cause))
    for expected in (
        "inpatient, not observation",
        denial.patient_control_number or "",
        denial.payer_claim_number or "",
        "SYNMEM",  # the member id goes to the payer, who needs it
        "CO-50",
        "$12,500.00",
        "payer denied the claim",
        "Troponin rose on serial draws.",
        "42 CFR 412.3",  # a Medicare reference for level of care
        "A. Reviewer",
    ):
        assert expected in html, expected
    # A commercial payer does not get the Medicare-only references.
    other = make_denied_claim(
        session,
        root_cause="level_of_care",
        dollars=Decimal("900"),
        denied_on=DAY,
        payer_code="COMM",
        payer_kind="commercial",
    )
    sync_work_items(session=session, as_of=DAY)
    html = render_html(letter_context(session, _item(session, other.claim_id)), "level_of_care")
    assert "42 CFR 412.3" not in html
    assert "Write the argument" in html or "Severity of illness" in html


def test_letters_render_to_pdf_and_are_versioned(session: Session) -> None:
    denial = make_denied_claim(
        session, root_cause="medical_necessity", dollars=Decimal(3000), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, denial.claim_id)
    first = write_letter(session, item_id=item.id, actor="pat", letter_date=DAY, draft=True)
    second = write_letter(
        session,
        item_id=item.id,
        actor="pat",
        argument=["Second draft."],
        letter_date=DAY,
        draft=True,
    )
    assert first.content.startswith(b"%PDF-")
    assert len(first.content) > 2000
    assert (first.version, second.version) == (1, 2)
    assert first.template == "medical_necessity"
    assert [e.kind for e in item.events][-2:] == ["letter", "letter"]


def test_an_organization_template_overrides_the_shipped_one(
    session: Session, data_dir: Path
) -> None:
    folder = data_dir / "appeals" / "templates"
    folder.mkdir(parents=True)
    (folder / "modifier.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block subject %}OUR OWN MODIFIER LETTER{% endblock %}'
    )
    denial = make_denied_claim(
        session, root_cause="modifier_missing_invalid", dollars=Decimal(90), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    settings = Settings(data_dir=data_dir, database_url="sqlite://")
    context = letter_context(session, _item(session, denial.claim_id), settings=settings)
    html = render_html(context, "modifier", settings=settings)
    assert "OUR OWN MODIFIER LETTER" in html
    assert "OUR OWN" not in render_html(context, "modifier")  # without settings: shipped
    assert "Services and codes" in html  # the shipped base still lays out the rest
