"""Remittances find their claims (and claim lines) by each documented method, in order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from sqlalchemy import select

from denialscope.claims.models import Claim, ClaimLine
from denialscope.orgs.models import Payer
from denialscope.remits.models import MATCH_METHODS, ClaimPayment, Remittance, ServicePayment
from factories.database import Db, Files
from factories.x12text import (
    BILLING_NPI,
    OTHER_NPI,
    PAYER_A,
    PAYER_B,
    Cas,
    Clm,
    Clp,
    Line,
    Svc,
    x12_835,
    x12_837p,
)

DAY = dt.date(2024, 2, 1)
LATER = dt.date(2024, 2, 2)


def _claim(number: str, charge: D = D(100), **kw: Any) -> Clm:
    return Clm(number, [Line("99213", charge, DAY, control=f"{number}-L1")], **kw)


def _payment(number: str, payer_claim: str, charge: D = D(100), **kw: Any) -> Clp:
    return Clp(number, "1", charge, D(80), payer_claim, **kw)


def _payments(db: Db) -> list[Any]:
    return list(
        db.rows(
            select(
                ClaimPayment.patient_control_number,
                ClaimPayment.claim_id,
                ClaimPayment.match_method,
                ClaimPayment.payer_responsibility,
                ClaimPayment.seq,
            ).order_by(ClaimPayment.id)
        )
    )


def _claim_ids(db: Db) -> dict[str, int]:
    return {key: cid for key, cid in db.rows(select(Claim.claim_key, Claim.id))}


def _ingest(db: Db, *paths: Any) -> None:
    report = db.ingest(*paths)
    assert [f.status for f in report.files] == ["ingested"] * len(paths), report.to_dict()


def test_clp01_with_the_same_payer(ingest_db: Db, files: Files) -> None:
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([_claim("PCN-1")])),
        files.text("r.835", x12_835([_payment("PCN-1", "P1")], paid_on=dt.date(2024, 3, 1))),
    )
    ((number, claim_id, method, *_),) = _payments(ingest_db)
    assert (number, method) == ("PCN-1", "clp01_payer")
    assert claim_id == _claim_ids(ingest_db)[f"PCN-1|{BILLING_NPI}"]


def test_clp01_from_another_payer_matches_through_the_billing_npi(
    ingest_db: Db, files: Files
) -> None:
    ours = x12_835([_payment("PCN-2", "B2")], paid_on=dt.date(2024, 3, 1), payer=PAYER_B)
    stranger = x12_835(
        [_payment("PCN-2", "B3")],
        paid_on=dt.date(2024, 3, 2),
        payer=PAYER_B,
        payee_npi=OTHER_NPI,
        control=2,
    )
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([_claim("PCN-2")])),
        files.text("r1.835", ours),
        files.text("r2.835", stranger),
    )
    claims = _claim_ids(ingest_db)
    first, second = _payments(ingest_db)
    ours_id = claims[f"PCN-2|{BILLING_NPI}"]
    assert (first.claim_id, first.match_method) == (ours_id, "clp01_provider")
    # Another payee with the same claim number is not our claim: it gets its own stub.
    assert (second.claim_id, second.match_method) == (claims[f"PCN-2|{OTHER_NPI}"], "none")


def test_every_stored_match_method_is_a_documented_one(ingest_db: Db, files: Files) -> None:
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([_claim("PCN-2")])),
        files.text("r.835", x12_835([_payment("PCN-2", "B2")], paid_on=LATER, payer=PAYER_B)),
    )
    assert {p.match_method for p in _payments(ingest_db)} <= set(MATCH_METHODS)


def test_a_later_remit_matches_by_the_payer_claim_number(ingest_db: Db, files: Files) -> None:
    first = x12_835([_payment("PCN-3", "PAYER-3")], paid_on=dt.date(2024, 3, 1))
    # The payer reprocessed the claim and sent back a mistyped CLP01: only CLP07 ties it.
    second = x12_835([_payment("PCN-3X", "PAYER-3")], paid_on=dt.date(2024, 4, 1), control=2)
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([_claim("PCN-3")])),
        files.text("r1.835", first),
        files.text("r2.835", second),
    )
    claim_id = _claim_ids(ingest_db)[f"PCN-3|{BILLING_NPI}"]
    assert [(p.claim_id, p.match_method, p.seq) for p in _payments(ingest_db)] == [
        (claim_id, "clp01_payer", 1),
        (claim_id, "payer_claim_number", 2),
    ]


def test_the_ref_f8_of_a_corrected_claim_is_a_payer_claim_number(
    ingest_db: Db, files: Files
) -> None:
    corrected = _claim("PCN-3B", frequency="7", original_payer_claim_number="ORIG-77")
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([corrected])),
        files.text("r.835", x12_835([_payment("OLD-3B", "ORIG-77")], paid_on=LATER)),
    )
    ((_, claim_id, method, *_),) = _payments(ingest_db)
    assert claim_id == _claim_ids(ingest_db)[f"PCN-3B|{BILLING_NPI}"]
    assert method == "payer_claim_number"


def test_member_first_service_date_and_charge(ingest_db: Db, files: Files) -> None:
    claim = _claim("PCN-4", charge=D(150), member_id="SYNMEM404")
    same = _payment("UNKNOWN-4", "Q4", charge=D(150), member_id="SYNMEM404", statement_start=DAY)
    other_charge = _payment("UNKNOWN-5", "Q5", charge=D(151), member_id="SYNMEM404")
    other_day = _payment("UNKNOWN-6", "Q6", charge=D(150), member_id="SYNMEM404")
    other_day.services = [Svc("99213", D(150), D(80), LATER)]
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([claim])),
        files.text("r.835", x12_835([same, other_charge, other_day], paid_on=dt.date(2024, 3, 1))),
    )
    claim_id = _claim_ids(ingest_db)[f"PCN-4|{BILLING_NPI}"]
    methods = {p.patient_control_number: (p.claim_id, p.match_method) for p in _payments(ingest_db)}
    assert methods["UNKNOWN-4"] == (claim_id, "patient_dates_charge")
    assert methods["UNKNOWN-5"][1] == "none" and methods["UNKNOWN-5"][0] != claim_id
    assert methods["UNKNOWN-6"][1] == "none" and methods["UNKNOWN-6"][0] != claim_id


def test_an_unmatched_remit_gets_a_stub_that_its_later_837_fills(
    ingest_db: Db, files: Files
) -> None:
    payment = Clp(
        "PCN-5",
        "1",
        D(150),
        D(100),
        "P5",
        [
            Svc("99213", D(100), D(70), DAY, control="PCN-5-L1"),
            Svc("80053", D(50), D(30), DAY, control="PCN-5-L2"),
        ],
    )
    _ingest(ingest_db, files.text("r.835", x12_835([payment], paid_on=dt.date(2024, 3, 1))))
    ((stub_id, is_stub),) = ingest_db.rows(select(Claim.id, Claim.is_stub))
    assert is_stub is True
    ((_, claim_id, method, *_),) = _payments(ingest_db)
    assert (claim_id, method) == (stub_id, "none")

    claim = Clm(
        "PCN-5",
        [
            Line("99213", D(100), DAY, control="PCN-5-L1"),
            Line("80053", D(50), DAY, control="PCN-5-L2"),
        ],
    )
    _ingest(ingest_db, files.text("c.837", x12_837p([claim])))
    ((final_id, is_stub, version),) = ingest_db.rows(
        select(Claim.id, Claim.is_stub, Claim.current_version)
    )
    assert (final_id, is_stub, version) == (stub_id, False, 1)
    ((_, claim_id, method, *_),) = _payments(ingest_db)
    assert (claim_id, method) == (stub_id, "clp01_payer")
    lines = dict(ingest_db.rows(select(ClaimLine.line_control, ClaimLine.id)))
    linked = ingest_db.rows(
        select(
            ServicePayment.line_control,
            ServicePayment.claim_line_id,
            ServicePayment.line_match_method,
        ).order_by(ServicePayment.id)
    )
    assert [tuple(r) for r in linked] == [
        ("PCN-5-L1", lines["PCN-5-L1"], "line_control"),
        ("PCN-5-L2", lines["PCN-5-L2"], "line_control"),
    ]


def test_a_stub_under_the_payee_npi_moves_to_the_claim_of_another_billing_npi(
    ingest_db: Db, files: Files
) -> None:
    # The remit names the group's payee NPI; the 837 billed under another NPI.
    remit = x12_835([_payment("PCN-6", "P6")], paid_on=dt.date(2024, 3, 1), payee_npi=OTHER_NPI)
    _ingest(ingest_db, files.text("r.835", remit))
    assert ingest_db.scalars(select(Claim.claim_key)) == [f"PCN-6|{OTHER_NPI}"]
    _ingest(ingest_db, files.text("c.837", x12_837p([_claim("PCN-6")])))
    ((key, is_stub),) = ingest_db.rows(select(Claim.claim_key, Claim.is_stub))
    assert (key, is_stub) == (f"PCN-6|{BILLING_NPI}", False)
    ((_, claim_id, method, *_),) = _payments(ingest_db)
    assert (claim_id, method) == (_claim_ids(ingest_db)[key], "clp01_payer")


def test_lines_match_by_ref_6r_whatever_their_order(ingest_db: Db, files: Files) -> None:
    claim = Clm(
        "PCN-7",
        [
            Line("99213", D(100), DAY, control="A-1"),
            Line("99213", D(100), DAY, control="A-2"),
        ],
    )
    payment = Clp(
        "PCN-7",
        "1",
        D(200),
        D(150),
        "P7",
        [
            Svc("99213", D(100), D(70), DAY, control="A-2"),
            Svc("99213", D(100), D(80), DAY, control="A-1"),
        ],
    )
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([claim])),
        files.text("r.835", x12_835([payment], paid_on=dt.date(2024, 3, 1))),
    )
    lines = dict(ingest_db.rows(select(ClaimLine.line_control, ClaimLine.id)))
    linked = ingest_db.rows(
        select(ServicePayment.paid, ServicePayment.claim_line_id, ServicePayment.line_match_method)
    )
    assert sorted(tuple(r) for r in linked) == [
        (D(70), lines["A-2"], "line_control"),
        (D(80), lines["A-1"], "line_control"),
    ]


def test_lines_without_6r_match_by_procedure_modifiers_date_and_charge(
    ingest_db: Db, files: Files
) -> None:
    claim = Clm(
        "PCN-8",
        [
            Line("99213", D(100), DAY, modifiers=("25",)),
            Line("99213", D(80), DAY),
            Line("99214", D(150), LATER),
        ],
    )
    payment = Clp(
        "PCN-8",
        "1",
        D(330),
        D(200),
        "P8",
        [
            Svc("99213", D(80), D(60), DAY),
            Svc("99213", D(100), D(70), DAY, modifiers=("25",)),
            # The payer paid a lower level; SVC06 says what was billed.
            Svc("99213", D(150), D(70), LATER, original=("99214",)),
        ],
    )
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([claim])),
        files.text("r.835", x12_835([payment], paid_on=dt.date(2024, 3, 1))),
    )
    line_of = dict(ingest_db.rows(select(ClaimLine.line_no, ClaimLine.id)))
    linked = ingest_db.rows(
        select(
            ServicePayment.procedure,
            ServicePayment.original_procedure,
            ServicePayment.claim_line_id,
            ServicePayment.line_match_method,
        ).order_by(ServicePayment.id)
    )
    assert [tuple(r) for r in linked] == [
        ("99213", None, line_of[2], "procedure_date_charge"),
        ("99213", None, line_of[1], "procedure_date_charge"),
        ("99213", "99214", line_of[3], "procedure_date_charge"),
    ]


def test_a_secondary_payer_remit_is_kept_apart_from_the_primary(
    ingest_db: Db, files: Files
) -> None:
    primary = x12_835([_payment("PCN-9", "A9")], paid_on=dt.date(2024, 3, 1))
    secondary_payment = Clp("PCN-9", "2", D(100), D(15), "B9")
    secondary = x12_835([secondary_payment], paid_on=dt.date(2024, 3, 20), payer=PAYER_B, control=2)
    _ingest(
        ingest_db,
        files.text("c.837", x12_837p([_claim("PCN-9")])),
        files.text("r1.835", primary),
        files.text("r2.835", secondary),
    )
    claim_id = _claim_ids(ingest_db)[f"PCN-9|{BILLING_NPI}"]
    rows = ingest_db.rows(
        select(
            ClaimPayment.claim_id,
            ClaimPayment.payer_responsibility,
            ClaimPayment.status_code,
            ClaimPayment.paid,
            Payer.payer_id,
        )
        .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
        .join(Payer, Payer.id == Remittance.payer_id)
        .order_by(ClaimPayment.adjudicated_at)
    )
    assert [tuple(r) for r in rows] == [
        (claim_id, "primary", "1", D(80), PAYER_A[0]),
        (claim_id, "secondary", "2", D(15), PAYER_B[0]),
    ]


def test_a_denial_worked_on_a_stub_keeps_its_work_when_the_837_arrives(
    ingest_db: Db, files: Files
) -> None:
    from denialscope.workqueue.models import WorkItem, WorkItemEvent
    from denialscope.workqueue.service import log_event, sync_work_items

    # Denied in full under the group's payee NPI before the 837 (billed under another NPI)
    # was loaded: a stub claim, and a denial a worker starts on.
    denied = Clp("PCN-9", "4", D(100), D(0), "P9", adjustments=[Cas("CO", "50", D(100))])
    _ingest(
        ingest_db,
        files.text("r.835", x12_835([denied], paid_on=dt.date(2024, 3, 1), payee_npi=OTHER_NPI)),
    )
    with ingest_db.session() as session:
        sync_work_items(session=session, as_of=dt.date(2024, 3, 1))
        item = session.scalars(select(WorkItem)).one()
        stub_id, item_id = item.claim_id, item.id
        log_event(session=session, item=item, actor="coder", kind="note", detail="called payer")
        session.commit()
    _ingest(ingest_db, files.text("c.837", x12_837p([_claim("PCN-9")])))
    claim_id = _claim_ids(ingest_db)[f"PCN-9|{BILLING_NPI}"]
    assert claim_id != stub_id
    # The item, its history with the note, now on the real claim; the stub is gone.
    assert ingest_db.rows(select(WorkItem.id, WorkItem.claim_id)) == [(item_id, claim_id)]
    kinds = ingest_db.scalars(
        select(WorkItemEvent.kind).where(WorkItemEvent.work_item_id == item_id)
    )
    assert "note" in kinds and kinds[-1] == "relinked"
    assert ingest_db.scalars(select(Claim.id).where(Claim.id == stub_id)) == []
