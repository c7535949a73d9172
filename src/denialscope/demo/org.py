"""The demo health system: facilities, departments, providers and payers.

Everything here is invented: names, addresses, tax ids. NPIs are synthetic but carry a
valid Luhn check digit (computed over the "80840" card-issuer prefix, as CMS does) so that
scrubbers and ingest validation treat them as real-looking identifiers.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

__all__ = [
    "DEPARTMENTS",
    "FACILITIES",
    "PAYERS",
    "Department",
    "Facility",
    "Org",
    "Payer",
    "Provider",
    "build_org",
    "luhn_npi_valid",
    "npi_with_check_digit",
    "write_org_yaml",
]


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # rightmost payload digit is doubled (the check digit is not there yet)
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return total


def npi_with_check_digit(first_nine: str) -> str:
    """Append the NPI check digit to nine digits (Luhn over "80840" + the nine)."""
    check = (10 - _luhn_sum("80840" + first_nine) % 10) % 10
    return first_nine + str(check)


def luhn_npi_valid(npi: str) -> bool:
    """True if ``npi`` is ten digits with a correct check digit."""
    return len(npi) == 10 and npi.isdigit() and npi_with_check_digit(npi[:9]) == npi


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    name: str
    npi: str
    tax_id: str
    address: str
    city: str
    state: str
    zip: str
    taxonomy: str
    institutional: bool  # bills 837I (a hospital) or only 837P (a physician group)


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str
    service_line: str
    facility: str
    taxonomies: tuple[str, ...]
    providers: int


@dataclass(frozen=True, slots=True)
class Provider:
    npi: str
    last_name: str
    first_name: str
    taxonomy: str
    department: str


@dataclass(frozen=True, slots=True)
class Payer:
    key: str
    name: str
    payer_id: str
    kind: str  # one of orgs.models.PAYER_KINDS
    filing_professional: str  # SBR09 / CLP06 claim filing indicator
    filing_institutional: str
    contract_rate: Decimal  # allowed = contract_rate x charge
    timely_filing_days: int
    tax_id: str


FACILITIES: tuple[Facility, ...] = (
    Facility("RMC", "RIVERBEND MEDICAL CENTER", "", "391234567", "1200 RIVER PKWY",
             "RIVERBEND", "WI", "53901", "282N00000X", True),
    Facility("LCH", "LAKESIDE COMMUNITY HOSPITAL", "", "391234568", "45 SHORE DR",
             "LAKESIDE", "WI", "53920", "282N00000X", True),
    Facility("RPG", "RIVERBEND PHYSICIAN GROUP", "", "391234569", "1250 RIVER PKWY STE 200",
             "RIVERBEND", "WI", "53901", "193200000X", False),
)  # fmt: skip

# Department codes are "<facility>-<unit>"; service lines are the cross-facility grouping.
DEPARTMENTS: tuple[Department, ...] = (
    Department("RMC-ED", "Emergency Department", "emergency", "RMC", ("207P00000X",), 8),
    Department("RMC-CARD", "Cardiology", "cardiology", "RMC", ("207RC0000X",), 6),
    Department("RMC-ORTH", "Orthopedics", "orthopedics", "RMC", ("207X00000X",), 6),
    Department("RMC-IMG", "Imaging", "imaging", "RMC", ("2085R0202X",), 5),
    Department("RMC-BH", "Behavioral Health", "behavioral_health", "RMC", ("2084P0800X",), 5),
    Department("RMC-MED", "Inpatient Medicine", "inpatient_medicine", "RMC", ("208M00000X",), 8),
    Department("RMC-SURG", "General Surgery", "surgery", "RMC", ("208600000X",), 5),
    Department("LCH-ED", "Emergency Department", "emergency", "LCH", ("207P00000X",), 5),
    Department("LCH-MED", "Inpatient Medicine", "inpatient_medicine", "LCH", ("208M00000X",), 4),
    Department("RPG-PC", "Primary Care", "primary_care", "RPG", ("207Q00000X", "207R00000X"), 12),
)

PAYERS: tuple[Payer, ...] = (
    # Claim filing indicators (837 SBR09, 835 CLP06): MA/MB Medicare Part A/B, 16 Medicare
    # Advantage (HMO Medicare risk), MC Medicaid, HM managed Medicaid (an HMO), CI commercial,
    # BL Blue Cross Blue Shield.
    Payer("MCR", "MEDICARE PART A AND B", "04312", "medicare", "MB", "MA",
          Decimal("0.31"), 365, "526000001"),
    Payer("MAH", "HEARTLAND MEDICARE ADVANTAGE HMO", "MAH21", "medicare_advantage", "16", "16",
          Decimal("0.32"), 180, "526000006"),
    Payer("MAP", "NORTHSTAR MEDICARE ADVANTAGE PPO", "MAP35", "medicare_advantage", "16", "16",
          Decimal("0.33"), 365, "526000007"),
    Payer("MCD", "STATE MEDICAID PROGRAM", "77027", "medicaid", "MC", "MC",
          Decimal("0.24"), 180, "526000002"),
    Payer("MMC", "BADGER FAMILY CARE MEDICAID HMO", "MMC18", "managed_medicaid", "HM", "HM",
          Decimal("0.25"), 180, "526000008"),
    Payer("SHP", "SUMMIT HEALTH PLAN", "SHP01", "commercial", "CI", "CI",
          Decimal("0.52"), 90, "526000003"),
    Payer("BHH", "BLUE HORIZON HEALTH", "BHH77", "commercial", "BL", "BL",
          Decimal("0.57"), 120, "526000004"),
    Payer("PCI", "PINNACLE CARE INSURANCE", "PCI42", "commercial", "CI", "CI",
          Decimal("0.48"), 90, "526000005"),
)  # fmt: skip

_LAST = (
    "ABERNATHY", "BALDWIN", "CASTILLO", "DONOVAN", "ELLISON", "FARRELL", "GALLOWAY", "HARGROVE",
    "IVERSEN", "JENNINGS", "KOWALSKI", "LINDQVIST", "MADDOX", "NAKAMURA", "OKAFOR", "PRESCOTT",
    "QUINTERO", "RASMUSSEN", "SALAZAR", "THORNTON", "UNDERWOOD", "VASQUEZ", "WHITAKER",
    "YAMAMOTO", "ZIMMERMAN", "ASHFORD", "BRENNAN", "CALLOWAY", "DRISCOLL", "EASTWOOD",
)  # fmt: skip
_FIRST = (
    "AVERY", "BLAKE", "CAMERON", "DANA", "ELLIS", "FINLEY", "GRAY", "HARPER", "INDIA", "JORDAN",
    "KENDALL", "LOGAN", "MORGAN", "NOEL", "OAKLEY", "PARKER", "QUINN", "REESE", "SAWYER",
    "TAYLOR",
)  # fmt: skip


@dataclass(slots=True)
class Org:
    facilities: dict[str, Facility]
    departments: dict[str, Department]
    providers: dict[str, list[Provider]]  # department code -> its providers
    payers: dict[str, Payer]

    def provider_by_npi(self) -> dict[str, Provider]:
        return {p.npi: p for ps in self.providers.values() for p in ps}


def build_org(rng: random.Random) -> Org:
    """The fixed organisation, with NPIs drawn from ``rng`` (deterministic for a seed)."""
    used: set[str] = set()

    def new_npi(first: str) -> str:
        while True:
            npi = npi_with_check_digit(first + f"{rng.randrange(10**8):08d}")
            if npi not in used:
                used.add(npi)
                return npi

    facilities = {f.code: dataclasses.replace(f, npi=new_npi("1")) for f in FACILITIES}
    providers: dict[str, list[Provider]] = {}
    for dept in DEPARTMENTS:
        providers[dept.code] = [
            Provider(
                npi=new_npi(rng.choice("12")),
                last_name=rng.choice(_LAST),
                first_name=rng.choice(_FIRST),
                taxonomy=dept.taxonomies[i % len(dept.taxonomies)],
                department=dept.code,
            )
            for i in range(dept.providers)
        ]
    return Org(
        facilities=facilities,
        departments={d.code: d for d in DEPARTMENTS},
        providers=providers,
        payers={p.key: p for p in PAYERS},
    )


def write_payer_pack(org: Org, path: Path) -> None:
    """The demo payers' timely-filing limits as a scrub rule pack (``scrub_pack.yaml``): the
    scrubber's filing-limit rule and the risk model's days past the limit read them."""
    doc = {
        "version": 1,
        "payers": {
            p.payer_id: {"name": p.name, "filing_limit_days": p.timely_filing_days}
            for p in org.payers.values()
        },
    }
    header = "# Demo payers' filing limits (synthetic contracts): a denialscope rule pack.\n"
    path.write_text(header + yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def write_org_yaml(org: Org, path: Path) -> None:
    """The organisation mapping the ingest loads: facilities, departments, NPI mappings.

    Rendering/attending NPIs map to their department (priority 10); taxonomies map to the
    home department of that specialty as a fallback (priority 50); each hospital's billing
    NPI maps to the facility (priority 90).
    """
    mappings: list[dict[str, object]] = []
    for dept_code, people in org.providers.items():
        dept = org.departments[dept_code]
        for p in people:
            mappings.append(
                {
                    "match": "npi",
                    "value": p.npi,
                    "facility": dept.facility,
                    "department": dept_code,
                    "service_line": dept.service_line,
                    "priority": 10,
                }
            )
    seen_taxonomy: set[str] = set()
    for dept in org.departments.values():
        for tax in dept.taxonomies:
            if tax in seen_taxonomy:  # the first (RMC) department owns a shared specialty
                continue
            seen_taxonomy.add(tax)
            mappings.append(
                {
                    "match": "taxonomy",
                    "value": tax,
                    "facility": dept.facility,
                    "department": dept.code,
                    "service_line": dept.service_line,
                    "priority": 50,
                }
            )
    for fac in org.facilities.values():
        mappings.append(
            {"match": "billing_npi", "value": fac.npi, "facility": fac.code,
             "priority": 90}
        )  # fmt: skip
    doc = {
        "facilities": [{"code": f.code, "name": f.name} for f in org.facilities.values()],
        "departments": [
            {"code": d.code, "name": d.name, "service_line": d.service_line, "facility": d.facility}
            for d in org.departments.values()
        ],
        "mappings": mappings,
        "payers": [
            {"payer_id": p.payer_id, "name": p.name, "kind": p.kind} for p in org.payers.values()
        ],
    }
    header = (
        "# Demo organisation mapping (synthetic). Lower priority wins; precedence\n"
        "# npi > billing_npi > taxonomy > facility_code is applied by the ingest.\n"
    )
    path.write_text(header + yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
