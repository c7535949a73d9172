"""The fixed vocabulary of classification: streams, categories and root causes (layer 2).

The canonical root-cause ids are shared with the demo generator, the analytics and the work
queues, so they are pinned here; an organization may add its own root causes in YAML but may
not move a canonical one to another stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "CANONICAL_ROOT_CAUSES",
    "CATEGORIES",
    "CLAIM_TYPES",
    "DENIAL_STREAMS",
    "GROUP_CODES",
    "NON_DENIAL_CATEGORIES",
    "NOT_A_DENIAL",
    "STREAMS",
    "UNCLASSIFIED",
    "RootCause",
    "normalize_claim_type",
]

DENIAL_STREAMS: Final = ("clinical", "coding", "access", "billing")
STREAMS: Final = (*DENIAL_STREAMS, "none")

# What an adjustment is, before asking why: only "denial" counts in denial rates.
CATEGORIES: Final = ("denial", "contractual", "patient_share", "bookkeeping", "duplicate")
NON_DENIAL_CATEGORIES: Final = ("contractual", "patient_share", "bookkeeping")

GROUP_CODES: Final = ("CO", "PR", "OA", "PI", "CR")
CLAIM_TYPES: Final = ("professional", "inpatient", "outpatient")

NOT_A_DENIAL: Final = "not_a_denial"
UNCLASSIFIED: Final = "unclassified"

CANONICAL_ROOT_CAUSES: Final[dict[str, str]] = {
    "medical_necessity": "clinical",
    "level_of_care": "clinical",
    "length_of_stay": "clinical",
    "concurrent_review": "clinical",
    "auth_denied_clinical_review": "clinical",
    "experimental_investigational": "clinical",
    "documentation_insufficient": "clinical",
    "readmission": "clinical",
    "ncci_bundling": "coding",
    "modifier_missing_invalid": "coding",
    "procedure_dx_mismatch": "coding",
    "invalid_procedure_code": "coding",
    "invalid_diagnosis_code": "coding",
    "unspecified_diagnosis": "coding",
    "units_mue": "coding",
    "age_sex_conflict": "coding",
    "place_of_service": "coding",
    "drg_apc_dispute": "coding",
    "em_level": "coding",
    "qualifying_service_missing": "coding",
    "eligibility_terminated": "access",
    "patient_not_identified": "access",
    "coverage_noncovered": "access",
    "cob_other_payer": "access",
    "wrong_payer": "access",
    "auth_not_obtained": "access",
    "referral_not_obtained": "access",
    "benefit_maximum": "access",
    "out_of_network": "access",
    "timely_filing": "billing",
    "duplicate": "billing",
    "missing_information": "billing",
    "missing_attachment": "billing",
    "provider_enrollment": "billing",
    "claim_data_error": "billing",
    "pricing_contract_dispute": "billing",
    "provider_type_mismatch": "billing",
    "record_incomplete": "billing",
    NOT_A_DENIAL: "none",
    UNCLASSIFIED: "none",
}

# Aliases seen in claim data (837 kinds, bill-type wording) for the three claim types.
_CLAIM_TYPE_ALIASES: Final = {
    "professional": "professional",
    "prof": "professional",
    "p": "professional",
    "837p": "professional",
    "inpatient": "inpatient",
    "ip": "inpatient",
    "outpatient": "outpatient",
    "op": "outpatient",
}


@dataclass(slots=True, frozen=True)
class RootCause:
    """A layer-2 root cause, owned by one stream, with its layer-3 defaults."""

    id: str
    stream: str
    label: str
    description: str
    documentation_driven: bool
    process_step: str
    owner_role: str
    owner_name: str | None = None

    @property
    def category(self) -> str:
        """The category an adjustment with this root cause falls in by default."""
        if self.id == "duplicate":
            return "duplicate"
        if self.id == NOT_A_DENIAL:
            return "contractual"
        return "denial"


def normalize_claim_type(value: str | None) -> str | None:
    """professional / inpatient / outpatient from common spellings; None when unknown."""
    if value is None:
        return None
    return _CLAIM_TYPE_ALIASES.get(value.strip().lower())
