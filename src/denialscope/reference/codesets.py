"""Loaders for the bundled public-domain code sets, each read once and cached.

Keys are normalised the way claims carry them: ICD-10 codes upper case without the dot,
DRGs as three digits, CARC/RARC numbers as printed by payers. The CARC and RARC files hold
numbers and status only: their descriptions are X12's and users load them themselves.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from types import MappingProxyType

__all__ = [
    "DrgWeight",
    "Icd10cmCode",
    "PlaceOfService",
    "carc_numbers",
    "cc_mcc",
    "group_codes",
    "icd10cm",
    "icd10cm_coverage",
    "icd10cm_validity",
    "icd10pcs_codes",
    "mdc",
    "msdrg_weights",
    "normalize_icd",
    "place_of_service",
    "rarc_numbers",
]

_PACKAGE = "denialscope.reference"


@dataclass(frozen=True, slots=True)
class Icd10cmCode:
    code: str  # no dot, upper case: the form an 837 HI segment carries
    dotted: str
    description: str
    billable: bool  # a leaf code valid on a claim
    kind: str  # chapter, block, category, subcategory, extended_subcategory
    parent: str | None  # key of the parent row in the same mapping


@dataclass(frozen=True, slots=True)
class DrgWeight:
    drg: str
    mdc: str  # "01".."25", "PRE", or "" for 998/999
    type: str  # MED, SURG, or "**" for the ungroupable DRGs
    title: str
    weight: Decimal | None
    gmlos: Decimal | None
    amlos: Decimal | None


@dataclass(frozen=True, slots=True)
class PlaceOfService:
    code: str
    name: str
    telehealth: bool


def normalize_icd(code: str) -> str:
    """ICD-10 code as a lookup key: no dot, no spaces, upper case."""
    return code.replace(".", "").strip().upper()


def _rows(name: str) -> Iterator[dict[str, str]]:
    raw = resources.files(_PACKAGE).joinpath("data", name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    yield from csv.DictReader(io.StringIO(raw.decode("utf-8")))


def _decimal(text: str) -> Decimal | None:
    text = text.strip()
    return Decimal(text) if text and text != "." else None


@cache
def icd10cm() -> Mapping[str, Icd10cmCode]:
    """ICD-10-CM FY2026 tabular list: code (no dot, upper) -> entry, chapters and blocks too."""
    out: dict[str, Icd10cmCode] = {}
    for r in _rows("icd10cm.csv.gz"):
        key = normalize_icd(r["code"])
        # Chapters ("1".."22") and blocks ("A00-A09") are navigation rows: their parent
        # keys are kept verbatim, codes' parents are normalised like the codes.
        parent = r["parent"].strip()
        out[key] = Icd10cmCode(
            code=key,
            dotted=r["code"],
            description=r["description"],
            billable=r["billable"] == "1",
            kind=r["kind"],
            parent=normalize_icd(parent) if parent else None,
        )
    return MappingProxyType(out)


@cache
def icd10cm_validity() -> Mapping[str, tuple[tuple[date, date], ...]]:
    """Billable ICD-10-CM code (no dot) -> the date ranges it was valid, FY2016 on.

    From the CMS Medicare Code Editor master table the ``msdrg`` package ships (see
    ``build_validity`` and data/SOURCES.md); a code deleted and later re-added has two ranges.
    """
    out: dict[str, list[tuple[date, date]]] = {}
    for r in _rows("icd10cm_validity.csv.gz"):
        span = (date.fromisoformat(r["valid_from"]), date.fromisoformat(r["valid_to"]))
        out.setdefault(r["code"], []).append(span)
    return MappingProxyType({code: tuple(sorted(spans)) for code, spans in out.items()})


@cache
def icd10cm_coverage() -> tuple[date, date]:
    """First and last service date the shipped validity table covers."""
    spans = [span for spans in icd10cm_validity().values() for span in spans]
    return min(s for s, _ in spans), max(e for _, e in spans)


@cache
def icd10pcs_codes() -> frozenset[str]:
    """ICD-10-PCS codes (an older year, about FY2024: see data/SOURCES.md)."""
    return frozenset(r["code"] for r in _rows("icd10pcs_codes.csv.gz"))


@cache
def msdrg_weights() -> Mapping[str, DrgWeight]:
    """MS-DRG v43 (FY2026) relative weights and lengths of stay by three-digit DRG."""
    out: dict[str, DrgWeight] = {}
    for r in _rows("ms_drg_weights.csv"):
        drg = r["drg"].zfill(3)
        out[drg] = DrgWeight(
            drg=drg,
            mdc=r["mdc"],
            type=r["type"],
            title=r["title"],
            weight=_decimal(r["weight"]),
            gmlos=_decimal(r["gmlos"]),
            amlos=_decimal(r["amlos"]),
        )
    return MappingProxyType(out)


@cache
def cc_mcc() -> Mapping[str, str]:
    """ICD-10-CM code (no dot) -> "CC" or "MCC" (Tables 6I/6J; exclusions not applied)."""
    return MappingProxyType({r["code"]: r["severity"] for r in _rows("ms_drg_cc_mcc.csv.gz")})


@cache
def mdc() -> Mapping[str, str]:
    """Major diagnostic category number ("01".."25") -> name."""
    return MappingProxyType(
        {r["mdc_code"].zfill(2): r["mdc_description"] for r in _rows("ms_drg_mdc.csv")}
    )


@cache
def place_of_service() -> Mapping[str, PlaceOfService]:
    """CMS place-of-service code ("11") -> entry."""
    out = {}
    for r in _rows("place_of_service.csv"):
        code = r["pos_code"].zfill(2)
        out[code] = PlaceOfService(code, r["name"], r["is_telehealth"] == "1")
    return MappingProxyType(out)


@cache
def carc_numbers() -> Mapping[str, str]:
    """CARC number -> status (current, deactivated); no descriptions (X12 copyright)."""
    return MappingProxyType(
        {r["code"].strip().upper(): r["status"] for r in _rows("carc_numbers.csv")}
    )


@cache
def rarc_numbers() -> Mapping[str, str]:
    """RARC code (M15, N115, MA130) -> status; no descriptions (X12 copyright)."""
    return MappingProxyType(
        {r["code"].strip().upper(): r["status"] for r in _rows("rarc_numbers.csv")}
    )


@cache
def group_codes() -> Mapping[str, str]:
    """Claim adjustment group code (CO, PR, OA, PI, CR) -> short name."""
    return MappingProxyType({r["group_code"]: r["name"] for r in _rows("group_codes.csv")})
