"""A tiny hand-built data set whose every KPI is computed by hand in test_kpis.py.

Eight claims (C1..C8), two payers, two departments; rows are inserted directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from denialscope.claims.models import Claim, ClaimVersion
from denialscope.orgs.models import Department, Payer
from denialscope.remits.models import Adjustment, ClaimPayment
from factories import rows

__all__ = ["Tiny", "build_tiny"]

D = Decimal


@dataclass(slots=True)
class Tiny:
    claims: dict[str, int] = field(default_factory=dict)


def _adj(category: str, amount: str, *, stream: str | None = None, cause: str | None = None,
         group: str = "CO", carc: str = "45") -> Adjustment:  # fmt: skip
    return Adjustment(
        level="claim",
        group_code=group,
        reason_code=carc,
        amount=D(amount),
        category=category,
        is_denial=category == "denial",
        stream=stream or "none",
        root_cause=cause,
    )


def build_tiny(session: Session) -> Tiny:
    alpha = rows.payer(session, "ALPHA", name="ALPHA HEALTH", id_qualifier=None)
    beta = rows.payer(session, "BETA", name="BETA CARE", id_qualifier=None)
    d1 = rows.department(session, "D1", name="Cardiology", service_line="cardiology")
    d2 = rows.department(session, "D2", name="Orthopedics", service_line="orthopedics")
    remittance = rows.remittance(session)
    tiny = Tiny()

    def claim(key: str, payer: Payer, dept: Department | None, charge: str,
              submitted: dt.date | None, *, stub: bool = False) -> Claim:  # fmt: skip
        row = Claim(
            claim_key=f"{key}|1234567893",
            control_number=key,
            kind="837P",
            claim_type="professional",
            payer_id=payer.id,
            department_id=dept.id if dept else None,
            facility_id=dept.facility_id if dept else None,
            service_line=dept.service_line if dept else None,
            total_charge=D(charge),
            submitted_at=submitted,
            is_stub=stub,
        )
        session.add(row)
        session.flush()
        tiny.claims[key] = row.id
        return row

    def pay(row: Claim, seq: int, *, status: str, charge: str, paid: str, when: dt.date,
            denial_type: str, denied: str = "0", stream: str | None = None,
            cause: str | None = None, adjustments: tuple[Adjustment, ...] = (),
            reversal: bool = False) -> ClaimPayment:  # fmt: skip
        payment = ClaimPayment(
            remittance_id=remittance.id,
            claim_id=row.id,
            seq=seq,
            status_code=status,
            payer_responsibility={"1": "primary", "19": "primary"}.get(status, "unknown"),
            is_reversal=reversal,
            charge=D(charge),
            paid=D(paid),
            adjudicated_at=when,
            denial_type=denial_type,
            is_denial=denial_type in ("full_denial", "line_denial", "partial_denial"),
            primary_stream=stream,
            primary_root_cause=cause,
            denied_amount=D(denied),
        )
        payment.adjustments = list(adjustments)
        session.add(payment)
        session.flush()
        return payment

    jan, feb, mar, apr = (dt.date(2025, m, 1) for m in (1, 2, 3, 4))
    c1 = claim("C1", alpha, d1, "100", jan.replace(day=10))
    pay(c1, 1, status="1", charge="100", paid="80", when=jan.replace(day=20), denial_type="paid",
        adjustments=(_adj("contractual", "15"),
                     _adj("patient_share", "5", group="PR", carc="2")))  # fmt: skip
    c2 = claim("C2", alpha, d1, "200", jan.replace(day=15))
    pay(c2, 1, status="4", charge="200", paid="0", when=jan.replace(day=25),
        denial_type="full_denial", denied="200", stream="clinical", cause="medical_necessity",
        adjustments=(_adj("denial", "200", stream="clinical", cause="medical_necessity",
                          carc="50"),))  # fmt: skip
    pay(c2, 2, status="1", charge="200", paid="150", when=mar, denial_type="paid",
        adjustments=(_adj("contractual", "50"),))  # fmt: skip
    c3 = claim("C3", beta, d2, "300", feb.replace(day=5))
    pay(c3, 1, status="1", charge="300", paid="200", when=feb.replace(day=15),
        denial_type="line_denial", denied="100", stream="coding",
        cause="modifier_missing_invalid",
        adjustments=(_adj("denial", "100", stream="coding", cause="modifier_missing_invalid",
                          carc="4"),))  # fmt: skip
    session.add_all(
        [
            ClaimVersion(claim_id=c3.id, version_no=1, frequency="1",
                         submitted_at=feb.replace(day=5), total_charge=D("300")),
            ClaimVersion(claim_id=c3.id, version_no=2, frequency="7",
                         submitted_at=feb.replace(day=25), total_charge=D("300")),
        ]
    )  # fmt: skip
    c4 = claim("C4", beta, d2, "400", feb.replace(day=20))
    pay(c4, 1, status="4", charge="400", paid="0", when=mar.replace(day=2),
        denial_type="full_denial", denied="400", stream="access", cause="eligibility_terminated",
        adjustments=(
            _adj("denial", "300", stream="access", cause="eligibility_terminated", carc="27"),
            _adj("denial", "100", stream="billing", cause="missing_information", carc="16"),
        ))  # fmt: skip
    pay(c4, 2, status="4", charge="400", paid="0", when=mar.replace(day=9),
        denial_type="duplicate",
        adjustments=(_adj("duplicate", "400", stream="billing", cause="duplicate", group="OA",
                          carc="18"),))  # fmt: skip
    c5 = claim("C5", alpha, d2, "50", mar)
    pay(c5, 1, status="1", charge="50", paid="50", when=mar.replace(day=11), denial_type="paid")
    c6 = claim("C6", alpha, None, "60", None, stub=True)
    pay(c6, 1, status="4", charge="60", paid="0", when=mar.replace(day=10),
        denial_type="duplicate",
        adjustments=(_adj("duplicate", "60", stream="billing", cause="duplicate", group="OA",
                          carc="18"),))  # fmt: skip
    claim("C7", alpha, d1, "70", mar.replace(day=20))  # submitted, not yet adjudicated
    c8 = claim("C8", beta, d1, "100", apr.replace(day=2))
    pay(c8, 1, status="4", charge="100", paid="0", when=apr.replace(day=20),
        denial_type="full_denial", denied="100", stream="clinical",
        cause="documentation_insufficient",
        adjustments=(_adj("denial", "100", stream="clinical",
                          cause="documentation_insufficient", carc="50"),))  # fmt: skip
    session.commit()
    return tiny
