"""Corrected claims: proposals wait for a person; the replacement 837 reads back cleanly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from denialscope.appeals.corrected import propose_fixes, review_fix, write_corrected
from denialscope.errors import InputError
from denialscope.settings import Settings
from denialscope.workqueue.service import sync_work_items
from denialscope.x12.claim837.records import Claim as ClaimRecord
from denialscope.x12.reader import open_x12
from factories.denied import DeniedLine, load_ptp, make_denied_claim
from factories.rows import work_item_for as _item

DAY = dt.date(2026, 3, 2)


def _read(content: bytes, tmp_path: Path) -> ClaimRecord:
    path = tmp_path / "corrected.837"
    path.write_bytes(content)
    with open_x12(path) as reader:
        claims = [r for r in reader if isinstance(r, ClaimRecord)]
        problems = [d for d in reader.diagnostics if d.severity.name in ("ERROR", "WARNING")]
    assert problems == []
    assert len(claims) == 1
    return claims[0]


def test_a_bundling_fix_becomes_a_replacement_claim_that_reads_back(
    session: Session, tmp_path: Path, data_dir: Path
) -> None:
    load_ptp(data_dir, [("99213", "93000", 1)], "practitioner")
    lines = [DeniedLine("99213", Decimal(120)), DeniedLine("93000", Decimal(40), modifiers="76")]
    denial = make_denied_claim(
        session,
        root_cause="ncci_bundling",
        dollars=Decimal(40),
        denied_on=DAY,
        lines=lines,
        diagnoses=("I10", "R0789"),
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, denial.claim_id)
    settings = Settings(data_dir=data_dir, database_url="sqlite://")
    fixes = propose_fixes(session, item_id=item.id, actor="coder", settings=settings)
    assert {(f.kind, f.line_no, f.proposed) for f in fixes} == {
        ("add_modifier", 1, "25"),
        ("add_modifier", 2, "59"),
    }
    assert all(f.status == "proposed" for f in fixes)
    with pytest.raises(InputError, match="no approved fix"):
        write_corrected(session, item_id=item.id, actor="coder")
    assert propose_fixes(session, item_id=item.id) == fixes  # asked again: the same ones

    add = next(f for f in fixes if f.kind == "add_modifier" and f.line_no == 2)
    review_fix(session, fix_id=add.id, approve=True, actor="coder", value="XU")
    document = write_corrected(session, item_id=item.id, actor="coder")
    claim = _read(document.content, tmp_path)
    assert claim.control_number == denial.patient_control_number
    assert claim.frequency == "7"
    assert claim.original_claim_number == denial.payer_claim_number
    assert [(ln.procedure, ln.modifiers, ln.charge) for ln in claim.lines] == [
        ("99213", [], Decimal(120)),
        ("93000", ["76", "XU"], Decimal(40)),
    ]
    assert [c.code for c in claim.codes] == ["I10", "R0789"]
    assert claim.subscriber.party.identifier.startswith("SYNMEM")
    assert (document.kind, document.version) == ("corrected_837", 1)


def test_a_diagnosis_fix_needs_the_coders_code_and_removing_a_line_reprices(
    session: Session, tmp_path: Path
) -> None:
    lines = [DeniedLine("99214", Decimal(200)), DeniedLine("36415", Decimal(15))]
    denial = make_denied_claim(
        session,
        root_cause="unspecified_diagnosis",
        dollars=Decimal(215),
        denied_on=DAY,
        lines=lines,
        diagnoses=("R69",),
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, denial.claim_id)
    (dx,) = [f for f in propose_fixes(session, item_id=item.id) if f.kind == "replace_diagnosis"]
    assert (dx.current, dx.proposed) == ("R69", None)
    with pytest.raises(InputError, match="needs a value"):
        review_fix(session, fix_id=dx.id, approve=True, actor="coder")
    review_fix(session, fix_id=dx.id, approve=True, actor="coder", value="E11.9")
    claim = _read(write_corrected(session, item_id=item.id, actor="coder").content, tmp_path)
    assert [c.code for c in claim.codes] == ["E119"]
    assert claim.total_charge == Decimal(215)


def test_removing_a_line_renumbers_and_reprices(session: Session, tmp_path: Path) -> None:
    # No NCCI table loaded: no 59 is proposed, but dropping a bundled line still is.
    lines = [DeniedLine("93010", Decimal(120)), DeniedLine("93000", Decimal(40))]
    denial = make_denied_claim(
        session, root_cause="ncci_bundling", dollars=Decimal(160), denied_on=DAY, lines=lines
    )
    sync_work_items(session=session, as_of=DAY)
    item = _item(session, denial.claim_id)
    remove = next(
        f
        for f in propose_fixes(session, item_id=item.id)
        if f.kind == "remove_line" and f.line_no == 1
    )
    review_fix(session, fix_id=remove.id, approve=True, actor="coder")
    claim = _read(write_corrected(session, item_id=item.id, actor="coder").content, tmp_path)
    assert [(ln.number, ln.procedure) for ln in claim.lines] == [(1, "93000")]
    assert not [f for f in item.fixes if f.kind == "add_modifier"]
    notes = [e.detail for e in item.events if e.kind == "fix_note"]
    assert notes[0] == (
        "line 1: a 59/X{EPSU} modifier cannot be proposed: no NCCI PTP table is loaded "
        "(denialscope refdata load-ncci DIR)"
    )
    assert claim.total_charge == Decimal(40)
