"""277CA and 999 files become acknowledgments (front-end outcomes), never claim payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlalchemy import select

from denialscope.acks.models import ACK_KINDS, ACK_STATUSES, Acknowledgment
from denialscope.claims.models import Claim
from factories.database import Db, Files
from factories.x12text import Ack277, Ack999, Clm, Line, x12_277ca, x12_837p, x12_999

DAY = dt.date(2024, 2, 1)


def _acks(db: Db) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in db.rows(
            select(
                Acknowledgment.kind,
                Acknowledgment.patient_control_number,
                Acknowledgment.claim_id,
                Acknowledgment.status,
                Acknowledgment.category_codes,
            ).order_by(Acknowledgment.id)
        )
    ]


def test_a_277ca_is_stored_per_claim_and_linked_by_clm01(ingest_db: Db, files: Files) -> None:
    claims = [Clm(n, [Line("99213", D(100), DAY)]) for n in ("PCN-1", "PCN-2")]
    ack = x12_277ca([Ack277("PCN-1", "A2"), Ack277("PCN-2", "A7", "562"), Ack277("PCN-9", "A3")])
    report = ingest_db.ingest(files.text("c.837", x12_837p(claims)), files.text("ack.277", ack))
    assert [f.status for f in report.files] == ["ingested", "ingested"]
    result = report.files[1]
    assert (result.file_type, result.acknowledgments, result.claim_payments) == ("277CA", 3, 0)

    ids = dict(ingest_db.rows(select(Claim.control_number, Claim.id)))
    assert _acks(ingest_db) == [
        ("277CA", "PCN-1", ids["PCN-1"], "accepted", "A2"),
        ("277CA", "PCN-2", ids["PCN-2"], "rejected", "A7"),
        ("277CA", "PCN-9", None, "rejected", "A3"),
    ]
    counts = ingest_db.counts()
    assert counts["claim_payments"] == 0 and counts["claims"] == 2  # no stub for a rejection


def test_a_999_is_stored_per_transaction_set(ingest_db: Db, files: Files) -> None:
    ack = x12_999([Ack999("0001", "A"), Ack999("0002", "E"), Ack999("0003", "R")])
    result = ingest_db.ingest_one(files.text("ack.999", ack))
    assert (result.status, result.file_type, result.acknowledgments) == ("ingested", "999", 3)
    rows = ingest_db.rows(
        select(Acknowledgment.kind, Acknowledgment.control_number, Acknowledgment.status).order_by(
            Acknowledgment.id
        )
    )
    assert [tuple(r) for r in rows] == [
        ("999", "7001/0001", "accepted"),
        ("999", "7001/0002", "accepted_with_errors"),
        ("999", "7001/0003", "rejected"),
    ]


def test_every_stored_kind_and_status_is_a_documented_one(ingest_db: Db, files: Files) -> None:
    ingest_db.ingest(
        files.text(
            "a.277",
            x12_277ca([Ack277("PCN-1", "A1"), Ack277("PCN-2", "A6"), Ack277("PCN-3", "P1")]),
        ),
        files.text("b.999", x12_999([Ack999("0001", "A"), Ack999("0002", "R")], control=2)),
    )
    rows = ingest_db.rows(select(Acknowledgment.kind, Acknowledgment.status))
    assert len(rows) == 5
    assert {r.kind for r in rows} <= set(ACK_KINDS)
    assert {r.status for r in rows} <= set(ACK_STATUSES)


def test_a_999_rejection_reaches_the_claims_of_the_837_set_it_names(
    ingest_db: Db, files: Files
) -> None:
    from denialscope.analytics.frontend import front_end
    from denialscope.claims.models import ClaimVersion

    # x12_837p(control=3) writes GS06 = 301 and ST02 = 0001; the second file GS06 = 401.
    first = [Clm(n, [Line("99213", D(100), DAY)]) for n in ("PCN-1", "PCN-2")]
    second = [Clm("PCN-3", [Line("99213", D(100), DAY)])]
    ack = x12_999([Ack999("0001", "R")], group_control="301")
    ingest_db.ingest(
        files.text("a.837", x12_837p(first, control=3)),
        files.text("b.837", x12_837p(second, control=4)),
        files.text("a.999", ack),
    )
    controls = dict(ingest_db.rows(select(Claim.control_number, Claim.id)))
    stored = dict(ingest_db.rows(select(ClaimVersion.claim_id, ClaimVersion.transaction_control)))
    assert stored == {controls["PCN-1"]: "301/0001", controls["PCN-2"]: "301/0001",
                      controls["PCN-3"]: "401/0001"}  # fmt: skip
    with ingest_db.factory() as session:
        result = front_end(session)["all"]
    assert result.rejected == 2  # PCN-1 and PCN-2; PCN-3 came in another set
