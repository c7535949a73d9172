"""Ingesting the same content again stores nothing new; the same claim again is a new version."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal as D

from sqlalchemy import select

from denialscope.claims.models import Claim, ClaimLine, ClaimVersion
from denialscope.remits.models import ServicePayment
from denialscope.sources.models import SourceFile
from factories.database import Db, Files
from factories.x12text import OTHER_NPI, Clm, Clp, Line, Svc, x12_835, x12_837p

DAY = dt.date(2024, 2, 1)


def _claim(frequency: str = "1", f8: str | None = None, second_charge: D = D(50)) -> Clm:
    return Clm(
        "PCN-1",
        [
            Line("99213", D(100), DAY, control="L1"),
            Line("80053", second_charge, DAY, control="L2"),
        ],
        frequency=frequency,
        original_payer_claim_number=f8,
    )


def _payment() -> Clp:
    return Clp(
        "PCN-1",
        "1",
        D(150),
        D(120),
        "PAYCLM-1",
        [
            Svc("99213", D(100), D(80), DAY, control="L1"),
            Svc("80053", D(50), D(40), DAY, control="L2"),
        ],
    )


def test_the_same_files_twice_store_nothing_the_second_time(ingest_db: Db, files: Files) -> None:
    claims = files.text("claims.837", x12_837p([_claim()]))
    remit = files.text("remit.835", x12_835([_payment()], paid_on=dt.date(2024, 3, 1)))

    first = ingest_db.ingest(claims, remit)
    assert [f.status for f in first.files] == ["ingested", "ingested"]
    before = ingest_db.counts()
    assert before["claims"] == 1 and before["claim_payments"] == 1

    second = ingest_db.ingest(claims, remit)
    assert [f.status for f in second.files] == ["already_ingested", "already_ingested"]
    assert second.totals()["claims"] == 0 and second.totals()["claim_payments"] == 0
    assert ingest_db.counts() == before


def test_the_same_bytes_under_another_name_or_inside_a_zip_are_already_ingested(
    ingest_db: Db, files: Files
) -> None:
    text = x12_835([_payment()], paid_on=dt.date(2024, 3, 1))
    original = files.text("remit.835", text)
    assert ingest_db.ingest_one(original).status == "ingested"
    before = ingest_db.counts()

    renamed = files.text("copies/renamed.x12", text)
    archive = files.root / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner/remit-copy.txt", text)

    report = ingest_db.ingest(renamed, archive)
    assert [(f.name, f.status) for f in report.files] == [
        (str(renamed), "already_ingested"),
        (f"{archive}!inner/remit-copy.txt", "already_ingested"),
    ]
    assert ingest_db.counts() == before
    assert ingest_db.scalars(select(SourceFile.name)) == [str(original)]


def test_a_replacement_claim_is_version_2_of_the_one_claim_and_keeps_its_line_matches(
    ingest_db: Db, files: Files
) -> None:
    original = files.text("1-original.837", x12_837p([_claim()], control=1))
    remit = files.text("2-remit.835", x12_835([_payment()], paid_on=dt.date(2024, 3, 1)))
    replacement = files.text(
        "3-replacement.837",
        x12_837p(
            [_claim(frequency="7", f8="PAYCLM-1", second_charge=D(65))],
            control=2,
            created=dt.date(2024, 5, 20),
        ),
    )
    report = ingest_db.ingest(original, remit, replacement)
    assert [f.status for f in report.files] == ["ingested"] * 3, report.to_dict()

    (claim,) = ingest_db.rows(
        select(
            Claim.id,
            Claim.frequency,
            Claim.total_charge,
            Claim.original_payer_claim_number,
            Claim.current_version,
            Claim.source_file_id,
            Claim.is_stub,
            Claim.submitted_at,
        )
    )
    source_ids = dict(ingest_db.rows(select(SourceFile.name, SourceFile.id)))
    assert claim.frequency == "7"
    assert claim.total_charge == D(165)
    assert claim.original_payer_claim_number == "PAYCLM-1"
    assert claim.current_version == 2
    assert claim.source_file_id == source_ids[str(replacement)]
    assert claim.is_stub is False
    # The claim stays in the cohort of its original submission; each version keeps its own.
    assert claim.submitted_at == dt.date(2024, 3, 5)

    versions = ingest_db.rows(
        select(
            ClaimVersion.version_no,
            ClaimVersion.frequency,
            ClaimVersion.original_payer_claim_number,
            ClaimVersion.total_charge,
            ClaimVersion.source_file_id,
            ClaimVersion.submitted_at,
        )
        .where(ClaimVersion.claim_id == claim.id)
        .order_by(ClaimVersion.version_no)
    )
    assert [tuple(v) for v in versions] == [
        (1, "1", None, D(150), source_ids[str(original)], dt.date(2024, 3, 5)),
        (2, "7", "PAYCLM-1", D(165), source_ids[str(replacement)], dt.date(2024, 5, 20)),
    ]

    lines = ingest_db.rows(
        select(ClaimLine.id, ClaimLine.line_no, ClaimLine.charge).order_by(ClaimLine.line_no)
    )
    assert [(ln.line_no, ln.charge) for ln in lines] == [(1, D(100)), (2, D(65))]
    linked = ingest_db.rows(
        select(ServicePayment.line_control, ServicePayment.claim_line_id).order_by(
            ServicePayment.line_control
        )
    )
    assert [tuple(r) for r in linked] == [("L1", lines[0].id), ("L2", lines[1].id)]


def test_the_same_claim_number_from_another_billing_provider_is_another_claim(
    ingest_db: Db, files: Files
) -> None:
    ours = _claim()
    theirs = Clm("PCN-1", [Line("99213", D(100), DAY)], billing_npi=OTHER_NPI)
    path = files.text("two.837", x12_837p([ours, theirs]))
    assert ingest_db.ingest_one(path).claims == 2
    keys = ingest_db.scalars(select(Claim.claim_key).order_by(Claim.claim_key))
    assert keys == [f"PCN-1|{OTHER_NPI}", "PCN-1|1999999984"]
    assert ingest_db.counts()["claim_versions"] == 2
