"""Payer criteria at the point of order: the policy library, the order check, CDS Hooks.

``library`` reads the payer policy library (YAML the organization maintains), ``check`` runs
an order against it, ``cds_hooks`` serves the check to an EHR (FastAPI router; imported on
its own so the rest needs no web stack). See docs/policy.md.
"""

from __future__ import annotations

from denialscope.policy.check import (
    Finding,
    Order,
    OrderCheck,
    OrderResult,
    PayerRef,
    PolicyMatch,
    check_orders,
    resolve_payer,
    resolve_setting,
)
from denialscope.policy.library import (
    POLICY_FILE,
    CriteriaRef,
    Policy,
    PolicyLibrary,
    load_library,
    organization_library,
    parse_library,
)

__all__ = [
    "POLICY_FILE",
    "CriteriaRef",
    "Finding",
    "Order",
    "OrderCheck",
    "OrderResult",
    "PayerRef",
    "Policy",
    "PolicyLibrary",
    "PolicyMatch",
    "check_orders",
    "load_library",
    "organization_library",
    "parse_library",
    "resolve_payer",
    "resolve_setting",
]
