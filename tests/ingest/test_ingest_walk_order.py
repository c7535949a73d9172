"""A folder walk reads claims, then acknowledgments, then remittances, whatever the names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from sqlalchemy import select

from denialscope.claims.models import Claim
from denialscope.ingest.sources import InputFile, discover
from denialscope.remits.models import ClaimPayment
from factories.database import Db, Files
from factories.x12text import Ack277, Clm, Clp, Line, x12_277ca, x12_835, x12_837p

DAY = dt.date(2024, 2, 1)


def _demo_like_folder(files: Files) -> None:
    # Name order would read 835/ first (and "a-..." before "b-..."): the walk must not.
    files.text(
        "835/a-remit.x12",
        x12_835([Clp("PCN-9", "1", D(100), D(80), "P9")], paid_on=dt.date(2024, 3, 1)),
    )
    files.text("ack/a-277.x12", x12_277ca([Ack277("PCN-9", "A1")]))
    files.text("837/b-claims.x12", x12_837p([Clm("PCN-9", [Line("99213", D(100), DAY)])]))
    files.text("notes/readme.txt", "not X12")


def test_discover_orders_a_folder_by_transaction_set(files: Files) -> None:
    _demo_like_folder(files)
    names = [
        Path(item.name).relative_to(files.root).as_posix()
        for item in discover([files.root])
        if isinstance(item, InputFile)
    ]
    # Claims, acknowledgments, what cannot be sniffed (by name), remittances.
    assert names == ["837/b-claims.x12", "ack/a-277.x12", "notes/readme.txt", "835/a-remit.x12"]


def test_a_folder_walk_matches_remits_in_the_same_run(ingest_db: Db, files: Files) -> None:
    _demo_like_folder(files)
    (files.root / "notes" / "readme.txt").unlink()
    report = ingest_db.ingest(files.root)
    assert [f.status for f in report.files] == ["ingested"] * 3, report.to_dict()
    assert report.totals()["matched"] == 1
    assert report.totals()["unmatched"] == 0
    ((claim_id, method),) = ingest_db.rows(select(ClaimPayment.claim_id, ClaimPayment.match_method))
    assert method == "clp01_payer"
    assert claim_id == ingest_db.scalars(select(Claim.id).where(Claim.is_stub.is_(False)))[0]
