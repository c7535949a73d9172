"""Pure X12 reading and writing: tokenizer, envelopes, 835, 837, 277CA, 999. No I/O but files.

The names most callers need are re-exported here::

    from denialscope.x12 import open_x12, ClaimPayment, ClaimAcknowledgment

Transaction-set parsers themselves are imported lazily by the reader, per ST01, and these
names on first use (PEP 562): ``import denialscope.x12.reader`` does not pay for the 837
and acknowledgment records, nor the writer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# name -> the module that defines it
_HOMES: dict[str, str] = {
    "BatchAcknowledgment": "denialscope.x12.ack.records",
    "Claim": "denialscope.x12.claim837.records",
    "ClaimAcknowledgment": "denialscope.x12.ack.records",
    "ClaimPayment": "denialscope.x12.remit835.records",
    "Delimiters": "denialscope.x12.tokenizer",
    "Diagnostic": "denialscope.x12.diagnostics",
    "DiagnosticSink": "denialscope.x12.diagnostics",
    "FileSummary": "denialscope.x12.envelope",
    "FunctionalGroup": "denialscope.x12.envelope",
    "GroupAcknowledgment": "denialscope.x12.ack.records",
    "Interchange": "denialscope.x12.envelope",
    "Line": "denialscope.x12.claim837.records",
    "ProviderAdjustment": "denialscope.x12.remit835.records",
    "Remittance": "denialscope.x12.remit835.records",
    "ServicePayment": "denialscope.x12.remit835.records",
    "Severity": "denialscope.x12.diagnostics",
    "Submission": "denialscope.x12.claim837.records",
    "Tokenizer": "denialscope.x12.tokenizer",
    "TransactionAcknowledgment": "denialscope.x12.ack.records",
    "TransactionContext": "denialscope.x12.envelope",
    "TransactionSet": "denialscope.x12.envelope",
    "X12Reader": "denialscope.x12.reader",
    "X12Writer": "denialscope.x12.writer",
    "detect_delimiters": "denialscope.x12.tokenizer",
    "format_amount": "denialscope.x12.writer",
    "open_x12": "denialscope.x12.reader",
    "register_parser": "denialscope.x12.reader",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # next time a plain module attribute
    return value
