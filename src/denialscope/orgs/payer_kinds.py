"""A claim's payer kind from the claim itself, not from the payer's name.

Order of trust, and the source recorded with the kind:

1. ``org``: the organization's ``payers:`` table (org YAML) names the payer's kind;
2. ``filing_indicator``: the claim filing indicator the claim was sent with (837 SBR09) or
   paid under (835 CLP06), through ``filing_indicators.yaml``;
3. ``name``: the guess from the payer's name made when it was first seen (a last resort:
   "BLUE CROSS MEDICARE ADVANTAGE" and "STATE HEALTH PLAN" say little).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

import yaml

from denialscope.errors import ConfigurationError
from denialscope.orgs.models import PAYER_KINDS, Payer

if TYPE_CHECKING:
    from denialscope.claims.models import Claim
    from denialscope.remits.models import ClaimPayment

__all__ = [
    "FILING_INDICATORS_PATH",
    "PayerKind",
    "claim_payer_kind",
    "filing_indicator_kinds",
    "resolve_payer_kind",
]

FILING_INDICATORS_PATH: Final = Path(__file__).with_name("filing_indicators.yaml")


@dataclass(frozen=True, slots=True)
class PayerKind:
    kind: str | None
    source: str | None  # org / filing_indicator / name; None when nothing is known


@cache
def filing_indicator_kinds() -> dict[str, str | None]:
    """Filing indicator code -> payer kind (None: the code says nothing)."""
    data = yaml.safe_load(FILING_INDICATORS_PATH.read_text(encoding="utf-8")) or {}
    out: dict[str, str | None] = {}
    for code, kind in data.items():
        if kind is not None and kind not in PAYER_KINDS:
            raise ConfigurationError(
                f"{FILING_INDICATORS_PATH}: {code}: unknown payer kind {kind!r}"
            )
        out[str(code).upper()] = kind
    return out


def resolve_payer_kind(
    *,
    org_kind: str | None,
    filing_indicators: tuple[str | None, ...],
    name_kind: str | None,
) -> PayerKind:
    """The payer kind of one claim: org table, else the first known filing indicator, else
    the name guess."""
    if org_kind:
        return PayerKind(org_kind, "org")
    table = filing_indicator_kinds()
    for code in filing_indicators:
        kind = table.get((code or "").strip().upper())
        if kind:
            return PayerKind(kind, "filing_indicator")
    if name_kind:
        return PayerKind(name_kind, "name")
    return PayerKind(None, None)


def claim_payer_kind(payer: Payer | None, claim: Claim, payment: ClaimPayment) -> PayerKind:
    """The kind of payer one denied claim is worked under (org > filing indicator > name)."""
    org = payer is not None and payer.kind_source == "org"
    return resolve_payer_kind(
        org_kind=payer.kind if payer is not None and org else None,
        filing_indicators=(claim.filing_indicator, payment.filing_indicator),
        name_kind=payer.kind if payer is not None and not org else None,
    )
