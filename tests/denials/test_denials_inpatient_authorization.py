"""An inpatient stay refused whole for want of an authorization is access; days past it clinical.

Hand-computed scenario (one 835, no 837; the DRG on each remit marks the inpatient stay):
- PCN-PART: 10,000.00 charged, 8,000.00 paid, CO-197 2,000.00 (days past the authorized stay)
  -> partial denial, clinical / concurrent_review, 2,000.00 denied.
- PCN-NONE: status 4, 12,000.00 charged, nothing paid, CO-197 12,000.00 (no authorization or
  notification at all) -> full denial, access / auth_not_obtained, 12,000.00 denied.
- PCN-OVER: status 4, 9,000.00 charged, nothing paid, CO-198 9,000.00 (authorization exceeded)
  -> full denial, clinical / concurrent_review: "exceeded" is always about the days.
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
from factories.x12text import Cas, Clp, x12_835


def _write(tmp_path: Path) -> Path:
    payments = [
        Clp("PCN-PART", "1", D(10000), D(8000), "PAY-PART",
            adjustments=[Cas("CO", "197", D(2000))], drg="470"),
        Clp("PCN-NONE", "4", D(12000), D(0), "PAY-NONE",
            adjustments=[Cas("CO", "197", D(12000))], drg="291"),
        Clp("PCN-OVER", "4", D(9000), D(0), "PAY-OVER",
            adjustments=[Cas("CO", "198", D(9000))], drg="392"),
    ]  # fmt: skip
    path = tmp_path / "stays.835"
    path.write_text(x12_835(payments, paid_on=dt.date(2024, 6, 3)), encoding="utf-8")
    return path


def test_whole_stay_without_authorization_is_access_and_partial_days_are_clinical(
    db: Db, tmp_path: Path, defaults: ClassificationConfig
) -> None:
    db.ingest_all([_write(tmp_path)], defaults)
    with db.session() as session:
        rows = {
            row.patient_control_number: (
                row.denial_type,
                row.primary_stream,
                row.primary_root_cause,
                row.denied_amount,
            )
            for row in session.execute(
                select(
                    ClaimPayment.patient_control_number,
                    ClaimPayment.denial_type,
                    ClaimPayment.primary_stream,
                    ClaimPayment.primary_root_cause,
                    ClaimPayment.denied_amount,
                )
            )
        }
        assert rows == {
            "PCN-PART": ("partial_denial", "clinical", "concurrent_review", D("2000.00")),
            "PCN-NONE": ("full_denial", "access", "auth_not_obtained", D("12000.00")),
            "PCN-OVER": ("full_denial", "clinical", "concurrent_review", D("9000.00")),
        }
        rule_ids = sorted(session.execute(select(Adjustment.rule_id)).scalars())
        assert rule_ids == [
            "inpatient-days-beyond-authorization",
            "inpatient-days-beyond-authorization",
            "inpatient-stay-without-authorization",
        ]
        # reclassify and explain rebuild the claim from what was stored: same answer.
        stored = stored_results(session)
        assert rebuilt_results(session, defaults, list(stored)) == stored
