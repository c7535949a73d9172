"""A small hand-built data set for action plans and the governance report.

Payer ALPHA, department D1, 10 claims submitted in each of two quarters (2025-Q1, 2025-Q2),
each submitted on the 5th and first adjudicated on the 20th of its month:

    2025-Q1  4 claims fully denied for modifier_missing_invalid (CARC 4, $100 each),
             1 claim fully denied for medical_necessity (CARC 50, $250), 5 paid in full
    2025-Q2  3 claims fully denied for modifier_missing_invalid ($100 each), 7 paid in full

Payer BETA: 2 claims in 2025-Q2, both denied for modifier_missing_invalid ($100 each).
Every claim is charged $100, except the medical-necessity one ($250).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.orgs.models import Payer
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.settings import Settings
from factories import rows

__all__ = ["build_governance_data"]

MODIFIER = ("modifier_missing_invalid", "coding", "4", "Modifier rules in the scrubber")
NECESSITY = ("medical_necessity", "clinical", "50", "Medical necessity screening")
# The hand-built set has 3-4 claims a month; the default minimum (30) is for real data.
FEW = Settings(data_dir=Path("unused-data-dir"), database_url="sqlite://", min_claims=1)


def build_governance_data(session: Session) -> None:
    alpha = rows.payer(session, "ALPHA", name="ALPHA HEALTH", id_qualifier=None)
    beta = rows.payer(session, "BETA", name="BETA CARE", id_qualifier=None)
    d1 = rows.department(session, "D1", name="Cardiology", service_line="cardiology")
    remittance = rows.remittance(session)
    serial = 0

    def claim(payer: Payer, month: int, denial: tuple[str, str, str, str] | None,
              charge: str = "100") -> None:  # fmt: skip
        nonlocal serial
        serial += 1
        row = Claim(
            claim_key=f"G{serial}|1234567893",
            control_number=f"G{serial}",
            kind="837P",
            claim_type="professional",
            payer_id=payer.id,
            department_id=d1.id,
            facility_id=d1.facility_id,
            service_line="cardiology",
            total_charge=Decimal(charge),
            submitted_at=dt.date(2025, month, 5),
        )
        session.add(row)
        session.flush()
        amount = Decimal(charge)
        payment = ClaimPayment(
            remittance_id=remittance.id,
            claim_id=row.id,
            seq=1,
            status_code="4" if denial else "1",
            payer_responsibility="unknown" if denial else "primary",
            is_reversal=False,
            charge=amount,
            paid=Decimal(0) if denial else amount,
            adjudicated_at=dt.date(2025, month, 20),
            denial_type="full_denial" if denial else "paid",
            is_denial=denial is not None,
            primary_stream=denial[1] if denial else None,
            primary_root_cause=denial[0] if denial else None,
            denied_amount=amount if denial else Decimal(0),
        )
        if denial:
            cause, stream, carc, step = denial
            payment.adjustments = [
                Adjustment(
                    level="claim",
                    group_code="CO",
                    reason_code=carc,
                    amount=amount,
                    category="denial",
                    is_denial=True,
                    stream=stream,
                    root_cause=cause,
                    process_step=step,
                    owner_role="Coding" if stream == "coding" else "Utilization review",
                )
            ]
        session.add(payment)
        session.flush()

    for i in range(10):  # 2025-Q1, months 1..3
        month = 1 + i % 3
        if i < 4:
            claim(alpha, month, MODIFIER)
        elif i == 4:
            claim(alpha, month, NECESSITY, charge="250")
        else:
            claim(alpha, month, None)
    for i in range(10):  # 2025-Q2, months 4..6
        claim(alpha, 4 + i % 3, MODIFIER if i < 3 else None)
    claim(beta, 5, MODIFIER)
    claim(beta, 6, MODIFIER)
    session.commit()
