"""Classification of a claim payment as it is stored: one implementation for every caller.

Ingest (from the parsed 835), ``reclassify`` and ``explain`` (from the stored rows) all
classify an :class:`~denialscope.classify.denial.AdjudicatedClaim` and keep the same columns
of ``claim_payments`` and ``adjustments``, cut to the same widths. Doing it here once is what
makes a rerun idempotent: a payment ingested and then reclassified under the same
configuration compares equal, column by column.

Results are attached to their adjustments by key, not by list position: the caller gives
each adjustment's key (its row, or its database id) in :func:`classify_claim`'s order (claim
level, then each line's), and gets a mapping back.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

from denialscope.classify.config import ClassificationConfig
from denialscope.classify.denial import (
    AdjudicatedClaim,
    AdjustmentResult,
    ClaimClassification,
    classify_claim,
)
from denialscope.classify.engine import Classification
from denialscope.errors import DenialscopeError

__all__ = [
    "ADJUSTMENT_COLUMNS",
    "PAYMENT_COLUMNS",
    "StoredAdjustmentResult",
    "StoredClassification",
    "StoredPaymentResult",
    "adjustment_columns",
    "claim_type_with_drg",
    "classify_for_storage",
    "fit",
    "payment_columns",
]

K = TypeVar("K", bound=Hashable)

# Stored column -> width (0: not text), as the schema holds them.
PAYMENT_COLUMNS: Final = (
    ("denial_type", 16),
    ("is_denial", 0),
    ("primary_stream", 10),
    ("primary_root_cause", 40),
    ("denied_amount", 0),
)
ADJUSTMENT_COLUMNS: Final = (
    ("category", 16),
    ("is_denial", 0),
    ("stream", 10),
    ("root_cause", 40),
    ("rule_id", 80),
    ("process_step", 120),
    ("owner_role", 80),
    ("owner_name", 120),
)
CONFIG_VERSION_WIDTH: Final = 40


def fit(value: Any, width: int) -> Any:
    """A text value cut to its column (empty -> None); other values as they are."""
    if width and isinstance(value, str):
        return value[:width] or None
    return value


def payment_columns(result: ClaimClassification) -> dict[str, Any]:
    """The stored claim-payment columns of a result, in PAYMENT_COLUMNS order."""
    return {name: fit(getattr(result, name), width) for name, width in PAYMENT_COLUMNS}


def adjustment_columns(result: Classification) -> dict[str, Any]:
    """The stored adjustment columns of a result, in ADJUSTMENT_COLUMNS order."""
    return {name: fit(getattr(result, name), width) for name, width in ADJUSTMENT_COLUMNS}


def claim_type_with_drg(claim_type: str | None, drg: str | None) -> str | None:
    """The claim type to classify with: the 837's, else inpatient when the remit carries a
    DRG (CLP11: the payer priced an inpatient stay), else unknown."""
    if claim_type is None and (drg or "").strip():
        return "inpatient"
    return claim_type


@dataclass(frozen=True, slots=True)
class StoredClassification(Generic[K]):
    """One payment's stored columns and each adjustment's, by the caller's key."""

    payment: dict[str, Any]  # PAYMENT_COLUMNS plus config_version
    adjustments: dict[K, dict[str, Any]]  # key -> ADJUSTMENT_COLUMNS
    outcomes: dict[K, AdjustmentResult]  # key -> the adjustment with its classification
    result: ClaimClassification

    @property
    def is_denial(self) -> bool:
        return bool(self.result.is_denial)


class AdjustmentCountError(DenialscopeError):
    """The keys given do not match the adjustments of the claim (a caller's bug)."""


def classify_for_storage(
    config: ClassificationConfig, claim: AdjudicatedClaim, keys: Sequence[K]
) -> StoredClassification[K]:
    """Classify one payment (layers 1-3) into its stored columns.

    ``keys`` names the claim's adjustments in classification order: claim level first, then
    each line's; one key each.
    """
    result = classify_claim(config, claim)
    if len(keys) != len(result.adjustments):
        raise AdjustmentCountError(
            f"{len(keys)} adjustment keys for {len(result.adjustments)} adjustments"
        )
    payment = payment_columns(result)
    payment["config_version"] = fit(result.config_version, CONFIG_VERSION_WIDTH)
    return StoredClassification(
        payment=payment,
        adjustments={
            key: adjustment_columns(outcome.classification)
            for key, outcome in zip(keys, result.adjustments, strict=True)
        },
        outcomes=dict(zip(keys, result.adjustments, strict=True)),
        result=result,
    )


@dataclass(frozen=True, slots=True)
class StoredPaymentResult:
    """The classification columns of a stored claim payment (None: never classified)."""

    denial_type: str | None
    is_denial: bool | None
    primary_stream: str | None
    primary_root_cause: str | None
    denied_amount: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, _ in PAYMENT_COLUMNS}


@dataclass(frozen=True, slots=True)
class StoredAdjustmentResult:
    """The classification columns of a stored adjustment (None: never classified)."""

    category: str | None
    is_denial: bool | None
    stream: str | None
    root_cause: str | None
    rule_id: str | None
    process_step: str | None
    owner_role: str | None
    owner_name: str | None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, _ in ADJUSTMENT_COLUMNS}
