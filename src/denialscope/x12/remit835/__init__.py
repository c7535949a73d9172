"""X12 835 remittance advice: records and the transaction-set parser.

The reader (:func:`denialscope.x12.reader.open_x12`) drives :class:`Parser`; consumers only
meet the records::

    with open_x12("remit.835") as reader:
        for record in reader:
            if isinstance(record, ClaimPayment):
                ...
"""

from __future__ import annotations

from denialscope.x12.remit835.codes import CLAIM_STATUS_LABELS
from denialscope.x12.remit835.records import (
    Adjustment,
    ClaimPayment,
    Contact,
    InpatientAdjudication,
    Organization,
    OutpatientAdjudication,
    Party,
    Procedure,
    ProviderAdjustment,
    ProviderSummary,
    RemarkCode,
    Remittance,
    ServicePayment,
)

__all__ = [
    "CLAIM_STATUS_LABELS",
    "Adjustment",
    "ClaimPayment",
    "Contact",
    "InpatientAdjudication",
    "Organization",
    "OutpatientAdjudication",
    "Party",
    "Procedure",
    "ProviderAdjustment",
    "ProviderSummary",
    "RemarkCode",
    "Remittance",
    "ServicePayment",
]
