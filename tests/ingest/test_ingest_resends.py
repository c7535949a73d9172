"""Resent files are the same files: a remittance or claim sent again (reformatted, new
control numbers) stores nothing new; a partial overlap is explained claim by claim; a reused
claim number is a separate claim or a reported conflict, never a quiet replacement."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal as D

from sqlalchemy import select

from denialscope.claims.models import Claim, ClaimVersion
from denialscope.remits.models import ClaimPayment, Remittance
from denialscope.sources.models import SourceFile
from denialscope.workqueue.models import WorkItem
from factories.database import Db, Files
from factories.x12text import Cas, Clm, Clp, Line, Svc, x12_835, x12_837p

DAY = dt.date(2024, 2, 1)
PAID_ON = dt.date(2024, 3, 1)


def resend(text: str, *, control: int = 777, packed: bool = True) -> str:
    """The same content in another envelope: new ISA13/IEA02, GS06/GE02, ST02/SE02, and
    (``packed``) no line break between segments, amounts written with cents."""
    text = re.sub(r"\*\d{9}\*0\*P\*", f"*{control:09d}*0*P*", text)
    text = re.sub(r"IEA\*1\*\d{9}", f"IEA*1*{control:09d}", text)
    text = re.sub(r"(GS\*[^~]*\*)\d+(\*X\*)", rf"\g<1>{control}\g<2>", text)
    text = re.sub(r"GE\*(\d+)\*\d+", rf"GE*\g<1>*{control}", text)
    text = re.sub(r"(ST\*\d{3}\*)\d+", rf"\g<1>{control:04d}", text)
    text = re.sub(r"(SE\*\d+\*)\d+", rf"\g<1>{control:04d}", text)
    if packed:
        text = re.sub(
            r"^(CLP\*[^*]*\*[^*]*\*)(\d+)\*(\d+)\*", r"\g<1>\g<2>.00*\g<3>.00*", text, flags=re.M
        )
        text = text.replace("~\n", "~")
    return text


def _pay(number: str, paid: D, charge: D = D(150), status: str = "1") -> Clp:
    return Clp(number, status, charge, paid, f"PAY-{number}", [Svc("99213", charge, paid, DAY)])


def _denial(number: str) -> Clp:
    return Clp(
        number, "4", D(150), D(0), f"PAY-{number}", [], adjustments=[Cas("CO", "50", D(150))]
    )


def test_a_reformatted_835_with_new_control_numbers_is_a_duplicate_and_stores_nothing(
    ingest_db: Db, files: Files
) -> None:
    text = x12_835([_pay("PCN-1", D(120)), _denial("PCN-2")], paid_on=PAID_ON)
    first = ingest_db.ingest_one(files.text("remit.835", text))
    assert first.status == "ingested", first
    before = ingest_db.counts()
    again = resend(text)
    assert "\n" not in again.strip() and "CLP*PCN-1*1*150.00*120.00*" in again

    result = ingest_db.ingest_one(files.text("remit-resent.835", again))

    assert result.status == "duplicate", result.to_dict()
    assert (result.claim_payments, result.duplicates, result.conflicts) == (0, 2, 0)
    assert [f["kind"] for f in result.findings] == ["duplicate_remittance"]
    assert "already stored (2 claim payments)" in result.findings[0]["message"]
    assert ingest_db.counts() == before  # not even a source_files row
    # The denial's work item is still open: the resend did not close it as "upheld".
    items = ingest_db.rows(select(WorkItem.status, WorkItem.outcome))
    assert [tuple(i) for i in items] == [("new", None)]


def test_a_partial_overlap_is_explained_claim_by_claim_and_only_new_payments_are_stored(
    ingest_db: Db, files: Files
) -> None:
    stored = x12_835([_pay("PCN-1", D(120)), _pay("PCN-2", D(100))], paid_on=PAID_ON)
    assert ingest_db.ingest_one(files.text("a.835", stored)).status == "ingested"
    # Same payer and trace (CHK000001): PCN-1 the same, PCN-2 paid differently, PCN-3 new.
    overlap = x12_835(
        [_pay("PCN-1", D(120)), _pay("PCN-2", D(90)), _pay("PCN-3", D(80))], paid_on=PAID_ON
    )
    result = ingest_db.ingest_one(files.text("b.835", resend(overlap)))

    assert result.status == "ingested", result.to_dict()
    assert (result.claim_payments, result.duplicates, result.conflicts) == (1, 1, 1)
    assert [(f["kind"], f["claim"], f["trace"]) for f in result.findings] == [
        ("payment_already_stored", "PCN-1", "CHK000001"),
        ("payment_conflict", "PCN-2", "CHK000001"),
        ("payment_new", "PCN-3", "CHK000001"),
    ]
    rows = ingest_db.rows(
        select(ClaimPayment.patient_control_number, ClaimPayment.paid).order_by(ClaimPayment.id)
    )
    assert [tuple(r) for r in rows] == [("PCN-1", D(120)), ("PCN-2", D(100)), ("PCN-3", D(80))]
    # The new payment hangs on a second remittance row that records the second file.
    assert ingest_db.scalars(select(Remittance.trace_number)) == ["CHK000001", "CHK000001"]
    diagnostics = ingest_db.scalars(
        select(SourceFile.diagnostics_json).where(SourceFile.name.like("%b.835"))
    )
    rules = [d["rule"] for d in json.loads(diagnostics[0])]
    assert rules == [
        "identity.payment_already_stored",
        "identity.payment_conflict",
        "identity.payment_new",
    ]


def test_a_remittance_under_a_stored_trace_with_only_conflicts_stores_nothing(
    ingest_db: Db, files: Files
) -> None:
    assert (
        ingest_db.ingest_one(
            files.text("a.835", x12_835([_pay("PCN-1", D(120))], paid_on=PAID_ON))
        ).status
        == "ingested"
    )
    before = ingest_db.counts()
    result = ingest_db.ingest_one(
        files.text("b.835", x12_835([_pay("PCN-1", D(110))], paid_on=PAID_ON))
    )
    assert result.status == "conflict", result.to_dict()
    assert [f["kind"] for f in result.findings] == ["payment_conflict"]
    assert ingest_db.counts() == before


def test_another_check_for_the_same_claim_is_a_new_adjudication(
    ingest_db: Db, files: Files
) -> None:
    """Identity is the trace: the same claim paid on another check is stored (seq 2)."""
    ingest_db.ingest_one(files.text("a.835", x12_835([_denial("PCN-1")], paid_on=PAID_ON)))
    later = x12_835([_pay("PCN-1", D(120))], paid_on=dt.date(2024, 4, 1), control=2)
    result = ingest_db.ingest_one(files.text("b.835", later))
    assert (result.status, result.claim_payments, result.findings) == ("ingested", 1, [])
    assert ingest_db.scalars(select(ClaimPayment.seq).order_by(ClaimPayment.seq)) == [1, 2]


def _claim(number: str = "PCN-1", day: dt.date = DAY, charge: D = D(100), freq: str = "1") -> Clm:
    return Clm(number, [Line("99213", charge, day, control="L1")], frequency=freq)


def test_the_same_837_claims_resent_are_not_new_versions(ingest_db: Db, files: Files) -> None:
    text = x12_837p([_claim("PCN-1"), _claim("PCN-2")])
    assert ingest_db.ingest_one(files.text("claims.837", text)).claims == 2
    before = ingest_db.counts()

    # A new envelope and a new BHT batch date: the same claims.
    again = resend(text).replace("BATCH1*20240305", "BATCH9*20240311")
    result = ingest_db.ingest_one(files.text("claims-again.837", again))
    assert (result.status, result.claims, result.duplicates) == ("duplicate", 0, 2)
    assert [f["kind"] for f in result.findings] == ["duplicate_claim", "duplicate_claim"]
    assert ingest_db.counts() == before

    # One claim the same, one new: the new one is stored, the same one is reported.
    mixed = x12_837p([_claim("PCN-2"), _claim("PCN-3")], control=5)
    result = ingest_db.ingest_one(files.text("mixed.837", mixed))
    assert (result.status, result.claims, result.duplicates) == ("ingested", 1, 1)
    assert ingest_db.scalars(select(ClaimVersion.version_no)) == [1, 1, 1]


def test_a_reused_claim_number_for_other_dates_is_a_separate_claim(
    ingest_db: Db, files: Files
) -> None:
    first = files.text("jan.837", x12_837p([_claim(day=DAY)]))
    april = dt.date(2024, 4, 2)
    second = files.text("apr.837", x12_837p([_claim(day=april, charge=D(240))], control=2))
    assert ingest_db.ingest_one(first).status == "ingested"
    result = ingest_db.ingest_one(second)
    assert (result.status, result.claims) == ("ingested", 1)
    assert [f["kind"] for f in result.findings] == ["claim_separate"]

    rows = ingest_db.rows(
        select(Claim.claim_key, Claim.total_charge, Claim.current_version).order_by(Claim.id)
    )
    assert [tuple(r) for r in rows] == [
        ("PCN-1|1999999984", D(100), 1),
        ("PCN-1|1999999984|20240402", D(240), 1),
    ]
    # A remittance for the April visit pays the April claim, not the January one.
    remit = x12_835([Clp("PCN-1", "1", D(240), D(200), "PAY-A", [
        Svc("99213", D(240), D(200), april)
    ])], paid_on=dt.date(2024, 5, 1))  # fmt: skip
    assert ingest_db.ingest_one(files.text("apr.835", remit)).matched == 1
    (paid_claim,) = ingest_db.scalars(
        select(Claim.claim_key).join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
    )
    assert paid_claim == "PCN-1|1999999984|20240402"

    # The April claim resent is a duplicate of the separate claim, not a third claim.
    again = ingest_db.ingest_one(files.text("apr-again.837", resend(second.read_text())))
    assert again.status == "duplicate"


def test_a_reused_claim_number_with_overlapping_dates_is_a_reported_conflict(
    ingest_db: Db, files: Files
) -> None:
    ingest_db.ingest_one(files.text("a.837", x12_837p([_claim(charge=D(100))])))
    result = ingest_db.ingest_one(files.text("b.837", x12_837p([_claim(charge=D(130))], control=2)))
    assert (result.status, result.claims, result.conflicts) == ("ingested", 1, 1)
    (finding,) = result.findings
    assert finding["kind"] == "claim_conflict" and finding["severity"] == "warning"
    assert "charge 100.00 -> 130" in finding["message"]
    assert "stored as version 2" in finding["message"]
    assert ingest_db.scalars(select(ClaimVersion.version_no).order_by(ClaimVersion.id)) == [1, 2]


def test_a_replacement_stays_a_replacement_without_a_conflict(ingest_db: Db, files: Files) -> None:
    ingest_db.ingest_one(files.text("a.837", x12_837p([_claim(charge=D(100))])))
    result = ingest_db.ingest_one(
        files.text("b.837", x12_837p([_claim(charge=D(130), freq="7")], control=2))
    )
    assert (result.claims, result.findings) == (1, [])
    assert ingest_db.scalars(select(Claim.current_version)) == [2]
