"""A plain reading of the demo's X12 text, for the demo tests.

The reading here is deliberately independent of denialscope's parsers: the tests check the
generator's output against the X12 rules themselves (balancing, counts), and separately
that our reader reads every file without error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from denialscope.demo import DemoResult


@dataclass
class Clp:
    claim_id: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_resp: Decimal
    payer: str
    remit_date: str
    drg: str
    filing: str = ""  # CLP06 claim filing indicator
    cas: list[tuple[str, str, Decimal]] = field(default_factory=list)  # claim level
    remarks: list[str] = field(default_factory=list)  # MIA/MOA/LQ
    lines: list[tuple[Decimal, Decimal, list[tuple[str, str, Decimal]]]] = field(
        default_factory=list
    )

    def all_cas(self) -> list[tuple[str, str, Decimal]]:
        return self.cas + [a for _, _, cas in self.lines for a in cas]


@dataclass
class Clm:
    claim_id: str
    frequency: str
    kind: str  # P or I
    start: str
    end: str
    diagnoses: list[tuple[str, str]] = field(default_factory=list)  # (qualifier, code)
    procedures: list[str] = field(default_factory=list)
    drg: str = ""
    rendering_npi: str = ""
    birth_date: str = ""
    sex: str = ""
    status: str = ""
    modifiers: list[list[str]] = field(default_factory=list)
    filing: str = ""  # SBR09 claim filing indicator
    payer_id: str = ""  # NM1*PR NM109


def segments(path: Path) -> Iterator[list[str]]:
    text = path.read_text(encoding="ascii")
    for raw in text.split("~"):
        raw = raw.strip()
        if raw:
            yield raw.split("*")


def _cas(seg: list[str]) -> list[tuple[str, str, Decimal]]:
    out = []
    for i in range(2, len(seg), 3):
        if seg[i]:
            out.append((seg[1], seg[i], Decimal(seg[i + 1])))
    return out


def read_835(path: Path) -> tuple[list[Clp], list[tuple[Decimal, Decimal, Decimal]]]:
    """CLPs, and per transaction (BPR02, sum CLP04, sum PLB)."""
    clps: list[Clp] = []
    totals: list[tuple[Decimal, Decimal, Decimal]] = []
    payer = path.stem.split("_")[1]
    remit_date = path.stem.split("_")[2]
    bpr = clp_sum = plb_sum = Decimal(0)
    current: Clp | None = None
    in_line = False
    for seg in segments(path):
        sid = seg[0]
        if sid == "BPR":
            bpr, clp_sum, plb_sum = Decimal(seg[2]), Decimal(0), Decimal(0)
        elif sid == "CLP":
            current = Clp(seg[1], seg[2], Decimal(seg[3]), Decimal(seg[4]), Decimal(seg[5]),
                          payer, remit_date, seg[11] if len(seg) > 11 else "", seg[6])  # fmt: skip
            clps.append(current)
            clp_sum += current.paid
            in_line = False
        elif sid == "SVC" and current is not None:
            current.lines.append((Decimal(seg[2]), Decimal(seg[3]), []))
            in_line = True
        elif sid == "CAS" and current is not None:
            if in_line:
                current.lines[-1][2].extend(_cas(seg))
            else:
                current.cas.extend(_cas(seg))
        elif sid in ("MIA", "MOA", "LQ") and current is not None:
            current.remarks += [v for v in seg[1:] if v and v[0] in "MN" and v[1:2] != ""]
        elif sid == "PLB":
            plb_sum += sum(Decimal(seg[i]) for i in range(4, len(seg), 2))
        elif sid == "SE":
            totals.append((bpr, clp_sum, plb_sum))
            current = None
    return clps, totals


def read_837(path: Path) -> list[Clm]:
    claims: list[Clm] = []
    kind = "P" if path.name.startswith("837P") else "I"
    birth = sex = filing = payer_id = ""
    current: Clm | None = None
    for seg in segments(path):
        sid = seg[0]
        if sid == "DMG":
            birth, sex = seg[2], seg[3]
        elif sid == "SBR":
            filing = seg[9]
        elif sid == "NM1" and seg[1] == "PR":
            payer_id = seg[9]
        elif sid == "CLM":
            current = Clm(seg[1], seg[5].split(":")[2], kind, "", "", birth_date=birth, sex=sex,
                          filing=filing, payer_id=payer_id)  # fmt: skip
            claims.append(current)
        elif current is None:
            continue
        elif sid == "DTP" and seg[1] == "434":
            current.start, current.end = seg[3].split("-")
        elif sid == "DTP" and seg[1] == "472" and not current.start:
            current.start = current.end = seg[3]
        elif sid == "CL1":
            current.status = seg[3]
        elif sid == "HI":
            for comp in seg[1:]:
                parts = comp.split(":")
                if parts[0] in ("ABK", "ABF"):
                    current.diagnoses.append((parts[0], parts[1]))
                elif parts[0] in ("BBR", "BBQ"):
                    current.procedures.append(parts[1])
                elif parts[0] == "DR":
                    current.drg = parts[1]
        elif sid == "NM1" and seg[1] in ("82", "71"):
            current.rendering_npi = seg[9]
        elif sid in ("SV1", "SV2"):
            comp = seg[1] if sid == "SV1" else (seg[2] if len(seg) > 2 else "")
            current.modifiers.append(comp.split(":")[2:] if comp else [])
    return claims


@dataclass
class DemoData:
    result: DemoResult
    claims: list[Clm]
    clps: list[Clp]
    transactions: list[tuple[Decimal, Decimal, Decimal]]
