"""What the risk model reads about one claim, known on the day it is submitted.

Training reads stored claims (rebuilt as 837 records by ``claims.record``) and scoring reads
837 files: both go through :func:`claim_input`, so a feature means the same thing in both.
Outcomes (the first adjudication) are kept apart from the inputs: they are labels, and the
history features only see them once their remit date has passed (see ``history``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from denialscope.x12.claim837.records import Claim

__all__ = ["ClaimInput", "LineInput", "Outcome", "claim_input", "procedure_keys"]


@dataclass(frozen=True, slots=True)
class LineInput:
    procedure: str  # CPT/HCPCS, else "rev:" + revenue code
    modifiers: tuple[str, ...]
    units: float
    charge: float
    place_of_service: str


@dataclass(frozen=True, slots=True)
class ClaimInput:
    """One claim as submitted. ``patient`` is an opaque key: never shown to anyone."""

    key: str  # claims.claim_key
    control_number: str  # CLM01
    payer: str  # payer key (NM109)
    payer_name: str
    payer_kind: str
    kind: str  # 837P / 837I
    facility_code: str  # place of service (837P) or facility type (837I)
    department: str
    service_line: str
    provider: str  # rendering (else attending, else billing) NPI
    patient: str
    submitted: dt.date
    service_from: dt.date | None
    charge: float
    lines: tuple[LineInput, ...]
    diagnoses: tuple[str, ...]
    drg: str
    prior_auth: bool
    referral: bool
    scrub_rules: tuple[str, ...] = ()  # rules that flagged it (reject or warn)
    scrub_rejects: int = 0
    # Timely filing counts from the service (from discharge, the statement end, on an 837I)
    # against the payer's limit as the organization configured it (``predict.filing``).
    filing_from: dt.date | None = None
    filing_limit_days: int | None = None
    frequency: str = "1"  # CLM05-3: 1 original, 7 replacement, 8 void
    # What an eligibility response (271) is matched on: the 837's NM1*PR NM109 and the
    # subscriber's member id (NM1*IL NM109). A patient identifier: matched, never shown.
    payer_id: str = ""
    member_id: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The first adjudication of a claim: what the model learns to predict."""

    adjudicated: dt.date
    denied: bool
    denied_amount: float
    root_cause: str
    stream: str


def _npi(party: object | None) -> str:
    if party is None:
        return ""
    return str(getattr(party, "identifier", "") or "")


def procedure_keys(claim: ClaimInput, *, with_modifiers: bool = False) -> list[str]:
    """The claim's procedures (the DRG of a stay counts as one), each once.

    ``with_modifiers`` appends the line's modifiers ("99284|-" when it has none), so a
    payer's habit of denying a code without a modifier is its own history cell.
    """
    keys: list[str] = []
    if claim.drg:
        keys.append(f"drg:{claim.drg}")
    for line in claim.lines:
        if not line.procedure:
            continue
        key = line.procedure
        if with_modifiers:
            key += "|" + ("+".join(line.modifiers) or "-")
        keys.append(key)
    return list(dict.fromkeys(keys))


def _lines(record: Claim) -> Iterator[LineInput]:
    for ln in record.lines:
        procedure = ln.procedure or (f"rev:{ln.revenue_code}" if ln.revenue_code else "")
        yield LineInput(
            procedure=procedure,
            modifiers=tuple(m for m in ln.modifiers if m),
            units=float(ln.units or 0),
            charge=float(ln.charge or 0),
            place_of_service=ln.place_of_service or "",
        )


def claim_input(
    record: Claim,
    *,
    key: str,
    payer: str,
    payer_kind: str,
    department: str,
    service_line: str,
    patient: str,
    submitted: dt.date,
    scrub: Iterable[tuple[str, str]] = (),
    filing_limit_days: int | None = None,
) -> ClaimInput:
    """The model's view of one 837 record; ``scrub`` is (rule, severity) of its findings."""
    rendering = record.rendering_provider
    if rendering is None and record.lines:
        rendering = record.lines[0].rendering_provider
    provider = _npi(rendering) or _npi(record.attending_provider) or _npi(record.billing_provider)
    found = [(rule, severity) for rule, severity in scrub if severity in ("reject", "warn")]
    return ClaimInput(
        key=key,
        control_number=record.control_number,
        payer=payer,
        payer_name=record.payer.name or payer,
        payer_kind=payer_kind or "unknown",
        kind=record.kind or "",
        facility_code=record.facility_code or "",
        department=department or "unknown",
        service_line=service_line or "unknown",
        provider=provider,
        patient=patient,
        submitted=submitted,
        service_from=record.service_from,
        charge=float(record.total_charge or 0),
        lines=tuple(_lines(record)),
        diagnoses=tuple(d.code for d in record.diagnoses),
        drg=record.drg or "",
        prior_auth=bool(record.prior_authorization),
        referral=bool(record.referral_number),
        scrub_rules=tuple(sorted({rule for rule, _ in found})),
        scrub_rejects=sum(1 for _, severity in found if severity == "reject"),
        filing_from=(record.service_to if record.kind == "837I" else None) or record.service_from,
        filing_limit_days=filing_limit_days,
        frequency=record.frequency or "1",
        payer_id=(record.payer.identifier or "") if record.payer else "",
        member_id=(record.subscriber.party.identifier or "") if record.subscriber.party else "",
    )
