"""The real flow: ingest an 837 and its denying 835, work the item, then a paying 835 closes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from denialscope.claims.models import Claim
from denialscope.db.engine import open_database
from denialscope.ingest.service import ingest_paths
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.outcomes import apply_outcomes
from denialscope.workqueue.service import choose_action, sync_work_items
from denialscope.x12.writer import X12Writer

NPI = "1999999984"
SERVICE = dt.date(2026, 1, 12)


def _837(number: str) -> str:
    w = X12Writer(sender="SYNCLINIC", receiver="SYNPAYER", control=1)
    with w.group("HC", version="005010X222A1"), w.transaction("837", guide="005010X222A1"):
        w.segment("BHT", "0019", "00", "B1", "20260114", "0930", "CH")
        w.segment("NM1", "41", "2", "SYNTHETIC CLINIC", "", "", "", "", "46", "SUB01")
        w.segment("PER", "IC", "EDI DESK", "TE", "5550001111")
        w.segment("NM1", "40", "2", "SYNTHETIC PAYER", "", "", "", "", "46", "REC01")
        w.segment("HL", "1", "", "20", "1")
        w.segment("NM1", "85", "2", "SYNTHETIC CLINIC", "", "", "", "", "XX", NPI)
        w.segment("N3", "1 TEST STREET")
        w.segment("N4", "SPRINGFIELD", "MA", "011030000")
        w.segment("REF", "EI", "991234567")
        w.segment("HL", "2", "1", "22", "0")
        w.segment("SBR", "P", "18", "", "", "", "", "", "", "CI")
        w.segment("NM1", "IL", "1", "TESTPATIENT", "ALEX", "", "", "", "MI", "SYNMEM001")
        w.segment("DMG", "D8", "19800115", "F")
        w.segment("NM1", "PR", "2", "ALPHA HEALTH PLAN", "", "", "", "", "PI", "PAYERA")
        w.segment("CLM", number, "2400", "", "", ["11", "B", "1"], "Y", "A", "Y", "Y")
        w.segment("HI", ["ABK", "I209"])
        w.segment("LX", "1")
        w.segment("SV1", ["HC", "93458"], "2400", "UN", "1", "", "", "1")
        w.segment("DTP", "472", "D8", SERVICE.strftime("%Y%m%d"))
    return w.getvalue()


def _835(number: str, *, paid: Decimal, on: dt.date, control: int) -> str:
    w = X12Writer(sender="PAYERA", receiver="SYNCLINIC", control=control)
    day = on.strftime("%Y%m%d")
    with w.group("HP", version="005010X221A1"), w.transaction("835", guide="005010X221A1"):
        w.segment("BPR", "I", paid, "C", "CHK", *[""] * 11, day)
        w.segment("TRN", "1", f"CHK{control:06d}", "1999999999")
        w.segment("DTM", "405", day)
        w.segment("N1", "PR", "ALPHA HEALTH PLAN")
        w.segment("REF", "2U", "PAYERA")
        w.segment("N1", "PE", "SYNTHETIC CLINIC", "XX", NPI)
        w.segment("LX", "1")
        status = "1" if paid else "4"
        w.segment("CLP", number, status, "2400", paid, "0", "12", "PCN0000777", "11", "1")
        if paid < Decimal(2400):
            reason = "45" if paid else "50"
            w.segment("CAS", "CO", reason, Decimal(2400) - paid)
        w.segment("NM1", "QC", "1", "TESTPATIENT", "ALEX", "", "", "", "MI", "SYNMEM001")
        w.segment("DTM", "232", SERVICE.strftime("%Y%m%d"))
    return w.getvalue()


def test_a_paying_remittance_after_the_appeal_closes_the_item(
    migrated_database_url: str, tmp_path: Path
) -> None:
    engine, factory = open_database(migrated_database_url)
    try:
        files = {
            "claim.837": _837("SYNCLM1"),
            "denial.835": _835("SYNCLM1", paid=Decimal(0), on=dt.date(2026, 2, 10), control=2),
            "paid.835": _835("SYNCLM1", paid=Decimal(2050), on=dt.date(2026, 4, 1), control=3),
        }
        for name, text in files.items():
            (tmp_path / name).write_text(text)
        report = ingest_paths(
            [tmp_path / "claim.837", tmp_path / "denial.835"],
            session_factory=factory,
            update_work_queues=False,
        )
        assert all(not f.error for f in report.files), report.to_dict()
        with factory() as session:
            assert sync_work_items(session=session) == 1
            item = session.scalars(select(WorkItem)).one()
            # A professional claim (837P): the group's professional-fee queue, not hospital UR.
            assert (item.stream, item.root_cause, item.queue) == (
                "clinical",
                "medical_necessity",
                "profee",
            )
            assert item.dollars_at_risk == Decimal(2400)
            # SBR09 of the 837 is stored and decides the payer kind.
            assert session.get(Claim, item.claim_id).filing_indicator == "CI"  # type: ignore[union-attr]
            assert (item.payer_kind, item.payer_kind_source) == ("commercial", "filing_indicator")
            choose_action(session=session, item_id=item.id, action="appeal_level_1", actor="pat")
            session.commit()

        ingest_paths([tmp_path / "paid.835"], session_factory=factory, update_work_queues=False)
        with factory() as session:
            assert apply_outcomes(session) == 1
            session.commit()
            item = session.scalars(select(WorkItem)).one()
            assert (item.status, item.outcome) == ("resolved", "overturned")
            assert item.recovered_amount == Decimal(2050)
            assert item.cycle_days == (dt.date(2026, 4, 1) - dt.date(2026, 2, 10)).days
    finally:
        engine.dispose()


def test_ingest_keeps_the_work_queues_up_to_date(
    migrated_database_url: str, tmp_path: Path
) -> None:
    """Without any queue command: the denial becomes an item, the later payment closes it."""
    engine, factory = open_database(migrated_database_url)
    try:
        files = {
            "claim.837": _837("SYNCLM2"),
            "denial.835": _835("SYNCLM2", paid=Decimal(0), on=dt.date(2026, 2, 10), control=2),
            "paid.835": _835("SYNCLM2", paid=Decimal(2050), on=dt.date(2026, 4, 1), control=3),
        }
        for name, text in files.items():
            (tmp_path / name).write_text(text)
        first = ingest_paths(
            [tmp_path / "claim.837", tmp_path / "denial.835"], session_factory=factory
        )
        assert (first.work_items_created, first.work_items_closed) == (1, 0)
        with factory() as session:
            item = session.scalars(select(WorkItem)).one()
            choose_action(session=session, item_id=item.id, action="appeal_level_1", actor="pat")
            session.commit()
        second = ingest_paths([tmp_path / "paid.835"], session_factory=factory)
        assert (second.work_items_created, second.work_items_closed, second.work_queue_error) == (
            0,
            1,
            None,
        )
        with factory() as session:
            item = session.scalars(select(WorkItem)).one()
            assert (item.status, item.outcome) == ("resolved", "overturned")
    finally:
        engine.dispose()
