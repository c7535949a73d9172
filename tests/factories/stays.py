"""Stored claims, remittances and UR denials for the worklist and KPI tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from denialscope.adt.models import Stay, StayChange
from denialscope.claims.models import Claim, Patient
from denialscope.orgs.models import Payer
from denialscope.remits.models import Adjustment, ClaimPayment, Remittance
from denialscope.sources.models import SourceFile

_serial = [0]
# The UR model's history: stays admitted 1 December 2025, paid 1 January 2026, two more
# denied on 9 January (after a 5 January cut-off).
PAID, LATE = dt.date(2026, 1, 1), dt.date(2026, 1, 9)
ADMIT = dt.datetime(2025, 12, 1, 8)


def payer(session: Session, key: str, kind: str, two_midnight: bool | None = None) -> Payer:
    row = Payer(payer_key=key, payer_id=key, name=f"{key} PLAN", kind=kind,
                two_midnight=two_midnight)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def remittance(session: Session) -> Remittance:
    _serial[0] += 1
    source = SourceFile(sha256=f"{_serial[0]:064d}", name=f"remit{_serial[0]}.835")
    session.add(source)
    session.flush()
    remit = Remittance(source_file_id=source.id)
    session.add(remit)
    session.flush()
    return remit


def inpatient_claim(
    session: Session,
    *,
    number: str,
    payer: Payer,
    drg: str,
    adjudicated: dt.date | None = None,
    denied_for: str | None = None,
    remit: Remittance | None = None,
    member: str | None = None,
) -> Claim:
    """An 837I with a DRG; with ``adjudicated``, its 835 (denied for ``denied_for``)."""
    patient = None
    if member is not None:
        patient = Patient(patient_key=f"PK{number}", member_id=member)
        session.add(patient)
        session.flush()
    claim = Claim(claim_key=f"{number}|1234567893", control_number=number, kind="837I",
                  claim_type="institutional", payer_id=payer.id, drg=drg,
                  patient_id=patient.id if patient else None,
                  statement_from=dt.date(2025, 12, 1), total_charge=Decimal("9000"))  # fmt: skip
    session.add(claim)
    session.flush()
    if adjudicated is not None:
        assert remit is not None
        payment = ClaimPayment(remittance_id=remit.id, claim_id=claim.id, seq=1,
                               status_code="4" if denied_for else "1",
                               payer_responsibility="primary", adjudicated_at=adjudicated,
                               is_denial=bool(denied_for),
                               primary_root_cause=denied_for)  # fmt: skip
        session.add(payment)
        session.flush()
        if denied_for:
            session.add(Adjustment(claim_payment_id=payment.id, level="claim", group_code="CO",
                                   reason_code="50", amount=Decimal("9000"), is_denial=True,
                                   root_cause=denied_for))  # fmt: skip
            session.flush()
    return claim


def past_stay(
    session: Session,
    number: str,
    plan: Payer,
    remit: Remittance,
    *,
    cause: str | None = None,
    when: dt.date = PAID,
    days: int = 2,
) -> Claim:
    """A discharged inpatient stay (ADT) and its adjudicated 837I (CLM01 = visit number)."""
    claim = inpatient_claim(session, number=number, payer=plan, drg="195", adjudicated=when,
                            denied_for=cause, remit=remit)  # fmt: skip
    discharge = ADMIT + dt.timedelta(days=days, hours=6)  # 14:00: days + 1 noons
    stay = Stay(visit_number=number, status="discharged", patient_class="I", service="MED",
                admit_at=ADMIT, discharge_at=discharge)  # fmt: skip
    session.add(stay)
    session.flush()
    session.add(StayChange(stay_id=stay.id, at=ADMIT, event="A01", status="active",
                           patient_class="I"))  # fmt: skip
    session.add(StayChange(stay_id=stay.id, at=discharge, event="A03", status="discharged",
                           patient_class="I"))  # fmt: skip
    session.flush()
    return claim


def ur_history(session: Session) -> None:
    """40 past stays: payer P1 denies 8 of 20 for status and 5 for days, payer P2 none;
    two more stays of P1 are denied only after the cut-off."""
    p1, p2 = payer(session, "P1", "commercial"), payer(session, "P2", "commercial")
    remit = remittance(session)
    for i in range(20):
        cause = "level_of_care" if i < 8 else "length_of_stay" if i < 13 else None
        past_stay(session, f"A{i}", p1, remit, cause=cause)
        past_stay(session, f"B{i}", p2, remit)
    past_stay(session, "LATE1", p1, remit, cause="level_of_care", when=LATE)
    past_stay(session, "LATE2", p1, remit, cause="length_of_stay", when=LATE)
