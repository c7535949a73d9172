"""Modifier fixes from the line, the denial and the loaded NCCI tables (hand-built cases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.appeals.corrected import propose_fixes
from denialscope.appeals.modifier_fixes import BundlingLine, modifier_proposals
from denialscope.scrub.ncci import PtpIndex
from denialscope.scrub.refdata import ncci_folder
from denialscope.settings import Settings
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.service import sync_work_items
from factories.denied import DeniedLine, load_ptp, make_denied_claim

DAY = dt.date(2026, 3, 2)


def _line(no: int, code: str, *mods: str, rev: str | None = None) -> BundlingLine:
    return BundlingLine(no, code, tuple(mods), revenue_code=rev, service_date=DAY)


def _ptp(data_dir: Path, rows: list[tuple[str, str, int]], setting: str) -> PtpIndex:
    load_ptp(data_dir, rows, setting)
    return PtpIndex(ncci_folder(data_dir, setting))


def test_indicator_1_allows_59_and_indicator_0_never(data_dir: Path) -> None:
    ptp = _ptp(data_dir, [("29880", "20610", 1), ("29880", "29870", 0)], "practitioner")
    lines = [_line(1, "29880"), _line(2, "20610"), _line(3, "29870")]
    fixes, notes = modifier_proposals(
        root_cause="ncci_bundling", claim_kind="837P", lines=lines, ptp=ptp
    )
    assert [(f.kind, f.line_no, f.proposed) for f in fixes] == [
        ("add_modifier", 2, "59"),
        ("remove_line", 3, None),
    ]
    assert "NCCI pair 29880/20610 allows a modifier (indicator 1)" in fixes[0].reason
    assert notes == [
        "line 1: no NCCI edit with modifier indicator 1 pairs it with another line: 59/X is "
        "not the fix; check the payer's own bundling policy",
        "line 3: NCCI pair 29880/29870 has modifier indicator 0: no modifier may bypass it",
    ]


def test_laterality_comes_before_59(data_dir: Path) -> None:
    ptp = _ptp(data_dir, [("20610", "20610", 1)], "practitioner")
    lines = [_line(1, "20610", "RT"), _line(2, "20610")]
    fixes, _ = modifier_proposals(
        root_cause="modifier_missing_invalid", claim_kind="837P", lines=lines, ptp=ptp
    )
    assert [(f.kind, f.line_no, f.proposed) for f in fixes] == [("add_modifier", 2, "LT")]
    # Neither side marked: the coder picks the side.
    fixes, _ = modifier_proposals(
        root_cause="modifier_missing_invalid",
        claim_kind="837P",
        lines=[_line(1, "20610"), _line(2, "20610")],
        ptp=None,
    )
    assert [(f.kind, f.line_no, f.proposed) for f in fixes] == [
        ("add_modifier", 1, None),
        ("add_modifier", 2, None),
    ]
    assert "RT/LT" in fixes[0].reason


def test_without_ncci_tables_no_59_is_proposed() -> None:
    fixes, notes = modifier_proposals(
        root_cause="modifier_missing_invalid",
        claim_kind="837P",
        lines=[_line(1, "29880"), _line(2, "20610")],
        ptp=None,
    )
    assert fixes == []
    assert notes[1] == (
        "line 2: a 59/X{EPSU} modifier cannot be proposed: no NCCI PTP table is loaded "
        "(denialscope refdata load-ncci DIR)"
    )


def test_packaged_lines_on_an_837i_are_neither_modified_nor_removed(data_dir: Path) -> None:
    ptp = _ptp(data_dir, [("80053", "82947", 0), ("29880", "20610", 0)], "outpatient")
    lines = [
        _line(1, "80053", rev="0301"),
        _line(2, "82947", rev="0301"),
        _line(3, "29880", rev="0360"),
        _line(4, "20610", rev="0360"),
    ]
    fixes, notes = modifier_proposals(
        root_cause="ncci_bundling", claim_kind="837I", lines=lines, ptp=ptp
    )
    assert fixes == []  # no removal on an institutional claim, even for an indicator 0 pair
    assert notes[0].startswith("line 1: packaged under OPPS on an institutional claim")
    assert notes[1].startswith("line 2: packaged under OPPS")
    assert notes[3] == (
        "line 4: NCCI pair 29880/20610 has modifier indicator 0: no modifier may bypass it"
    )


def test_the_proposals_use_the_tables_loaded_in_the_data_dir(
    session: Session, data_dir: Path
) -> None:
    load_ptp(data_dir, [("99213", "93000", 1)], "practitioner")
    denial = make_denied_claim(
        session,
        root_cause="ncci_bundling",
        dollars=Decimal(40),
        denied_on=DAY,
        lines=[DeniedLine("99213", Decimal(120)), DeniedLine("93000", Decimal(40))],
    )
    sync_work_items(session=session, as_of=DAY)
    item = session.scalar(select(WorkItem).where(WorkItem.claim_id == denial.claim_id))
    assert item is not None
    fixes = propose_fixes(
        session, item_id=item.id, settings=Settings(data_dir=data_dir, database_url="sqlite://")
    )
    assert [(f.kind, f.line_no, f.proposed) for f in fixes] == [
        ("add_modifier", 1, "25"),
        ("add_modifier", 2, "59"),
    ]
