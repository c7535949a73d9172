"""Code sets and their loaders: ICD-10-CM/PCS, MS-DRG, places of service, CARC/RARC numbers.

Everything bundled here is public domain (see ``data/SOURCES.md``); licensed lists (CARC and
RARC descriptions, CPT, NCCI, revenue codes) are never bundled.
"""

from __future__ import annotations

from denialscope.reference.codesets import (
    DrgWeight,
    Icd10cmCode,
    PlaceOfService,
    carc_numbers,
    cc_mcc,
    group_codes,
    icd10cm,
    icd10cm_coverage,
    icd10cm_validity,
    icd10pcs_codes,
    mdc,
    msdrg_weights,
    normalize_icd,
    place_of_service,
    rarc_numbers,
)

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
