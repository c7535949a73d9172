"""Write large, valid, deterministic X12 5010 files (835, 837P, 837I) for the reading benchmark.

    python benchmarks/generate_x12.py --claims 20000 --kind 835 --out benchmarks/out/835_20k.edi

The same seed and arguments always give the same bytes. Files are valid where the benchmark
needs them to be: 835 amounts balance (CLP03 - CLP04 = claim + line CAS, SVC02 - SVC03 = line
CAS, BPR02 = sum CLP04 - sum PLB), SE/GE/IEA counts and control numbers are right, and a
newline follows every segment as most payers send it. Names and ids are synthetic.

Memory stays bounded by one transaction set: an 835's BPR02 needs the sum of what follows it,
so each ST..SE is built in a list and written whole (``--claims-per-st``, 5,000 by default as
payers split large remittances). Segments are built with f-strings, not ``X12Writer.segment``:
the generic writer formats every element through isinstance checks and costs about 3x more per
segment (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

__all__ = ["KINDS", "GenerationStats", "generate", "main", "money", "npi"]

KINDS = ("835", "837P", "837I")
GUIDES = {"835": "005010X221A1", "837P": "005010X222A1", "837I": "005010X223A2"}
T = "~\n"  # segment terminator plus the newline real payers add

# Synthetic vocabulary. Code NUMBERS only (CPT, HCPCS, ICD-10, revenue, CARC, RARC): no
# descriptions are needed or shipped.
SURNAMES = ("SAMPLE", "TESTCASE", "EXAMPLE", "DEMOLY", "FICTIV", "MOCKSON", "PLACEHOLD", "DUMMIE")
GIVEN = ("ALEX", "JORDAN", "CASEY", "RILEY", "MORGAN", "TAYLOR", "JAMIE", "QUINN")
PRO_CODES = ("99213", "99214", "99203", "99204", "36415", "80053", "85025", "93000", "71046",
             "97110", "97140", "20610", "11721", "90471", "87880", "G0439")  # fmt: skip
MODIFIERS = ("25", "59", "LT", "RT", "XU")
DIAGNOSES = ("E119", "I10", "E785", "M545", "J069", "Z0000", "R0789", "K219", "F329", "N390")
PCS_CODES = ("0DTJ4ZZ", "0SR90JZ", "02703ZZ", "0FT44ZZ")
OUTPATIENT_LINES = (("0450", "99283"), ("0300", "80053"), ("0320", "71046"), ("0250", "J1100"),
                    ("0360", "29881"), ("0636", "J2405"))  # fmt: skip
INPATIENT_LINES = (("0120", ""), ("0250", ""), ("0300", "85025"), ("0360", "44970"))
# Denied-line patterns: (group, CARC, RARC for LQ*HE).
DENIALS = (("CO", "97", "M15"), ("CO", "16", "M76"), ("CO", "16", "N382"), ("CO", "50", "N115"),
           ("CO", "197", "N54"), ("CO", "18", "N522"), ("CO", "29", "N211"))  # fmt: skip
FILING_835 = ("12", "MB", "MC", "HM")  # CLP06: "CI" is an 837 SBR09 code only
FILING_837 = ("12", "CI", "MC", "HM")


def money(cents: int) -> str:
    """Cents as an X12 decimal without needless trailing zeros (12500 -> "125")."""
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    whole, frac = divmod(cents, 100)
    if frac == 0:
        return f"{sign}{whole}"
    if frac % 10 == 0:
        return f"{sign}{whole}.{frac // 10}"
    return f"{sign}{whole}.{frac:02d}"


def npi(base: int) -> str:
    """A 10-digit NPI with a valid Luhn check digit (prefix 80840), from a 9-digit base."""
    digits = f"80840{base:09d}"
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # doubled positions, counted from the right of the payload
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return f"{base:09d}{(10 - total % 10) % 10}"


@dataclass(slots=True)
class GenerationStats:
    kind: str
    claims: int = 0
    lines: int = 0
    transactions: int = 0
    segments: int = 0  # every segment in the file, envelopes included


_DAYS = [(date(2024, 1, 1) + timedelta(days=i)).strftime("%Y%m%d") for i in range(366)]
_BILLING_NPI = npi(123456789)
_RENDERING_NPIS = [npi(200000000 + i * 7919) for i in range(40)]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}*{rng.choice(GIVEN)}"


def _procedure(rng: random.Random, code: str) -> str:
    if rng.random() < 0.15:
        return f"HC:{code}:{rng.choice(MODIFIERS)}"
    return f"HC:{code}"


def _line_count(rng: random.Random) -> int:
    r = rng.random()
    return 1 if r < 0.4 else 2 if r < 0.7 else 3 if r < 0.9 else 4


# --- 835 -----------------------------------------------------------------------------------


def _remit_line(
    rng: random.Random, body: list[str], pcn: str, i: int, code: str, revenue: str, day: str
) -> tuple[int, int, int, bool]:
    """Append one balanced SVC loop; return (charge, paid, patient responsibility, denied)."""
    charge = rng.randrange(4000, 90000)
    units = 1 if rng.random() < 0.85 else rng.randrange(2, 5)
    cas: list[str] = []
    remark = ""
    if rng.random() < 0.2:  # denied line: the whole charge is adjusted away
        group, carc, remark = DENIALS[rng.randrange(len(DENIALS))]
        cas.append(f"CAS*{group}*{carc}*{money(charge)}")
        allowed = paid = pr = 0
    else:
        allowed = charge * rng.randrange(45, 86) // 100
        pr_parts: list[str] = []
        pr = 0
        r = rng.random()
        if r < 0.1:
            amount = min(allowed, rng.randrange(5000, 50000))
            pr_parts.append(f"1*{money(amount)}")
            pr += amount
        elif r < 0.45:
            amount = allowed // 5
            pr_parts.append(f"2*{money(amount)}")
            pr += amount
        elif r < 0.6:
            amount = min(allowed, rng.choice((2000, 3000, 4000)))
            pr_parts.append(f"3*{money(amount)}")
            pr += amount
        paid = allowed - pr
        cas.append(f"CAS*CO*45*{money(charge - allowed)}")
        if pr_parts:
            cas.append("CAS*PR*" + "**".join(pr_parts))
    svc_units = f"*{units}" if units > 1 else ""
    body.append(
        f"SVC*{_procedure(rng, code)}*{money(charge)}*{money(paid)}*{revenue}{svc_units}{T}"
        if revenue or svc_units
        else f"SVC*{_procedure(rng, code)}*{money(charge)}*{money(paid)}{T}"
    )
    body.append(f"DTM*472*{day}{T}")
    body.extend(c + T for c in cas)
    body.append(f"REF*6R*{pcn}L{i}{T}")
    body.append(f"AMT*B6*{money(allowed)}{T}")
    if remark:
        body.append(f"LQ*HE*{remark}{T}")
    return charge, paid, pr, bool(remark)


def _remit_claim(rng: random.Random, body: list[str], n: int) -> tuple[int, int]:
    """Append one balanced CLP loop; return (lines, CLP04 paid in cents)."""
    pcn = f"PCN{n:08d}"
    institutional = rng.random() < 0.15
    day = _DAYS[rng.randrange(300)]
    received = _DAYS[rng.randrange(300, 366)]
    lines = _line_count(rng)
    at = len(body)
    body.append("")  # CLP placeholder: its amounts are known after the lines
    claim_cas_at = len(body)
    body.append("")  # claim CAS placeholder, filled when a claim-level reduction applies
    body.append(f"NM1*QC*1*{_person(rng)}****MI*M{n:09d}{T}")
    if rng.random() < 0.3:
        body.append(f"NM1*82*1*{_person(rng)}****XX*{rng.choice(_RENDERING_NPIS)}{T}")
    if not institutional and rng.random() < 0.1:
        body.append(f"MOA***MA01{T}")
    body.append(f"DTM*050*{received}{T}")
    charge = paid = pr = denied = 0
    for i in range(1, lines + 1):
        if institutional:
            revenue, code = OUTPATIENT_LINES[rng.randrange(len(OUTPATIENT_LINES))]
        else:
            revenue, code = "", PRO_CODES[rng.randrange(len(PRO_CODES))]
        c, p, r, d = _remit_line(rng, body, pcn, i, code, revenue, day)
        charge, paid, pr, denied = charge + c, paid + p, pr + r, denied + d
    if paid > 0 and rng.random() < 0.25:  # sequestration, a claim-level reduction
        seq = paid * 2 // 100
        if seq:
            body[claim_cas_at] = f"CAS*CO*253*{money(seq)}{T}"
            paid -= seq
    status = "4" if denied == lines else "2" if rng.random() < 0.08 else "1"
    facility = "13" if institutional else "11"
    body[at] = (
        f"CLP*{pcn}*{status}*{money(charge)}*{money(paid)}*{money(pr)}"
        f"*{rng.choice(FILING_835)}*PAYER{n:010d}*{facility}*1{T}"
    )
    return lines, paid


def _remit_transaction(
    rng: random.Random, first: int, count: int, control: str, stats: GenerationStats
) -> list[str]:
    body: list[str] = []
    total_paid = 0
    body.append(f"LX*1{T}")
    for n in range(first, first + count):
        lines, paid = _remit_claim(rng, body, n)
        stats.lines += lines
        total_paid += paid
    # PLB: a recoupment (positive, reduces the payment) and interest (negative, adds to it).
    recoup = min(total_paid // 4, rng.randrange(5000, 60000))
    interest = rng.randrange(100, 5000)
    fiscal = _DAYS[365]
    body.append(
        f"PLB*{_BILLING_NPI}*{fiscal}*WO:PAYER{first:010d}*{money(recoup)}"
        f"*L6:INT{control}*{money(-interest)}{T}"
    )
    payment = total_paid - recoup + interest
    pay_day = _DAYS[rng.randrange(300, 366)]
    head = [
        f"ST*835*{control}{T}",
        f"BPR*I*{money(payment)}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021"
        f"*DA*987654321*{pay_day}{T}",
        f"TRN*1*EFT{control}{first:08d}*1512345678{T}",
        f"DTM*405*{pay_day}{T}",
        f"N1*PR*SYNTHETIC HEALTH PLAN{T}",
        f"N3*100 EXAMPLE WAY{T}",
        f"N4*SPRINGFIELD*IL*627010000{T}",
        f"REF*2U*99999{T}",
        f"PER*BL*PROVIDER SERVICES*TE*5555550100{T}",
        f"N1*PE*SYNTHETIC MEDICAL GROUP*XX*{_BILLING_NPI}{T}",
        f"N3*200 SAMPLE AVE{T}",
        f"N4*SPRINGFIELD*IL*627020000{T}",
        f"REF*TJ*123456789{T}",
    ]
    body = [segment for segment in body if segment]  # drop unused claim CAS placeholders
    segments = len(head) + len(body) + 1
    return [*head, *body, f"SE*{segments}*{control}{T}"]


# --- 837 -----------------------------------------------------------------------------------


def _claim_lines_837(
    rng: random.Random, body: list[str], pcn: str, kind: str, day: str, inpatient: bool
) -> tuple[int, int]:
    lines = _line_count(rng)
    total = 0
    for i in range(1, lines + 1):
        charge = rng.randrange(4000, 90000)
        body.append(f"LX*{i}{T}")
        if kind == "837P":
            code = PRO_CODES[rng.randrange(len(PRO_CODES))]
            pointers = "1:2" if rng.random() < 0.5 else "1"
            body.append(f"SV1*{_procedure(rng, code)}*{money(charge)}*UN*1***{pointers}{T}")
        else:
            table = INPATIENT_LINES if inpatient else OUTPATIENT_LINES
            revenue, code = table[rng.randrange(len(table))]
            proc = f"*{_procedure(rng, code)}" if code else "*"
            body.append(f"SV2*{revenue}{proc}*{money(charge)}*UN*1{T}")
        body.append(f"DTP*472*D8*{day}{T}")
        body.append(f"REF*6R*{pcn}L{i}{T}")
        total += charge
    return lines, total


def _claim_837(rng: random.Random, body: list[str], n: int, hl: int, kind: str) -> int:
    pcn = f"PCN{n:08d}"
    start = rng.randrange(290)
    day = _DAYS[start]
    body.append(f"HL*{hl}*1*22*0{T}")
    body.append(f"SBR*P*18*GRP{n % 97:04d}******{rng.choice(FILING_837)}{T}")
    body.append(f"NM1*IL*1*{_person(rng)}****MI*M{n:09d}{T}")
    body.append(f"N3*{100 + n % 900} SAMPLE ST{T}")
    body.append(f"N4*SPRINGFIELD*IL*627010000{T}")
    body.append(f"DMG*D8*{1940 + n % 60}0{1 + n % 9}15*{'F' if n % 2 else 'M'}{T}")
    body.append(f"NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*PAYER01{T}")
    at = len(body)
    body.append("")  # CLM placeholder: CLM02 is the sum of the lines
    inpatient = kind == "837I" and rng.random() < 0.2
    if kind == "837P":
        if rng.random() < 0.1:
            body.append(f"REF*G1*AUTH{n:07d}{T}")
        dx = rng.sample(DIAGNOSES, 2)
        body.append(f"HI*ABK:{dx[0]}*ABF:{dx[1]}{T}")
        body.append(f"NM1*82*1*{_person(rng)}****XX*{rng.choice(_RENDERING_NPIS)}{T}")
        body.append(f"PRV*PE*PXC*207Q00000X{T}")
        facility = "11:B:1"
    else:
        end = _DAYS[start + (rng.randrange(1, 8) if inpatient else 0)]
        body.append(f"DTP*434*RD8*{day}-{end}{T}")
        if inpatient:
            body.append(f"DTP*435*D8*{day}{T}")
        if inpatient:
            body.append(f"CL1*1*7*01{T}")
        dx = rng.sample(DIAGNOSES, 3)
        body.append(f"HI*ABK:{dx[0]}*ABF:{dx[1]}{T}")
        if inpatient:
            body.append(f"HI*ABJ:{dx[2]}{T}")
            body.append(f"HI*BBR:{rng.choice(PCS_CODES)}:D8:{day}{T}")
        body.append(f"NM1*71*1*{_person(rng)}****XX*{rng.choice(_RENDERING_NPIS)}{T}")
        facility = "11:A:1" if inpatient else "13:A:1"
    lines, charge = _claim_lines_837(rng, body, pcn, kind, day, inpatient)
    body[at] = f"CLM*{pcn}*{money(charge)}***{facility}*Y*A*Y*Y{T}"
    return lines


def _claim_transaction(
    rng: random.Random, first: int, count: int, control: str, stats: GenerationStats
) -> list[str]:
    kind = stats.kind
    body = [
        f"ST*837*{control}*{GUIDES[kind]}{T}",
        f"BHT*0019*00*BATCH{control}*20240101*1200*CH{T}",
        f"NM1*41*2*SYNTHETIC CLEARINGHOUSE*****46*SUB0001{T}",
        f"PER*IC*EDI DESK*TE*5555550100{T}",
        f"NM1*40*2*SYNTHETIC HEALTH PLAN*****46*PAYER01{T}",
        f"HL*1**20*1{T}",
        f"PRV*BI*PXC*207Q00000X{T}",
        f"NM1*85*2*SYNTHETIC MEDICAL GROUP*****XX*{_BILLING_NPI}{T}",
        f"N3*200 SAMPLE AVE{T}",
        f"N4*SPRINGFIELD*IL*627020000{T}",
        f"REF*EI*123456789{T}",
    ]
    for hl, n in enumerate(range(first, first + count), start=2):
        stats.lines += _claim_837(rng, body, n, hl, kind)
    body.append(f"SE*{len(body) + 1}*{control}{T}")
    return body


# --- envelope and driver -------------------------------------------------------------------


def generate(
    out: TextIO, *, kind: str, claims: int, seed: int = 835, claims_per_st: int = 5000
) -> GenerationStats:
    """Write one interchange with ``claims`` claims of ``kind`` to ``out``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if claims < 1 or claims_per_st < 1:
        raise ValueError("claims and claims_per_st must be positive")
    rng = random.Random(f"{kind}:{seed}")  # str seeds are hashed stably (sha512)
    stats = GenerationStats(kind=kind)
    build: Callable[[random.Random, int, int, str, GenerationStats], list[str]] = (
        _remit_transaction if kind == "835" else _claim_transaction
    )
    functional = "HP" if kind == "835" else "HC"
    out.write(
        "ISA*00*          *00*          *ZZ*SYNTHSENDER    *ZZ*SYNTHRECEIVER  *240101*1200*^"
        f"*00501*{seed % 1_000_000_000:09d}*0*T*:{T}"
    )
    out.write(f"GS*{functional}*SYNTHSENDER*SYNTHRECEIVER*20240101*1200*1*X*{GUIDES[kind]}{T}")
    first = 1
    while first <= claims:
        count = min(claims_per_st, claims - first + 1)
        stats.transactions += 1
        segments = build(rng, first, count, f"{stats.transactions:04d}", stats)
        out.write("".join(segments))
        stats.segments += len(segments)
        stats.claims += count
        first += count
    out.write(f"GE*{stats.transactions}*1{T}")
    out.write(f"IEA*1*{seed % 1_000_000_000:09d}{T}")
    stats.segments += 4
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True)
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=835)
    parser.add_argument("--claims-per-st", type=int, default=5000)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with args.out.open("w", encoding="ascii", newline="") as fh:
        stats = generate(
            fh, kind=args.kind, claims=args.claims, seed=args.seed, claims_per_st=args.claims_per_st
        )
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.out}: {stats.kind}, {stats.claims} claims, {stats.lines} lines, "
        f"{stats.transactions} ST, {stats.segments} segments, {size:.1f} MB in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
