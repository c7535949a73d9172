"""The three balancing rules of the 835 guide, checked as each loop closes.

- service line: SVC02 - SVC03 = sum of the line's CAS amounts;
- claim: CLP03 - CLP04 = sum of claim-level CAS plus every line's CAS;
- transaction: BPR02 = sum of CLP04 - sum of PLB amounts.

A remit that does not balance was still read; the figures in the message let a biller see
at once which side is wrong.
"""

from __future__ import annotations

from decimal import Decimal

from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.remit835.records import Adjustment, ClaimPayment, ServicePayment

__all__ = ["check_claim", "check_payment", "check_service", "money"]

_ZERO = Decimal(0)


def money(value: Decimal) -> str:
    """Two decimals, unless the payer sent more (then the digits are the point)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return str(value)
    return f"{value:.2f}"


def _total(adjustments: list[Adjustment]) -> Decimal:
    total = _ZERO
    for adj in adjustments:
        total += adj.amount
    return total


def check_service(line: ServicePayment, sink: DiagnosticSink, offset: int) -> None:
    if line.charge is None or line.paid is None:
        return  # already reported as a missing or bad element
    expected = line.charge - line.paid
    total = _total(line.adjustments)
    if expected == total:
        return
    sink.error(
        "balance.service",
        f"Service line charge {money(line.charge)} minus paid {money(line.paid)} = "
        f"{money(expected)} but its adjustments total {money(total)} "
        f"(off by {money(expected - total)}).",
        index=line.segment_index,
        offset=offset,
        segment_id="SVC",
        value=str(expected - total),
    )


def check_claim(claim: ClaimPayment, sink: DiagnosticSink, offset: int) -> None:
    if claim.charge is None or claim.paid is None:
        return
    expected = claim.charge - claim.paid
    total = _total(claim.adjustments)
    for line in claim.services:
        total += _total(line.adjustments)
    if expected == total:
        return
    where = "claim and service-line adjustments" if claim.services else "adjustments"
    sink.error(
        "balance.claim",
        f"Claim charge {money(claim.charge)} minus paid {money(claim.paid)} = "
        f"{money(expected)} but its {where} total {money(total)} "
        f"(off by {money(expected - total)}).",
        index=claim.segment_index,
        offset=offset,
        segment_id="CLP",
        value=str(expected - total),
    )


def check_payment(
    payment: Decimal | None,
    claims_paid: Decimal,
    provider_adjustments: Decimal,
    sink: DiagnosticSink,
    *,
    index: int,
    offset: int,
) -> None:
    if payment is None:
        return
    expected = claims_paid - provider_adjustments
    if payment == expected:
        return
    sink.error(
        "balance.payment",
        f"Payment amount (BPR02) {money(payment)} does not equal claims paid "
        f"{money(claims_paid)} minus provider adjustments {money(provider_adjustments)} = "
        f"{money(expected)} (off by {money(payment - expected)}).",
        index=index,
        offset=offset,
        segment_id="BPR",
        element=2,
        value=str(payment),
    )
