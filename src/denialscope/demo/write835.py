"""Write the demo's 5010 835 (005010X221A1) remittance files.

One file per payer and remit date (weekly); inside, one transaction (one EFT or check)
per payee. BPR02 = sum of CLP04 - sum of PLB: when a week's reversals exceed its payments
the payer pays nothing and carries the balance forward as a PLB FB adjustment, recovered
from the next payment, the way payers do.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from denialscope.demo.encounters import Claim
from denialscope.demo.org import Org, Payer
from denialscope.demo.pricing import Adj, Remit
from denialscope.x12.writer import X12Writer

__all__ = ["write_835_files"]

_GROUP_ORDER = ("CO", "PR", "OA", "PI", "CR")


def _d8(d: date) -> str:
    return d.strftime("%Y%m%d")


def _cas(w: X12Writer, adjustments: list[Adj]) -> None:
    by_group: dict[str, list[Adj]] = defaultdict(list)
    for a in adjustments:
        by_group[a.group].append(a)
    for group in sorted(by_group, key=_GROUP_ORDER.index):
        items = by_group[group]
        for i in range(0, len(items), 6):  # a CAS holds six reason/amount/quantity triplets
            elements: list[str | Decimal | int | None] = [group]
            for a in items[i : i + 6]:
                elements += [a.reason, a.amount, a.quantity]
            w.segment("CAS", *elements)


def _clp(w: X12Writer, r: Remit, payer: Payer) -> None:
    c: Claim = r.claim
    filing = payer.filing_professional if c.professional else payer.filing_institutional
    facility = c.place_of_service if c.professional else c.bill_type
    inpatient = c.kind == "inpatient"
    w.segment(
        "CLP", r.claim_id, r.status, r.charge, r.paid, r.patient_resp, filing,
        r.payer_claim_number, facility, r.frequency,
        c.discharge_status if inpatient else None, (r.payer_drg or c.drg) if inpatient else None,
    )  # fmt: skip
    _cas(w, r.adjustments)
    pt = c.patient
    w.segment("NM1", "QC", "1", pt.last_name, pt.first_name, None, None, None, "MI", pt.member_id)
    if c.professional:
        p = c.provider
        w.segment("NM1", "82", "1", p.last_name, p.first_name, None, None, None, "XX", p.npi)
    if inpatient:
        days = (c.end - c.start).days
        w.segment("MIA", days, None, None, None, r.remarks[0] if r.remarks else None)
    elif r.remarks:
        w.segment("MOA", None, None, *r.remarks[:5])
    w.segment("DTM", "232", _d8(c.start))
    w.segment("DTM", "233", _d8(c.end))
    for rl in r.lines:
        ln = rl.line
        if ln.code:
            procedure = ["HC", ln.code, *ln.modifiers]
            revenue = ln.revenue or None
        else:
            procedure, revenue = ["NU", ln.revenue], None
        w.segment("SVC", procedure, rl.charge, rl.paid, revenue, rl.units)
        w.segment("DTM", "472", _d8(ln.service_date))
        _cas(w, rl.adjustments)
        w.segment("REF", "6R", ln.control)
        w.segment("AMT", "B6", rl.allowed)
        if rl.remarks:
            w.segment("LQ", "HE", rl.remarks[0])


def write_835_files(out: Path, remits: list[Remit], org: Org, *, control_start: int) -> list[Path]:
    """Write every remit into weekly payer files; return the paths written."""
    files: dict[tuple[str, date], dict[str, list[Remit]]] = defaultdict(lambda: defaultdict(list))
    for r in remits:
        files[(r.payer, r.remit_date)][r.claim.billing].append(r)
    out.mkdir(parents=True, exist_ok=True)
    carry: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # payer, payee -> owed back
    paths: list[Path] = []
    control = control_start
    for (payer_key, day), by_payee in sorted(files.items()):
        payer = org.payers[payer_key]
        control += 1
        w = X12Writer(sender=payer.payer_id, receiver="RHS000001", control=control,
                      when=datetime(day.year, day.month, day.day, 6, 0))  # fmt: skip
        with w.group("HP", version="005010X221A1"):
            for n, payee_code in enumerate(sorted(by_payee), 1):
                batch = sorted(by_payee[payee_code], key=lambda r: (r.claim_id, r.status))
                _transaction(w, payer, org, payee_code, batch, day, carry, f"{control}{n:02d}")
        path = out / f"835_{payer_key}_{_d8(day)}.x12"
        path.write_text(w.getvalue(), encoding="ascii")
        paths.append(path)
    return paths


def _transaction(
    w: X12Writer,
    payer: Payer,
    org: Org,
    payee_code: str,
    batch: list[Remit],
    day: date,
    carry: dict[tuple[str, str], Decimal],
    trace: str,
) -> None:
    payee = org.facilities[payee_code]
    paid = sum((r.paid for r in batch), Decimal(0))
    owed = carry[(payer.key, payee_code)]
    plb: list[tuple[str, Decimal]] = []
    if owed:
        recovered = min(owed, paid) if paid > 0 else Decimal(0)
        if recovered:
            plb.append((f"RECOUP{trace}", recovered))  # positive PLB reduces the payment
        owed -= recovered
    total = paid - sum((amount for _, amount in plb), Decimal(0))
    if total < 0:
        plb.append((f"FWD{trace}", total))  # negative PLB: the balance is carried forward
        owed += -total
        total = Decimal(0)
    carry[(payer.key, payee_code)] = owed
    with w.transaction("835", guide="005010X221A1"):
        if total > 0:
            w.segment("BPR", "I", total, "C", "ACH", "CCP", "01", "071000013", "DA",
                      "1234567890", "1" + payer.tax_id, None, "01", "075000019", "DA",
                      "9876543210", _d8(day))  # fmt: skip
        else:
            w.segment("BPR", "H", Decimal(0), "C", "NON", None, None, None, None, None, None,
                      None, None, None, None, None, _d8(day))  # fmt: skip
        w.segment("TRN", "1", f"{payer.key}{trace}{_d8(day)}", "1" + payer.tax_id)
        w.segment("DTM", "405", _d8(day))
        w.segment("N1", "PR", payer.name)
        w.segment("N3", "PO BOX 4400")
        w.segment("N4", "MADISON", "WI", "53701")
        w.segment("REF", "2U", payer.payer_id)
        w.segment("PER", "BL", "PROVIDER SERVICES", "TE", "8005550199")
        w.segment("N1", "PE", payee.name, "XX", payee.npi)
        w.segment("N3", payee.address)
        w.segment("N4", payee.city, payee.state, payee.zip)
        w.segment("REF", "TJ", payee.tax_id)
        w.segment("LX", "1")
        for r in batch:
            _clp(w, r, payer)
        fiscal_end = date(day.year, 12, 31)
        for ref, amount in plb:
            w.segment("PLB", payee.npi, _d8(fiscal_end), ["FB", ref], amount)
