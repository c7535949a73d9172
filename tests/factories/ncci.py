"""The heading lines CMS puts above the NCCI PTP and MUE tables, for synthetic table files.

Only the headings (the loaders must skip them); the edit rows each test writes are invented.
"""

from __future__ import annotations

__all__ = ["MUE_HEADING", "PTP_HEADING"]

PTP_HEADING = [
    "CPT only copyright 2025 American Medical Association. All rights reserved.",
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\t"
    "Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\t"
    "PTP Edit Rationale",
]
MUE_HEADING = [
    '"CPT codes, descriptions and other data only are copyright 2025 American Medical '
    'Association. All Rights Reserved."',
    '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"',
]
