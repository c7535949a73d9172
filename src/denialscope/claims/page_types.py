"""The shapes of the claim page (:mod:`denialscope.claims.page`): the 837 as stored, its
submissions and acknowledgments, related claims, and the whole page. ``ClaimPage`` is the one
shape that carries patient identifiers: only the audited claim page shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from denialscope.denials.explain import ClaimExplanation
from denialscope.workqueue.schemas import WorkItemDetails

__all__ = [
    "AckRow",
    "ClaimHeader",
    "ClaimPage",
    "CodeRow",
    "DiagnosisRow",
    "LineRow",
    "PatientFacts",
    "ProviderRow",
    "RelatedClaim",
    "VersionRow",
]


@dataclass(frozen=True, slots=True)
class ClaimHeader:
    id: int
    control_number: str
    kind: str | None
    claim_type: str | None
    frequency: str | None
    facility_code: str | None
    total_charge: Decimal | None
    statement_from: dt.date | None
    statement_to: dt.date | None
    admission_date: dt.date | None
    discharge_date: dt.date | None
    admission_type: str | None
    patient_status: str | None
    drg: str | None
    principal_dx: str | None
    prior_auth: str | None
    referral: str | None
    filing_indicator: str | None
    medical_record: str | None
    original_payer_claim_number: str | None
    submitted_at: dt.date | None
    is_stub: bool
    current_version: int
    payer: str | None
    department: str | None
    service_line: str | None


@dataclass(frozen=True, slots=True)
class PatientFacts:
    name: str | None
    member_id: str | None
    birth_date: dt.date | None
    sex: str | None


@dataclass(frozen=True, slots=True)
class DiagnosisRow:
    seq: int
    qualifier: str
    code: str
    poa: str | None


@dataclass(frozen=True, slots=True)
class CodeRow:
    """An ICD-10-PCS procedure, or an occurrence/value/condition code (837I)."""

    kind: str
    code: str
    date_from: dt.date | None
    date_to: dt.date | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class LineRow:
    line_no: int
    procedure: str | None
    modifiers: str | None
    revenue_code: str | None
    units: Decimal | None
    charge: Decimal | None
    place_of_service: str | None
    diagnosis_pointers: str | None
    service_from: dt.date | None
    service_to: dt.date | None
    rendering_npi: str | None
    ndc: str | None


@dataclass(frozen=True, slots=True)
class ProviderRow:
    role: str
    name: str | None
    npi: str | None
    taxonomy: str | None


@dataclass(frozen=True, slots=True)
class VersionRow:
    version_no: int
    frequency: str | None
    frequency_label: str
    submitted_at: dt.date | None
    total_charge: Decimal | None
    original_payer_claim_number: str | None
    file: str | None


@dataclass(frozen=True, slots=True)
class AckRow:
    kind: str
    status: str
    control_number: str | None
    payer_claim_number: str | None
    category_codes: str | None
    status_codes: str | None
    acknowledged_at: dt.date | None
    file: str | None


@dataclass(frozen=True, slots=True)
class RelatedClaim:
    id: int
    control_number: str
    relation: str  # "corrects this claim" / "corrected by this claim"
    frequency: str | None
    payer_claim_number: str | None


@dataclass(frozen=True, slots=True)
class ClaimPage:
    """One claim as its page shows it (the JSON twin: the same fields)."""

    claim: ClaimHeader
    patient: PatientFacts | None
    stream: str | None  # whose claim it is: its work item's stream, else its last denial's
    diagnoses: tuple[DiagnosisRow, ...]
    codes: tuple[CodeRow, ...]
    lines: tuple[LineRow, ...]
    providers: tuple[ProviderRow, ...]
    versions: tuple[VersionRow, ...]
    acknowledgments: tuple[AckRow, ...]
    payments: ClaimExplanation
    related: tuple[RelatedClaim, ...]
    work: WorkItemDetails | None

    def to_dict(self) -> dict[str, Any]:
        from denialscope.output.jsonout import plain

        return {
            "claim": plain(self.claim),
            "patient": plain(self.patient),
            "stream": self.stream,
            "diagnoses": plain(self.diagnoses),
            "codes": plain(self.codes),
            "lines": plain(self.lines),
            "providers": plain(self.providers),
            "versions": plain(self.versions),
            "acknowledgments": plain(self.acknowledgments),
            "payments": self.payments.to_dict()["payments"],
            "classification_version": self.payments.config_version,
            "related": plain(self.related),
            "work_item": None if self.work is None else self.work.to_dict(),
        }
