"""Small synthetic 835 files for the denials tests, built in code with ``X12Writer``.

Unlike the ingest builders these carry what classification reads: claim remarks (MOA), line
remarks (LQ*HE), the billed procedure when the payer paid another (SVC06) and any CAS. Every
payer, NPI and patient here is invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from denialscope.x12.writer import X12Writer

__all__ = [
    "BILLING_NPI",
    "MEMBER_ID",
    "OTHER_NPI",
    "PATIENT",
    "PAYER",
    "Cas",
    "Clp",
    "Svc",
    "x12_835",
]

BILLING_NPI = "1999999984"
OTHER_NPI = "1999999976"
PAYER = ("PAYERA", "ALPHA HEALTH PLAN")
MEMBER_ID = "SYNMEM777"
PATIENT = ("TESTPATIENT", "ROBIN")


@dataclass
class Cas:
    group: str
    reason: str
    amount: Decimal


@dataclass
class Svc:
    """One SVC loop."""

    procedure: str
    charge: Decimal
    paid: Decimal
    original: str | None = None  # SVC06: the code billed when the payer paid another
    adjustments: list[Cas] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # LQ*HE
    modifiers: list[str] = field(default_factory=list)  # SVC01-3.. as billed


@dataclass
class Clp:
    """One CLP loop."""

    number: str  # CLP01
    status: str  # CLP02
    charge: Decimal
    paid: Decimal
    payer_claim_number: str  # CLP07
    adjustments: list[Cas] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # MOA03..07
    services: list[Svc] = field(default_factory=list)
    patient_responsibility: Decimal = Decimal(0)
    drg: str = ""  # CLP11: the payer priced an inpatient stay


def _d8(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def x12_835(
    payments: Sequence[Clp],
    *,
    paid_on: dt.date,
    payer: tuple[str, str] = PAYER,
    payee_npi: str = BILLING_NPI,
    control: int = 1,
) -> str:
    """One remittance from ``payer`` to ``payee_npi`` holding ``payments``."""
    w = X12Writer(sender=payer[0], receiver="SYNCLINIC", control=control)
    total = sum((p.paid for p in payments), Decimal(0))
    with w.group("HP", version="005010X221A1"), w.transaction("835", guide="005010X221A1"):
        w.segment("BPR", "I", total, "C", "CHK", None, None, None, None, None, None, None,
                  None, None, None, None, _d8(paid_on))  # fmt: skip
        w.segment("TRN", "1", f"CHK{control:06d}", "1999999999")
        w.segment("DTM", "405", _d8(paid_on))
        w.segment("N1", "PR", payer[1])
        w.segment("REF", "2U", payer[0])
        w.segment("N1", "PE", "SYNTHETIC CLINIC", "XX", payee_npi)
        w.segment("LX", "1")
        for p in payments:
            drg = [None, p.drg] if p.drg else []
            w.segment("CLP", p.number, p.status, p.charge, p.paid, p.patient_responsibility,
                      "12", p.payer_claim_number, "11", "1", *drg)  # fmt: skip
            for a in p.adjustments:
                w.segment("CAS", a.group, a.reason, a.amount)
            w.segment("NM1", "QC", "1", *PATIENT, None, None, None, "MI", MEMBER_ID)
            if p.remarks:
                w.segment("MOA", None, None, *p.remarks)
            for s in p.services:
                original = ["HC", s.original] if s.original else None
                billed = ["HC", s.procedure, *s.modifiers]
                w.segment("SVC", billed, s.charge, s.paid, None, "1", original)
                w.segment("DTM", "472", _d8(paid_on - dt.timedelta(days=30)))
                for a in s.adjustments:
                    w.segment("CAS", a.group, a.reason, a.amount)
                for code in s.remarks:
                    w.segment("LQ", "HE", code)
    return w.getvalue()
