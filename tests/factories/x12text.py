"""Small synthetic X12 files built in code with ``X12Writer`` (837P, 835, 277CA, 999).

Each builder takes plain dataclasses that name only what a test cares about (claim number,
NPIs, payer, member id, dates, codes, amounts) and writes a valid 5010 interchange. The 835
also carries what classification reads: claim remarks (MOA), line remarks (LQ*HE), the billed
procedure when the payer paid another (SVC06) and the DRG the payer priced (CLP11). Every
person, NPI and payer here is invented.
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
    "PAYER_A",
    "PAYER_B",
    "Ack277",
    "Ack999",
    "Cas",
    "Clm",
    "Clp",
    "Line",
    "Svc",
    "x12_277ca",
    "x12_835",
    "x12_837p",
    "x12_999",
]

BILLING_NPI = "1999999984"
OTHER_NPI = "1999999976"
PAYER_A = ("PAYERA", "ALPHA HEALTH PLAN")
PAYER_B = ("PAYERB", "BETA MUTUAL")
MEMBER_ID = "SYNMEM001"
PATIENT = ("TESTPATIENT", "ALEX")  # (last, first)

D = Decimal
HUNDRED = D(100)


def d8(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


@dataclass
class Line:
    """One 837P service line (SV1)."""

    procedure: str
    charge: Decimal
    day: dt.date
    modifiers: tuple[str, ...] = ()
    control: str | None = None  # REF*6R
    units: int = 1


@dataclass
class Clm:
    """One 837P claim."""

    number: str  # CLM01
    lines: list[Line]
    member_id: str = MEMBER_ID
    billing_npi: str = BILLING_NPI
    payer: tuple[str, str] = PAYER_A
    frequency: str = "1"
    original_payer_claim_number: str | None = None  # REF*F8
    last_name: str = PATIENT[0]
    first_name: str = PATIENT[1]

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), D(0))


def x12_837p(
    claims: Sequence[Clm], *, control: int = 1, created: dt.date = dt.date(2024, 3, 5)
) -> str:
    """An 837P interchange created on ``created`` (BHT04); one billing/subscriber HL pair
    per claim."""
    w = X12Writer(sender="SYNCLINIC", receiver="SYNPAYER", control=control)
    with w.group("HC", version="005010X222A1"), w.transaction("837", guide="005010X222A1"):
        w.segment("BHT", "0019", "00", f"BATCH{control}", created.strftime("%Y%m%d"), "0930", "CH")
        w.segment("NM1", "41", "2", "SYNTHETIC CLINIC", None, None, None, None, "46", "SUB01")
        w.segment("PER", "IC", "EDI DESK", "TE", "5550001111")
        w.segment("NM1", "40", "2", "SYNTHETIC PAYER", None, None, None, None, "46", "REC01")
        hl = 0
        for c in claims:
            hl += 1
            billing_hl = hl
            w.segment("HL", str(billing_hl), None, "20", "1")
            w.segment("NM1", "85", "2", "SYNTHETIC CLINIC", None, None, None, None, "XX",
                      c.billing_npi)  # fmt: skip
            w.segment("N3", "1 TEST STREET")
            w.segment("N4", "SPRINGFIELD", "MA", "011030000")
            w.segment("REF", "EI", "991234567")
            hl += 1
            w.segment("HL", str(hl), str(billing_hl), "22", "0")
            w.segment("SBR", "P", "18", None, None, None, None, None, None, "CI")
            w.segment("NM1", "IL", "1", c.last_name, c.first_name, None, None, None, "MI",
                      c.member_id)  # fmt: skip
            w.segment("DMG", "D8", "19800115", "F")
            w.segment("NM1", "PR", "2", c.payer[1], None, None, None, None, "PI", c.payer[0])
            w.segment("CLM", c.number, c.charge, None, None, ["11", "B", c.frequency],
                      "Y", "A", "Y", "Y")  # fmt: skip
            if c.original_payer_claim_number:
                w.segment("REF", "F8", c.original_payer_claim_number)
            w.segment("HI", ["ABK", "J209"])
            for n, ln in enumerate(c.lines, 1):
                w.segment("LX", str(n))
                w.segment("SV1", ["HC", ln.procedure, *ln.modifiers], ln.charge, "UN",
                          str(ln.units), None, None, "1")  # fmt: skip
                w.segment("DTP", "472", "D8", d8(ln.day))
                if ln.control:
                    w.segment("REF", "6R", ln.control)
    return w.getvalue()


@dataclass
class Cas:
    group: str
    reason: str
    amount: Decimal


@dataclass
class Svc:
    """One 835 service line (SVC)."""

    procedure: str
    charge: Decimal
    paid: Decimal
    day: dt.date | None = None  # DTM*472; None: 30 days before the payment
    modifiers: Sequence[str] = ()
    control: str | None = None  # REF*6R
    # SVC06 when the payer paid another code: the billed code, or (code, *modifiers)
    original: str | tuple[str, ...] | None = None
    adjustments: list[Cas] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # LQ*HE


@dataclass
class Clp:
    """One 835 claim payment (CLP)."""

    number: str  # CLP01
    status: str  # CLP02
    charge: Decimal
    paid: Decimal
    payer_claim_number: str  # CLP07
    services: list[Svc] = field(default_factory=list)
    member_id: str = MEMBER_ID
    adjustments: list[Cas] = field(default_factory=list)
    statement_start: dt.date | None = None  # DTM*232
    remarks: list[str] = field(default_factory=list)  # MOA03..07
    patient_responsibility: Decimal = Decimal(0)  # CLP05
    drg: str = ""  # CLP11: the payer priced an inpatient stay


def _cas(w: X12Writer, adjustments: Sequence[Cas]) -> None:
    for a in adjustments:
        w.segment("CAS", a.group, a.reason, a.amount)


def _billed(original: str | tuple[str, ...] | None) -> list[str] | None:
    if not original:
        return None
    return ["HC", original] if isinstance(original, str) else ["HC", *original]


def _line_adjustments(s: Svc) -> list[Cas]:
    """The line's CAS, or a contractual CO-45 for what was not paid (a balanced line)."""
    if s.adjustments or s.charge == s.paid:
        return s.adjustments
    return [Cas("CO", "45", s.charge - s.paid)]


def _balance(p: Clp) -> list[Cas]:
    """Claim-level CO-45 for what the lines do not explain, so the remit balances."""
    lines = sum((a.amount for s in p.services for a in _line_adjustments(s)), D(0))
    rest = p.charge - p.paid - lines
    return [Cas("CO", "45", rest)] if rest else []


def x12_835(
    payments: Sequence[Clp],
    *,
    paid_on: dt.date,
    payer: tuple[str, str] = PAYER_A,
    payee_npi: str = BILLING_NPI,
    control: int = 1,
) -> str:
    """An 835 interchange holding one remittance from ``payer`` to ``payee_npi``."""
    w = X12Writer(sender=payer[0], receiver="SYNCLINIC", control=control)
    total = sum((p.paid for p in payments), D(0))
    with w.group("HP", version="005010X221A1"), w.transaction("835", guide="005010X221A1"):
        w.segment("BPR", "I", total, "C", "CHK", None, None, None, None, None, None, None,
                  None, None, None, None, d8(paid_on))  # fmt: skip
        w.segment("TRN", "1", f"CHK{control:06d}", "1999999999")
        w.segment("DTM", "405", d8(paid_on))
        w.segment("N1", "PR", payer[1])
        w.segment("REF", "2U", payer[0])
        w.segment("N1", "PE", "SYNTHETIC CLINIC", "XX", payee_npi)
        w.segment("LX", "1")
        for p in payments:
            drg = [None, p.drg] if p.drg else []
            w.segment("CLP", p.number, p.status, p.charge, p.paid, p.patient_responsibility,
                      "12", p.payer_claim_number, "11", "1", *drg)  # fmt: skip
            _cas(w, p.adjustments or _balance(p))
            w.segment("NM1", "QC", "1", *PATIENT, None, None, None, "MI", p.member_id)
            if p.remarks:
                w.segment("MOA", None, None, *p.remarks)
            if p.statement_start is not None:
                w.segment("DTM", "232", d8(p.statement_start))
            for s in p.services:
                w.segment("SVC", ["HC", s.procedure, *s.modifiers], s.charge, s.paid, None,
                          "1", _billed(s.original))  # fmt: skip
                w.segment("DTM", "472", d8(s.day or paid_on - dt.timedelta(days=30)))
                _cas(w, _line_adjustments(s))
                if s.control:
                    w.segment("REF", "6R", s.control)
                for code in s.remarks:
                    w.segment("LQ", "HE", code)
    return w.getvalue()


@dataclass
class Ack277:
    """One claim's status in a 277CA."""

    number: str  # TRN02 of the patient level = CLM01
    category: str  # STC01-1: A1/A2 accepted, A3/A6/A7 rejected ...
    status: str = "20"
    charge: Decimal = HUNDRED


def x12_277ca(claims: Sequence[Ack277], *, control: int = 1) -> str:
    w = X12Writer(sender="SYNPAYER", receiver="SYNCLINIC", control=control)
    with w.group("HN", version="005010X214"), w.transaction("277", guide="005010X214"):
        w.segment("BHT", "0085", "08", "ACK0001", "20240315", "0930", "TH")
        w.segment("HL", "1", None, "20", "1")
        w.segment("NM1", "PR", "2", "ALPHA HEALTH PLAN", None, None, None, None, "PI", "PAYERA")
        w.segment("TRN", "1", "RCPT0001")
        w.segment("DTP", "050", "D8", "20240314")
        w.segment("DTP", "009", "D8", "20240315")
        w.segment("HL", "2", "1", "21", "1")
        w.segment("NM1", "41", "2", "SYNTHETIC CLINIC", None, None, None, None, "46", "SUB01")
        w.segment("TRN", "2", "BATCH0001")
        w.segment("HL", "3", "2", "19", "1")
        w.segment("NM1", "85", "2", "SYNTHETIC CLINIC", None, None, None, None, "XX",
                  BILLING_NPI)  # fmt: skip
        w.segment("TRN", "1", "0")
        for n, c in enumerate(claims, 4):
            w.segment("HL", str(n), "3", "PT")
            w.segment("NM1", "QC", "1", "TESTPATIENT", "ALEX", None, None, None, "MI",
                      "SYNMEM001")  # fmt: skip
            w.segment("TRN", "2", c.number)
            action = "WQ" if c.category in ("A1", "A2") else "U"
            w.segment("STC", [c.category, c.status], "20240315", action, c.charge)
            w.segment("DTP", "472", "D8", "20240301")
    return w.getvalue()


@dataclass
class Ack999:
    """One acknowledged 837 transaction set in a 999."""

    set_control: str
    code: str  # IK501: A accepted, E accepted with errors, R rejected


def x12_999(sets: Sequence[Ack999], *, group_control: str = "7001", control: int = 1) -> str:
    w = X12Writer(sender="SYNPAYER", receiver="SYNCLINIC", control=control)
    accepted = sum(1 for s in sets if s.code in ("A", "E"))
    with w.group("FA", version="005010X231A1"), w.transaction("999", guide="005010X231A1"):
        w.segment("AK1", "HC", group_control, "005010X222A1")
        for s in sets:
            w.segment("AK2", "837", s.set_control, "005010X222A1")
            if s.code == "R":
                w.segment("IK3", "CLM", "5", "2300", "8")
                w.segment("IK5", "R", "5")
            else:
                w.segment("IK5", s.code)
        overall = "A" if accepted == len(sets) else ("R" if accepted == 0 else "P")
        w.segment("AK9", overall, str(len(sets)), str(len(sets)), str(accepted))
    return w.getvalue()
