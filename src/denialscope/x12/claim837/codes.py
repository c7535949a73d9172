"""What the 837 code qualifiers mean: HI categories, which qualifiers each kind allows, PRV roles.

Kept as small tables (data, not ``if`` chains) so the parser, the writer and the checks agree.
The 4010 guides use the ICD-9 style qualifiers (BK, BF, BR ...); 5010 adds the ICD-10 ones
(ABK, ABF, BBR ...) and keeps the old ones for ICD-9 codes, so both sets are valid in both.
"""

from __future__ import annotations

__all__ = [
    "DIAGNOSIS",
    "HI_CATEGORY",
    "HI_QUALIFIERS",
    "INPATIENT_FACILITY_TYPES",
    "POINTER_DIAGNOSIS",
    "PRV_ROLE",
]

# Category names are grouped by prefix so that "diagnosis.*" means any diagnosis.
HI_CATEGORY: dict[str, str] = {
    "ABK": "diagnosis.principal",
    "BK": "diagnosis.principal",
    "ABF": "diagnosis.other",
    "BF": "diagnosis.other",
    "ABJ": "diagnosis.admitting",
    "BJ": "diagnosis.admitting",
    "ABN": "diagnosis.external_cause",
    "BN": "diagnosis.external_cause",
    "APR": "diagnosis.reason_for_visit",
    "PR": "diagnosis.reason_for_visit",
    "ZZ": "diagnosis.reason_for_visit",  # 4010 837I patient's reason for visit
    "BBR": "procedure.principal",  # ICD-10-PCS
    "BR": "procedure.principal",  # ICD-9-CM volume 3
    "CAH": "procedure.principal",  # advanced billing concepts
    "BBQ": "procedure.other",
    "BQ": "procedure.other",
    "BP": "procedure.principal",  # HCPCS principal (837I) / anesthesia related (837P)
    "BO": "procedure.other",  # HCPCS other
    "DR": "drg",
    "BH": "occurrence",
    "BI": "occurrence_span",
    "BE": "value",
    "BG": "condition",
    "TC": "treatment",
}

DIAGNOSIS = frozenset(q for q, c in HI_CATEGORY.items() if c.startswith("diagnosis."))

# SV107 pointers count the principal and other diagnoses, in HI order (837P 2300 HI).
POINTER_DIAGNOSIS = frozenset(("ABK", "BK", "ABF", "BF"))

HI_QUALIFIERS: dict[str, frozenset[str]] = {
    "837P": frozenset(("ABK", "BK", "ABF", "BF", "BP", "BO", "BG")),
    "837I": frozenset(HI_CATEGORY),
    "837D": frozenset(("ABK", "BK", "ABF", "BF")),
}

# Facility type codes (CLM05-1 on an 837I, the first two digits of the bill type) that mean an
# inpatient stay: hospital inpatient (11, 12 Part B), swing bed (18), skilled nursing
# inpatient (21, 22) and religious non-medical inpatient (41).
INPATIENT_FACILITY_TYPES = frozenset(("11", "12", "18", "21", "22", "41"))

# Entity identifier (NM101) -> PRV01 provider code the writer uses with that provider's taxonomy.
PRV_ROLE: dict[str, str] = {
    "85": "BI",
    "87": "PT",
    "71": "AT",
    "72": "OP",
    "ZZ": "OT",
    "82": "PE",
    "DN": "RF",
    "P3": "RF",
    "DQ": "SU",
}
