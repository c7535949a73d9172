"""Code values the 835 guides (005010X221A1, 004010X091A1) allow, for validation only.

An unknown value is always kept as sent; these sets only decide whether a diagnostic is due.
"""

from __future__ import annotations

__all__ = [
    "CAS_GROUPS",
    "CLAIM_STATUSES",
    "CLAIM_STATUS_LABELS",
    "CREDIT_DEBIT",
    "HANDLING_CODES",
    "KNOWN_SEGMENTS",
    "PAYMENT_METHODS",
    "REMARK_QUALIFIERS",
]

# CLP02. Our own short labels (the code list itself is not copyrighted text).
CLAIM_STATUS_LABELS: dict[str, str] = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "primary, forwarded to another payer",
    "20": "secondary, forwarded to another payer",
    "21": "tertiary, forwarded to another payer",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded",
    "25": "predetermination pricing only, no payment",
}
CLAIM_STATUSES = frozenset(CLAIM_STATUS_LABELS)

CAS_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})

HANDLING_CODES = frozenset({"C", "D", "H", "I", "P", "U", "X"})  # BPR01
CREDIT_DEBIT = frozenset({"C", "D"})  # BPR03
PAYMENT_METHODS = frozenset({"ACH", "BOP", "CHK", "FWT", "NON"})  # BPR04

REMARK_QUALIFIERS = frozenset({"HE", "RX"})  # LQ01

# Every segment either guide places between ST and SE: one outside this set is not an 835
# segment at all, one inside it is merely in the wrong place.
KNOWN_SEGMENTS = frozenset(
    {
        "BPR",
        "TRN",
        "CUR",
        "REF",
        "DTM",
        "N1",
        "N2",
        "N3",
        "N4",
        "PER",
        "RDM",
        "LX",
        "TS3",
        "TS2",
        "CLP",
        "CAS",
        "NM1",
        "MIA",
        "MOA",
        "AMT",
        "QTY",
        "SVC",
        "LQ",
        "PLB",
    }
)
