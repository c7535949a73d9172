"""Is this 837 claim already stored, a new version of a stored claim, or another claim?

A claim is keyed by CLM01 and the billing NPI (``claims.claim_key``). What arrives under a
stored key is decided here, in this order:

1. Its content fingerprint (the parsed claim without its envelope, BHT batch or positions)
   equals a stored version of a claim with this CLM01 and NPI -> ``duplicate_claim``: the
   same claim resent; no new version is stored.
2. Frequency 7 (replacement) or 8 (void) -> the next version of the stored claim (the one
   whose dates of service overlap its own, else the first one stored under the key).
3. Any other frequency (1, original) whose dates of service overlap a stored claim's ->
   ``claim_conflict``: stored as that claim's next version (an original resubmitted after a
   front-end rejection is corrected this way) and reported with what changed.
4. An original whose dates of service overlap no stored claim's -> ``claim_separate``: a
   reused claim number for another visit, stored as a separate claim keyed
   ``CLM01|NPI|YYYYMMDD`` (its first date of service).

A claim without any date of service overlaps every claim (case 3): without dates, nothing
says it is another visit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from denialscope.ingest.identity import IdentityFinding, fingerprint
from denialscope.x12.claim837.records import Claim

__all__ = ["Decision", "StoredClaim", "claim_fingerprint", "decide", "separate_key"]


def claim_fingerprint(claim: Claim) -> str:
    """The content fingerprint of one claim (CLM loop with its parties and lines)."""
    return fingerprint(claim)


def separate_key(base: str, first_date: dt.date | None) -> str:
    """The key of a claim that reuses a stored claim number for other dates of service."""
    return f"{base}|{first_date.strftime('%Y%m%d') if first_date else 'nodate'}"[:120]


@dataclass(slots=True)
class StoredClaim:
    """A stored claim under a CLM01 + NPI (or a separate claim under the same number)."""

    id: int
    claim_key: str
    current_version: int
    is_stub: bool
    submitted_at: dt.date | None
    service_from: dt.date | None
    service_to: dt.date | None
    total_charge: Decimal | None
    fingerprints: frozenset[str]


@dataclass(frozen=True, slots=True)
class Decision:
    """``target`` None and ``key`` set: a new claim row; ``store`` False: a duplicate."""

    store: bool
    key: str
    target: StoredClaim | None
    finding: IdentityFinding | None = None


def _overlaps(a: tuple[dt.date | None, dt.date | None], b: StoredClaim) -> bool:
    a_from, b_from = a[0], b.service_from
    if a_from is None or b_from is None:
        return True
    a_to, b_to = a[1] or a_from, b.service_to or b_from
    return a_from <= b_to and b_from <= a_to


def decide(claim: Claim, *, base: str, fp: str, stored: Sequence[StoredClaim]) -> Decision:
    """What to do with ``claim`` given the claims stored under its CLM01 and NPI."""
    number = claim.control_number.strip()
    real = [s for s in stored if not s.is_stub]
    first = next((s for s in stored if s.claim_key == base), None)
    if not real:  # nothing stored, or a stub made for a remittance that came first
        return Decision(True, base, first)
    for s in real:
        if fp in s.fingerprints:
            return Decision(
                False,
                s.claim_key,
                s,
                _finding(claim, "duplicate_claim", "info", "already stored; no new version"),
            )
    dates = (claim.statement_from or claim.service_from, claim.statement_to or claim.service_to)
    overlapping = [s for s in real if _overlaps(dates, s)]
    frequency = (claim.frequency or "").strip()
    if frequency in ("7", "8"):
        target = overlapping[0] if overlapping else (first if first in real else real[0])
        return Decision(True, target.claim_key, target)
    if overlapping:
        target = overlapping[0]
        changes = _changes(claim, dates, target)
        return Decision(
            True,
            target.claim_key,
            target,
            _finding(
                claim,
                "claim_conflict",
                "warning",
                f"frequency {frequency or '?'} resent with other content ({changes}); "
                f"stored as version {target.current_version + 1} of the claim",
            ),
        )
    key = separate_key(base, dates[0])
    return Decision(
        True,
        key,
        None,
        _finding(
            claim,
            "claim_separate",
            "info",
            f"claim number {number} reused for other dates of service; stored as a separate claim",
        ),
    )


def _changes(
    claim: Claim, dates: tuple[dt.date | None, dt.date | None], stored: StoredClaim
) -> str:
    parts = []
    if (dates[0], dates[1] or dates[0]) != (stored.service_from, stored.service_to):
        parts.append("dates of service")
    if claim.total_charge is not None and stored.total_charge != claim.total_charge:
        parts.append(f"charge {stored.total_charge} -> {claim.total_charge}")
    return ", ".join(parts) or "codes or lines"


def _finding(claim: Claim, kind: str, severity: str, what: str) -> IdentityFinding:
    number = claim.control_number.strip()
    return IdentityFinding(
        kind=kind,
        severity=severity,
        message=f"claim {number} (segment {claim.segment_index}): {what}",
        segment_index=claim.segment_index,
        claim=number,
    )
