"""Checks run when an HL loop, a service line or a claim ends: what the guides require.

Every finding names its rule (stable id), says what is wrong in billing terms and points
at the HL, LX or CLM segment; none names the patient.
"""

from __future__ import annotations

from decimal import Decimal

from denialscope.x12.claim837.codes import INPATIENT_FACILITY_TYPES
from denialscope.x12.claim837.records import Claim, Line
from denialscope.x12.claim837.tree import LEVEL_NAMES, Node
from denialscope.x12.envelope import TransactionContext

__all__ = ["check_claim", "check_line", "check_node"]

_FREQUENCIES = frozenset("123456789")
_PRINCIPAL = frozenset(("ABK", "BK"))

# (level, seen bit, rule, what is missing)
_NODE_REQUIREMENTS = (
    ("20", Node.BILLING_NAME, "claim837.missing_billing_provider", "billing provider (NM1*85)"),
    ("22", Node.SBR, "claim837.missing_sbr", "subscriber information (SBR)"),
    ("22", Node.SUBSCRIBER_NAME, "claim837.missing_subscriber", "subscriber name (NM1*IL)"),
    ("22", Node.PAYER_NAME, "claim837.missing_payer", "payer name (NM1*PR)"),
    ("23", Node.PATIENT_NAME, "claim837.missing_patient", "patient name (NM1*QC)"),
)


def check_node(ctx: TransactionContext, node: Node) -> None:
    """The loop of ``node`` has ended: report the required segments it lacked."""
    for level, bit, rule, what in _NODE_REQUIREMENTS:
        if node.level == level and not node.seen & bit:
            ctx.sink.error(
                rule,
                f"The {LEVEL_NAMES[level]} level (HL {node.id}) has no {what}.",
                index=node.index,
                offset=node.offset,
                segment_id="HL",
            )


def check_line(
    ctx: TransactionContext,
    claim: Claim,
    line: Line,
    served: bool,
    dated: bool,
    index: int,
    offset: int,
) -> None:
    """The service line that started at LX ``index`` has ended (``dated``: had a DTP 472)."""
    where = {"index": index, "offset": offset, "segment_id": "LX"}
    if not served:
        ctx.sink.error(
            "claim837.missing_service",
            f"Service line {line.number} has no service segment (SV1 or SV2).",
            **where,
        )
    elif claim.kind == "837P" and not dated and "472" not in claim.dates:
        ctx.sink.warning(
            "claim837.missing_service_date",
            f"Service line {line.number} has no date of service (DTP 472).",
            **where,
        )


def check_claim(ctx: TransactionContext, claim: Claim) -> None:
    """The claim has ended: required parts, code values and the charge balance."""
    sink = ctx.sink
    where = {"index": claim.segment_index, "offset": claim.offset, "segment_id": "CLM"}
    if not claim.control_number:
        sink.error("element.required", "CLM01 patient control number is empty.", element=1, **where)
    if claim.frequency not in _FREQUENCIES:
        sink.error(
            "claim837.frequency",
            f"CLM05-3 claim frequency {claim.frequency!r} should be a code from 1 to 9 "
            "(1 original, 7 replacement, 8 void).",
            element=5,
            value=claim.frequency,
            **where,
        )
    _check_kind(ctx, claim, where)
    if not claim.codes:
        sink.error("claim837.missing_hi", "The claim has no diagnosis codes (HI).", **where)
    elif claim.kind in ("837P", "837I") and not any(c.qualifier in _PRINCIPAL for c in claim.codes):
        sink.error(
            "claim837.missing_principal_diagnosis",
            "The claim's HI segments have no principal diagnosis (ABK or BK).",
            **where,
        )
    if not claim.lines:
        sink.error("claim837.missing_lines", "The claim has no service lines (LX).", **where)
    elif claim.total_charge is not None:
        charges = [line.charge for line in claim.lines]
        if all(c is not None for c in charges):
            total = sum((c for c in charges if c is not None), Decimal(0))
            if total != claim.total_charge:
                sink.warning(
                    "balance.claim_charge",
                    f"CLM02 total charge {claim.total_charge} does not equal the sum of the "
                    f"service line charges {total} (difference {claim.total_charge - total}).",
                    element=2,
                    value=str(claim.total_charge),
                    **where,
                )


def _check_kind(ctx: TransactionContext, claim: Claim, where: dict[str, object]) -> None:
    sink = ctx.sink
    qualifier = claim.facility_qualifier
    if qualifier not in ("", "A", "B"):
        sink.error(
            "claim837.facility_qualifier",
            f"CLM05-2 {qualifier!r} should be B (place of service) or A (facility type).",
            element=5,
            value=qualifier,
            **where,
        )
    elif (claim.kind == "837P" and qualifier == "A") or (claim.kind == "837I" and qualifier == "B"):
        sink.warning(
            "claim837.facility_qualifier",
            f"CLM05-2 {qualifier!r} does not fit an {claim.kind} claim "
            "(837P uses B, place of service; 837I uses A, facility type).",
            element=5,
            value=qualifier,
            **where,
        )
    if claim.kind != "837I":
        return
    if "434" not in claim.dates:
        sink.error(
            "claim837.missing_statement_dates",
            "The institutional claim has no statement period (DTP 434).",
            **where,
        )
    if claim.facility_code in INPATIENT_FACILITY_TYPES:
        if "435" not in claim.dates:
            sink.warning(
                "claim837.missing_admission_date",
                f"The inpatient claim (facility type {claim.facility_code}) has no admission "
                "date (DTP 435).",
                **where,
            )
        if not claim.admission_type:
            sink.warning(
                "claim837.missing_cl1",
                f"The inpatient claim (facility type {claim.facility_code}) has no admission "
                "type (CL1).",
                **where,
            )
