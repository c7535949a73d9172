"""Pure X12 reading and writing: tokenizer, envelopes, 835, 837, 277CA, 999. No I/O but files.

The names most callers need are re-exported here::

    from denialscope.x12 import open_x12, ClaimPayment, ClaimAcknowledgment

Transaction-set parsers themselves are imported lazily by the reader, per ST01.
"""

from __future__ import annotations

from denialscope.x12.ack.records import (
    BatchAcknowledgment,
    ClaimAcknowledgment,
    GroupAcknowledgment,
    TransactionAcknowledgment,
)
from denialscope.x12.claim837.records import Claim, Line, Submission
from denialscope.x12.diagnostics import Diagnostic, DiagnosticSink, Severity
from denialscope.x12.envelope import (
    FileSummary,
    FunctionalGroup,
    Interchange,
    TransactionContext,
    TransactionSet,
)
from denialscope.x12.reader import X12Reader, open_x12, register_parser
from denialscope.x12.remit835.records import (
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServicePayment,
)
from denialscope.x12.tokenizer import Delimiters, Tokenizer, detect_delimiters
from denialscope.x12.writer import X12Writer, format_amount

__all__ = [
    "BatchAcknowledgment",
    "Claim",
    "ClaimAcknowledgment",
    "ClaimPayment",
    "Delimiters",
    "Diagnostic",
    "DiagnosticSink",
    "FileSummary",
    "FunctionalGroup",
    "GroupAcknowledgment",
    "Interchange",
    "Line",
    "ProviderAdjustment",
    "Remittance",
    "ServicePayment",
    "Severity",
    "Submission",
    "Tokenizer",
    "TransactionAcknowledgment",
    "TransactionContext",
    "TransactionSet",
    "X12Reader",
    "X12Writer",
    "detect_delimiters",
    "format_amount",
    "open_x12",
    "register_parser",
]
