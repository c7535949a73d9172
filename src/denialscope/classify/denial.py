"""Is it a denial? Claim-level classification over an adjudicated claim.

Every claim- and line-level adjustment is classified (see :mod:`denialscope.classify.engine`);
the claim then gets one denial type:

- ``reversal``: status 22, the payer takes back an earlier payment (bookkeeping).
- ``full_denial``: status 4, or nothing paid on a charged claim with a denial-type reason.
- ``duplicate``: nothing paid and the only reasons are duplicates (worked, not a denial).
- ``line_denial``: the claim is partly paid and at least one line is denied (charge > 0 and
  allowed = 0, or paid = 0 with no patient responsibility) with a denial-type reason.
- ``partial_denial``: a denial-type reason reduced payment on a paid claim or line.
- ``paid``: no denial-type reason (contractual, cost share and bookkeeping only).

The primary root cause is the one with the largest denied amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

from denialscope.classify.config import ClassificationConfig
from denialscope.classify.engine import Classification, classify_adjustment
from denialscope.classify.taxonomy import UNCLASSIFIED

__all__ = [
    "DENIAL_TYPES",
    "AdjudicatedClaim",
    "AdjudicatedLine",
    "Adjustment",
    "AdjustmentResult",
    "ClaimClassification",
    "classify_claim",
    "line_is_denied",
]

DENIAL_TYPES: Final = (
    "full_denial",
    "line_denial",
    "partial_denial",
    "duplicate",
    "paid",
    "reversal",
)
_ZERO: Final = Decimal(0)
_DENIED_STATUS: Final = "4"
_REVERSAL_STATUS: Final = "22"


@dataclass(slots=True, frozen=True)
class Adjustment:
    """One CAS triplet: group code, reason code and amount."""

    group: str
    carc: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(slots=True, frozen=True)
class AdjudicatedLine:
    """One service line as the payer adjudicated it."""

    charge: Decimal
    paid: Decimal
    allowed: Decimal | None = None
    procedure_code: str | None = None
    adjustments: Sequence[Adjustment] = ()
    remarks: Sequence[str] = ()
    modifiers: Sequence[str] = ()  # as billed: a GA/GX/GY notice moves liability


@dataclass(slots=True, frozen=True)
class AdjudicatedClaim:
    """What classification needs from one claim payment (CLP loop of an 835)."""

    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None = None
    claim_type: str | None = None
    payer_id: str | None = None
    adjudicated_on: date | None = None
    department: str | None = None
    service_line: str | None = None
    adjustments: Sequence[Adjustment] = ()
    remarks: Sequence[str] = ()
    lines: Sequence[AdjudicatedLine] = ()


@dataclass(slots=True, frozen=True)
class AdjustmentResult:
    """One adjustment with its classification; ``line`` is the 0-based line index or None."""

    adjustment: Adjustment
    line: int | None
    classification: Classification


@dataclass(slots=True, frozen=True)
class ClaimClassification:
    """The claim's denial type, its primary root cause and every adjustment's result."""

    denial_type: str
    is_denial: bool
    primary_root_cause: str | None
    primary_stream: str
    denied_amount: Decimal
    denied_by_root_cause: dict[str, Decimal]
    denied_lines: tuple[int, ...]
    adjustments: tuple[AdjustmentResult, ...]
    config_version: str
    rule_ids: tuple[str, ...] = field(default=())


def line_is_denied(line: AdjudicatedLine) -> bool:
    """Rule of thumb: charged, and nothing allowed, or nothing paid and nothing on the patient."""
    if line.charge <= _ZERO:
        return False
    if line.allowed is not None and line.allowed == _ZERO:
        return True
    patient = sum((a.amount for a in line.adjustments if a.group.upper() == "PR"), _ZERO)
    return line.paid == _ZERO and patient == _ZERO


def classify_claim(config: ClassificationConfig, claim: AdjudicatedClaim) -> ClaimClassification:
    """Classify every adjustment of a claim and the claim as a whole."""
    results: list[AdjustmentResult] = []
    paid_nothing = claim.paid == _ZERO and claim.charge > _ZERO

    def classify(adjustment: Adjustment, line: AdjudicatedLine | None) -> Classification:
        return classify_adjustment(
            config,
            group=adjustment.group,
            carc=adjustment.carc,
            claim_rarcs=claim.remarks,
            line_rarcs=line.remarks if line is not None else (),
            claim_type=claim.claim_type,
            payer_id=claim.payer_id,
            adjudicated_on=claim.adjudicated_on,
            department=claim.department,
            service_line=claim.service_line,
            procedure_code=line.procedure_code if line is not None else None,
            modifiers=line.modifiers if line is not None else (),
            claim_paid_nothing=paid_nothing,
        )

    for adjustment in claim.adjustments:
        results.append(AdjustmentResult(adjustment, None, classify(adjustment, None)))
    for index, line in enumerate(claim.lines):
        for adjustment in line.adjustments:
            results.append(AdjustmentResult(adjustment, index, classify(adjustment, line)))

    denied: dict[str, Decimal] = {}
    streams: dict[str, str] = {}
    for item in results:
        if item.classification.is_denial:
            cause = item.classification.root_cause
            denied[cause] = denied.get(cause, _ZERO) + item.adjustment.amount
            streams.setdefault(cause, item.classification.stream)
    denied_lines = tuple(
        index
        for index, line in enumerate(claim.lines)
        if line_is_denied(line)
        and any(r.line == index and r.classification.is_denial for r in results)
    )
    denial_type = _denial_type(claim, results, denied_lines)

    primary: str | None = None
    if denial_type in ("full_denial", "line_denial", "partial_denial"):
        positive = {cause: amount for cause, amount in denied.items() if amount > _ZERO}
        # max() keeps the first of equal amounts: the earliest adjustment wins ties.
        primary = max(positive, key=lambda c: positive[c]) if positive else UNCLASSIFIED
    elif denial_type == "duplicate":
        primary = "duplicate"
    stream = "none"
    if primary is not None:
        stream = streams.get(primary) or config.root_causes[primary].stream
    return ClaimClassification(
        denial_type=denial_type,
        is_denial=denial_type in ("full_denial", "line_denial", "partial_denial"),
        primary_root_cause=primary,
        primary_stream=stream,
        denied_amount=sum((a for a in denied.values() if a > _ZERO), _ZERO),
        denied_by_root_cause=denied,
        denied_lines=denied_lines,
        adjustments=tuple(results),
        config_version=config.version,
        rule_ids=tuple(dict.fromkeys(r.classification.rule_id for r in results)),
    )


def _denial_type(
    claim: AdjudicatedClaim, results: list[AdjustmentResult], denied_lines: tuple[int, ...]
) -> str:
    status = claim.status.strip()
    if status == _REVERSAL_STATUS:
        return "reversal"
    has_denial = any(r.classification.is_denial for r in results)
    has_duplicate = any(r.classification.category == "duplicate" for r in results)
    nothing_paid = claim.paid == _ZERO and claim.charge > _ZERO
    if status == _DENIED_STATUS or nothing_paid:
        if has_denial:
            return "full_denial"
        if has_duplicate:
            return "duplicate"
        # A payer status of "denied" without a denial reason is still a denial; nothing paid
        # because of deductible or contractual write-off only is not.
        return "full_denial" if status == _DENIED_STATUS else "paid"
    if denied_lines:
        return "line_denial"
    reducing = any(r.classification.is_denial and r.adjustment.amount > _ZERO for r in results)
    return "partial_denial" if reducing else "paid"
