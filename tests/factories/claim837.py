"""Build 837 Claim records from the small YAML specs the rule case files use.

Every field has a default that passes all rules, so a case states only what it tests.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from denialscope.x12.claim837.parties import Party, Submission, Subscriber
from denialscope.x12.claim837.records import Claim, CodeEntry, Line

__all__ = ["build_claim"]

VALID_NPI = "1234567893"
OTHER_NPI = "1245319599"


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _line(spec: dict[str, Any], default_day: date | None, kind: str) -> Line:
    providers = []
    if "rendering_npi" in spec:
        providers.append(Party("82", "1", id_qualifier="XX", identifier=str(spec["rendering_npi"])))
    day = _day(spec["date"]) if "date" in spec else default_day
    return Line(
        procedure=str(spec.get("procedure", "99213")),
        charge=None if spec.get("charge", 100) is None else Decimal(str(spec.get("charge", 100))),
        modifiers=[str(m) for m in spec.get("modifiers", [])],
        units=None if spec.get("units", 1) is None else Decimal(str(spec.get("units", 1))),
        place_of_service=str(spec.get("pos", "")),
        diagnosis_pointers=[int(p) for p in spec.get("pointers", [1])],
        revenue_code=str(spec.get("revenue_code", "0450" if kind == "837I" else "")),
        service_from=day,
        service_to=day,
        providers=providers,
    )


def build_claim(spec: dict[str, Any] | None = None) -> Claim:
    spec = dict(spec or {})
    kind = str(spec.get("kind", "837P"))
    default_day = _day(spec.get("service_date", "2026-01-15"))
    dx = [str(c) for c in spec.get("diagnoses", ["I10"])]
    institutional = kind == "837I"
    codes = [CodeEntry("ABK" if i == 0 else "ABF", c) for i, c in enumerate(dx)]
    if "admitting" in spec:
        codes.append(CodeEntry("ABJ", str(spec["admitting"])))
    for i, p in enumerate(spec.get("procedures", [])):
        codes.append(CodeEntry("BBR" if i == 0 else "BBQ", str(p), "D8", default_day))
    if "drg" in spec:
        codes.append(CodeEntry("DR", str(spec["drg"])))
    dates: dict[str, tuple[date | None, date | None]] = {}
    if "statement" in spec:
        start, end = spec["statement"]
        dates["434"] = (_day(start), _day(end))
    if "admission" in spec:
        dates["435"] = (_day(spec["admission"]), _day(spec["admission"]))
    if "discharge" in spec:
        dates["096"] = (_day(spec["discharge"]), _day(spec["discharge"]))
    patient = spec.get("patient", {})
    member = Party(
        "IL",
        "1",
        name=str(patient.get("last", "DOE")),
        first_name=str(patient.get("first", "ALEX")),
        id_qualifier="MI",
        identifier=str(patient.get("member_id", "M0001")),
        birth_date=_day(patient.get("birth_date", "1980-05-01")),
        sex=str(patient.get("sex", "F")),
    )
    billing = spec.get("billing", {})
    providers = []
    if "rendering" in spec:
        r = spec["rendering"]
        providers.append(
            Party(
                "82",
                "1",
                id_qualifier="XX",
                identifier=str(r.get("npi", OTHER_NPI)),
                taxonomy=str(r.get("taxonomy", "207Q00000X")),
            )
        )
    lines = [_line(ln, default_day, kind) for ln in spec.get("lines", [{}])]
    return Claim(
        str(spec.get("id", "C1")),
        None,
        kind=kind,
        facility_code=str(spec.get("facility_code", "11" if kind == "837P" else "13")),
        frequency=str(spec.get("frequency", "1")),
        dates=dates,
        admission_type=str(spec.get("admission_type", "1" if "admission" in spec else "")),
        patient_status=str(spec.get("patient_status", "01" if institutional else "")),
        refs=[(str(k), str(v)) for k, v in spec.get("refs", {}).items()],
        codes=codes,
        providers=providers,
        lines=lines,
        billing_provider=Party(
            "85",
            id_qualifier="XX",
            identifier=str(billing.get("npi", VALID_NPI)),
            taxonomy=str(billing.get("taxonomy", "207Q00000X")),
            name="CLINIC",
        ),
        subscriber=Subscriber(party=member),
        payer=Party(
            "PR", name="ACME", id_qualifier="PI", identifier=str(spec.get("payer", "12345"))
        ),
        submission=Submission(created=_day(spec.get("submitted", "2026-01-20"))),
    )
