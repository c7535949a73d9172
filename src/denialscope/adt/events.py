"""What one ADT message says about one stay, independent of its source (HL7 v2 or FHIR)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["EVENTS", "AdtEvent", "Coverage"]

# The events the census applies: what each does to the stay's status ("keep" leaves it).
EVENTS: dict[str, str] = {
    "A01": "active",  # admit (inpatient)
    "A02": "keep",  # transfer: location only
    "A03": "discharged",
    "A04": "active",  # register (outpatient, observation)
    "A06": "active",  # outpatient -> inpatient
    "A07": "active",  # inpatient -> outpatient
    "A08": "keep",  # update (working diagnoses, attending)
    "A11": "cancelled",  # cancel admit / visit
    "A13": "active",  # cancel discharge
}


@dataclass(frozen=True, slots=True)
class Coverage:
    payer_id: str | None
    payer_name: str | None


@dataclass(frozen=True, slots=True)
class AdtEvent:
    control_id: str
    source: str  # hl7, fhir
    event: str  # one of EVENTS
    at: dt.datetime  # when it happened (EVN-2, else MSH-7)
    visit_number: str
    facility: str | None = None
    patient_ref: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    patient_class: str | None = None  # I, O, E ...
    admit_at: dt.datetime | None = None
    discharge_at: dt.datetime | None = None
    expected_discharge_at: dt.datetime | None = None  # PV2-9
    attending_npi: str | None = None
    attending_name: str | None = None
    service: str | None = None
    diagnoses: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()  # "<system>:<code>"
    coverage: Coverage | None = None
    extra: dict[str, str] = field(default_factory=dict)
