"""Line modifiers and the inpatient context reach the classifier at ingest and on rebuild.

Hand-computed scenario (one 835, no 837, so the claims are stubs):
- PCN-ABN: line 1 G0105-GA 300.00 CO-96 (ABN on file: the patient's), line 2 97110 200.00
  CO-96 (no notice: provider denial), line 3 99213 paid 100.00 -> a line denial of 200.00.
- PCN-IP: DRG 470 on the remit (an inpatient stay), 10,000.00 charged, 8,000.00 paid,
  CO-197 2,000.00 for days past the authorization -> clinical / concurrent_review.
- PCN-OP: no DRG, CO-197 400.00 -> access / auth_not_obtained.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from sqlalchemy import select

from denialscope.classify import ClassificationConfig
from denialscope.remits.models import Adjustment, ClaimPayment
from factories.classified import rebuilt_results, stored_results
from factories.database import Db
from factories.x12text import Cas, Clp, Svc, x12_835


def _write(tmp_path: Path) -> Path:
    payments = [
        Clp(
            "PCN-ABN",
            "1",
            D(600),
            D(100),
            "PAY-ABN",
            services=[
                Svc("G0105", D(300), D(0), adjustments=[Cas("CO", "96", D(300))], modifiers=["GA"]),
                Svc("97110", D(200), D(0), adjustments=[Cas("CO", "96", D(200))]),
                Svc("99213", D(100), D(100)),
            ],
        ),
        Clp(
            "PCN-IP",
            "1",
            D(10000),
            D(8000),
            "PAY-IP",
            adjustments=[Cas("CO", "197", D(2000))],
            drg="470",
        ),
        Clp("PCN-OP", "4", D(400), D(0), "PAY-OP", adjustments=[Cas("CO", "197", D(400))]),
    ]
    path = tmp_path / "context.835"
    path.write_text(x12_835(payments, paid_on=dt.date(2024, 5, 1)), encoding="utf-8")
    return path


def test_notice_modifier_and_inpatient_drg_decide_the_classification(
    db: Db, tmp_path: Path, defaults: ClassificationConfig
) -> None:
    db.ingest_all([_write(tmp_path)], defaults)
    with db.session() as session:
        payments = {
            row.patient_control_number: row
            for row in session.execute(
                select(
                    ClaimPayment.id,
                    ClaimPayment.patient_control_number,
                    ClaimPayment.denial_type,
                    ClaimPayment.primary_root_cause,
                    ClaimPayment.primary_stream,
                    ClaimPayment.denied_amount,
                )
            )
        }
        abn, inpatient, outpatient = payments["PCN-ABN"], payments["PCN-IP"], payments["PCN-OP"]
        assert (abn.denial_type, abn.primary_root_cause) == ("line_denial", "coverage_noncovered")
        assert abn.denied_amount == D("200.00")
        adjustments = sorted(
            session.execute(
                select(Adjustment.amount, Adjustment.category, Adjustment.rule_id).where(
                    Adjustment.claim_payment_id == abn.id
                )
            ).tuples()
        )
        assert adjustments == [
            (D("200.00"), "denial", "carc-96"),
            (D("300.00"), "patient_share", "patient-liable-notice"),
        ]
        assert (inpatient.denial_type, inpatient.primary_stream, inpatient.primary_root_cause) == (
            "partial_denial",
            "clinical",
            "concurrent_review",
        )
        assert inpatient.denied_amount == D("2000.00")
        assert (outpatient.primary_stream, outpatient.primary_root_cause) == (
            "access",
            "auth_not_obtained",
        )
        # The rebuild (reclassify, explain) reads modifiers and the DRG back the same way.
        stored = stored_results(session)
        assert rebuilt_results(session, defaults, list(stored)) == stored
