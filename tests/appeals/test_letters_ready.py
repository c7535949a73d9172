"""Letters ready to send: every required fact present (or a visible draft), payer-fit arguments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.appeals.letter_facts import LetterFacts, icd10_display
from denialscope.appeals.letters import letter_context, render_html, write_letter
from denialscope.claims.models import Claim
from denialscope.errors import InputError
from denialscope.orgs.models import Payer, Provider
from denialscope.settings import Settings
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.service import sync_work_items
from factories.denied import DeniedLine, make_denied_claim

DAY = dt.date(2026, 3, 2)
FACTS = LetterFacts(
    contact="Denials desk, 555-0100",
    criteria="InterQual 2025 Acute Adult",
    enclosures=["Copy of the remittance advice", "Medical record, 2026-01-30 to 2026-02-02"],
    admission_order="2026-01-30 14:32",
    order_status="inpatient, signed by the attending",
)


def test_icd10_codes_read_as_written_and_once() -> None:
    assert icd10_display(["I509", "i50.9", "R0789", "E11", "", None, "I509"]) == [
        "I50.9",
        "R07.89",
        "E11",
    ]


def _level_of_care(session: Session, *, kind: str, code: str, two_midnight: bool | None) -> int:
    denial = make_denied_claim(
        session,
        root_cause="level_of_care",
        dollars=Decimal(12000),
        denied_on=DAY,
        payer_code=code,
        payer_kind=kind,
        diagnoses=("I509", "I5090", "I509", "N179"),
    )
    payer = session.scalar(select(Payer).where(Payer.payer_id == code))
    assert payer is not None
    payer.appeal_address = "Appeals Unit\nPO Box 1\nTown ST 00000"
    payer.two_midnight = two_midnight
    claim = session.get(Claim, denial.claim_id)
    assert claim is not None
    attending = session.scalar(select(Provider).where(Provider.npi == "1999999992"))
    if attending is None:
        attending = Provider(npi="1999999992", name="DR SYNTHETIC ATTENDING")
        session.add(attending)
        session.flush()
    claim.attending_provider_id = attending.id
    sync_work_items(session=session, as_of=DAY)
    item = session.scalar(select(WorkItem).where(WorkItem.claim_id == denial.claim_id))
    assert item is not None
    return item.id


def _html(session: Session, item_id: int) -> str:
    item = session.get(WorkItem, item_id)
    assert item is not None
    context = letter_context(
        session, item, argument=["Lactate 4.1."], signer="A. Reviewer", facts=FACTS
    )
    return render_html(context, "level_of_care")


def test_a_medicare_level_of_care_letter_is_complete(session: Session) -> None:
    html = _html(session, _level_of_care(session, kind="medicare", code="MCR", two_midnight=None))
    for expected in (
        "Appeals Unit<br>",
        "PO Box 1<br>",
        "level 1 appeal",
        "DR SYNTHETIC ATTENDING (NPI 1999999992)",
        "2026-01-30 14:32",
        "inpatient, signed by the attending",
        "InterQual 2025 Acute Adult",
        "two-midnight benchmark",
        "observation (outpatient) rate",
        "Copy of the remittance advice",
        "Questions: Denials desk, 555-0100",
        "A. Reviewer",
        "Diagnoses (ICD-10-CM): I50.9, I50.90, N17.9</p>",
    ):
        assert expected in html, expected


def test_two_midnight_only_for_medicare_and_plans_that_adopt_it(session: Session) -> None:
    commercial = _level_of_care(session, kind="commercial", code="COM", two_midnight=None)
    adopting = _level_of_care(session, kind="medicare_advantage", code="MAP", two_midnight=True)
    assert "two midnights" not in _html(session, commercial)
    assert "observation (outpatient) rate" in _html(session, commercial)
    assert "two midnights" in _html(session, adopting)


def test_missing_facts_refuse_the_letter_or_show_in_a_draft(
    session: Session, tmp_path: Path
) -> None:
    item_id = _level_of_care(session, kind="medicare", code="MCR", two_midnight=None)
    partial = LetterFacts(contact="Denials desk", enclosures=["Record"])
    with pytest.raises(InputError) as refused:
        write_letter(session, item_id=item_id, actor="pat", letter_date=DAY, facts=partial)
    assert str(refused.value) == (
        f"work item {item_id}: the level_of_care letter cannot be sent without: signer "
        "(--signer); admission order date and time (--admission-order); admission order "
        "status (--order-status); criteria set used (--criteria, e.g. InterQual, MCG, payer "
        "policy); the argument (--argument / --argument-file). Supply them, or use --draft "
        "for a draft with visible placeholders"
    )
    draft = write_letter(
        session, item_id=item_id, actor="pat", letter_date=DAY, facts=partial, draft=True
    )
    assert draft.filename.endswith("-draft.pdf")
    complete = write_letter(
        session,
        item_id=item_id,
        actor="pat",
        letter_date=DAY,
        facts=FACTS,
        signer="A. Reviewer",
        argument=["Lactate 4.1."],
    )
    assert complete.filename == f"appeal-{item_id}-level_of_care.pdf"


def test_a_draft_shows_each_missing_fact(session: Session) -> None:
    from denialscope.appeals.letter_facts import fill_placeholders

    item_id = _level_of_care(session, kind="medicare", code="MCR", two_midnight=None)
    item = session.get(WorkItem, item_id)
    assert item is not None
    context = letter_context(session, item, letter_date=DAY)
    fill_placeholders(context, "level_of_care")
    html = render_html(context, "level_of_care")
    for placeholder in (
        "[missing: signer]",
        "[missing: admission order date and time]",
        "[missing: criteria set used]",
        "[missing: enclosures]",
    ):
        assert placeholder in html, placeholder


def test_the_modifier_letter_needs_a_line_with_the_modifier(session: Session) -> None:
    bare = make_denied_claim(
        session,
        root_cause="modifier_missing_invalid",
        dollars=Decimal(90),
        denied_on=DAY,
        lines=[DeniedLine("20610", Decimal(90))],
    )
    carried = make_denied_claim(
        session,
        root_cause="modifier_missing_invalid",
        dollars=Decimal(90),
        denied_on=DAY,
        lines=[DeniedLine("20610", Decimal(90), modifiers="XS")],
    )
    sync_work_items(session=session, as_of=DAY)

    def item_of(claim_id: int | None) -> WorkItem:
        found = session.scalar(select(WorkItem).where(WorkItem.claim_id == claim_id))
        assert found is not None
        return found

    with pytest.raises(InputError, match="no line of the claim carries a modifier"):
        write_letter(
            session, item_id=item_of(bare.claim_id).id, actor="x", letter_date=DAY, draft=True
        )
    html = render_html(
        letter_context(session, item_of(carried.claim_id), letter_date=DAY), "modifier"
    )
    assert "line 1 (20610) with modifier XS" in html


def test_no_policy_is_cited_without_a_citation(session: Session, data_dir: Path) -> None:
    (data_dir / "appeals").mkdir()
    (data_dir / "appeals" / "references.yaml").write_text("references: []\n")
    denial = make_denied_claim(
        session, root_cause="medical_necessity", dollars=Decimal(900), denied_on=DAY
    )
    sync_work_items(session=session, as_of=DAY)
    item = session.scalar(select(WorkItem).where(WorkItem.claim_id == denial.claim_id))
    assert item is not None
    settings = Settings(data_dir=data_dir, database_url="sqlite://")
    context = letter_context(session, item, letter_date=DAY, facts=FACTS, settings=settings)
    html = render_html(context, "medical_necessity")
    assert "cited below" not in html
    assert "the InterQual 2025 Acute Adult criteria" in html
    context["citations"] = [{"id": "LCD L00001", "title": "t", "source": None, "note": None}]
    assert "the coverage policy cited below" in render_html(context, "medical_necessity")
