"""X12 837P/837I claims: records, the transaction-set parser (used by the reader), a writer."""

from __future__ import annotations

from denialscope.x12.claim837.records import (
    Address,
    Adjustment,
    Attachment,
    Claim,
    CodeEntry,
    Contact,
    DateRange,
    Drug,
    Line,
    LineAdjudication,
    OtherPayer,
    Party,
    Patient,
    Submission,
    Subscriber,
    to_plain,
)
from denialscope.x12.claim837.writer import write_837

__all__ = [
    "Address",
    "Adjustment",
    "Attachment",
    "Claim",
    "CodeEntry",
    "Contact",
    "DateRange",
    "Drug",
    "Line",
    "LineAdjudication",
    "OtherPayer",
    "Party",
    "Patient",
    "Submission",
    "Subscriber",
    "to_plain",
    "write_837",
]
