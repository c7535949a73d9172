"""The three-layer denial classification: rules as YAML data plus a small pure evaluator.

Layer 1 is the payer's reason as received (group, CARC, RARCs, claim type, payer); layer 2 the
internal root cause, owned by one stream (clinical, coding, access, billing); layer 3 the
process step and accountable owner. See docs/classification.md.
"""

from __future__ import annotations

from denialscope.classify.config import (
    DEFAULTS_PATH,
    ClassificationConfig,
    UnclassifiedGroup,
    load_config,
)
from denialscope.classify.denial import (
    DENIAL_TYPES,
    AdjudicatedClaim,
    AdjudicatedLine,
    Adjustment,
    AdjustmentResult,
    ClaimClassification,
    classify_claim,
    line_is_denied,
)
from denialscope.classify.engine import Classification, classify_adjustment, route_for
from denialscope.classify.taxonomy import (
    CANONICAL_ROOT_CAUSES,
    CATEGORIES,
    STREAMS,
    RootCause,
)

__all__ = [
    "CANONICAL_ROOT_CAUSES",
    "CATEGORIES",
    "DEFAULTS_PATH",
    "DENIAL_TYPES",
    "STREAMS",
    "AdjudicatedClaim",
    "AdjudicatedLine",
    "Adjustment",
    "AdjustmentResult",
    "ClaimClassification",
    "Classification",
    "ClassificationConfig",
    "RootCause",
    "UnclassifiedGroup",
    "classify_adjustment",
    "classify_claim",
    "line_is_denied",
    "load_config",
    "route_for",
]
