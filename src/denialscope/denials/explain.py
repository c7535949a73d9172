"""Explain a stored claim: each payment and adjustment with its three layers, the rule that
decided it, and whether today's configuration would decide the same.

The rebuilding of the classifier's input lives in :mod:`denialscope.denials.service`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.classify import (
    AdjudicatedClaim,
    Adjustment,
    AdjustmentResult,
    ClaimClassification,
    Classification,
    ClassificationConfig,
    load_config,
)
from denialscope.classify.codes import OfficialCode, official_codes
from denialscope.classify.stored import (
    StoredAdjustmentResult,
    StoredPaymentResult,
    classify_for_storage,
)
from denialscope.denials.service import (
    _ADJUSTMENT_FIELDS,
    _PAYMENT_FIELDS,
    Values,
    _adjustment_values,
    _load,
    _payment_values,
    _StoredAdjustment,
    _StoredPayment,
)
from denialscope.errors import InputError, NotFoundError
from denialscope.orgs.models import Department, Payer
from denialscope.remits.models import ClaimPayment

_MAX_ID: Final = 2**31 - 1  # claims.id is a 32-bit integer on PostgreSQL
_STATUS_LABELS: Final = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "primary, forwarded",
    "20": "secondary, forwarded",
    "21": "tertiary, forwarded",
    "22": "reversal of earlier payment",
    "23": "not our claim, forwarded",
    "25": "predetermination only",
}

__all__ = [
    "AdjustmentExplanation",
    "AmbiguousClaimError",
    "ClaimCandidate",
    "ClaimExplanation",
    "PaymentExplanation",
    "explain_claim",
    "explain_claim_id",
    "find_claims",
]


@dataclass(slots=True, frozen=True)
class ClaimCandidate:
    """A stored claim that a CLAIM argument can mean, and how it matched."""

    id: int
    control_number: str
    kind: str | None
    claim_type: str | None
    payer: str | None
    department: str | None
    service_line: str | None
    is_stub: bool
    payments: int
    matched_by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {
            "matched_by": list(self.matched_by)
        }


class AmbiguousClaimError(InputError):
    """A CLAIM argument that names more than one stored claim."""

    def __init__(self, claim: str, candidates: Sequence[ClaimCandidate]) -> None:
        listing = "; ".join(
            f"id {c.id} (control {c.control_number}, {c.payer or 'unknown payer'}, "
            f"{c.payments} payment(s), matched by {', '.join(c.matched_by)})"
            for c in candidates
        )
        super().__init__(
            f"{claim!r} matches {len(candidates)} claims: {listing}. Ask for one by its id.",
            claim=claim,
            candidates=[c.to_dict() for c in candidates],
        )
        self.candidates = tuple(candidates)


@dataclass(slots=True, frozen=True)
class AdjustmentExplanation:
    """One adjustment: layer 1 as received, layers 2-3 as stored, and today's re-run."""

    id: int
    line: int | None  # 1-based service line number; None for a claim-level adjustment
    procedure: str | None
    adjustment: Adjustment  # group, CARC, amount
    claim_remarks: tuple[str, ...]
    line_remarks: tuple[str, ...]
    official_description: str | None
    official_remarks: dict[str, str]
    stored: StoredAdjustmentResult  # the stored layer 2-3 columns and rule_id
    root_cause_label: str
    current: Classification  # the current configuration's decision, with its explanation
    note: str | None  # set when the stored result differs from the current configuration

    def to_dict(self) -> dict[str, Any]:
        s = self.stored
        return {
            "id": self.id,
            "line": self.line,
            "procedure": self.procedure,
            "amount": str(self.adjustment.amount),
            "layer1": {
                "group": self.adjustment.group,
                "carc": self.adjustment.carc,
                "label": self.current.carc_label,
                "official_description": self.official_description,
                "claim_remarks": list(self.claim_remarks),
                "line_remarks": list(self.line_remarks),
                "official_remarks": self.official_remarks,
            },
            "layer2": {
                "category": s.category,
                "is_denial": s.is_denial,
                "stream": s.stream,
                "root_cause": s.root_cause,
                "root_cause_label": self.root_cause_label,
            },
            "layer3": {
                "process_step": s.process_step,
                "owner_role": s.owner_role,
                "owner_name": s.owner_name,
            },
            "rule": s.rule_id,
            "explanation": self.current.explanation,
            "current": self.current.to_dict(),
            "matches_current": self.note is None,
            "note": self.note,
        }


@dataclass(slots=True, frozen=True)
class PaymentExplanation:
    """One adjudication (CLP) of the claim, as stored and as the current configuration sees it."""

    id: int
    seq: int
    status: str | None
    payer: str | None
    payer_claim_number: str | None
    claim: AdjudicatedClaim  # charge, paid, adjudication date, remarks, lines
    stored: StoredPaymentResult  # denial type, primary stream/root cause, denied amount
    config_version: str | None
    current: ClaimClassification
    note: str | None
    adjustments: tuple[AdjustmentExplanation, ...]

    @property
    def status_label(self) -> str:
        return _STATUS_LABELS.get(self.status or "", "unknown status")

    def to_dict(self) -> dict[str, Any]:
        now = self.current
        stored = self.stored.to_dict()
        day = self.claim.adjudicated_on
        return {
            "id": self.id,
            "seq": self.seq,
            "status": self.status,
            "status_label": self.status_label,
            "charge": str(self.claim.charge),
            "paid": str(self.claim.paid),
            "payer": self.payer,
            "payer_claim_number": self.payer_claim_number,
            "adjudicated_on": day.isoformat() if day else None,
            **{k: _plain(v) for k, v in stored.items()},
            "config_version": self.config_version,
            "current": {k: _plain(getattr(now, k)) for k in (*stored, "config_version")},
            "matches_current": self.note is None,
            "note": self.note,
            "adjustments": [a.to_dict() for a in self.adjustments],
        }


@dataclass(slots=True, frozen=True)
class ClaimExplanation:
    """Every payment of one claim, in sequence order, adjustment by adjustment."""

    claim: ClaimCandidate
    config_version: str  # the current configuration's
    official_text_loaded: bool
    payments: tuple[PaymentExplanation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim.to_dict(),
            "config_version": self.config_version,
            "official_text_loaded": self.official_text_loaded,
            "payments": [p.to_dict() for p in self.payments],
        }


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _ids(session: Session, statement: Any) -> list[int]:
    return [i for i in session.execute(statement).scalars() if i is not None]


def find_claims(session: Session, claim: str) -> list[ClaimCandidate]:
    """Claims that ``claim`` names: a claims.id, CLM01/CLP01 or a payer claim number (CLP07)."""
    text = claim.strip()
    if not text:
        raise InputError("CLAIM is empty: give a claim control number, payer claim number or id")
    cp = ClaimPayment
    lookups: list[tuple[str, Any]] = [
        ("control_number", select(Claim.id).where(Claim.control_number == text)),
        ("control_number", select(cp.claim_id).where(cp.patient_control_number == text)),
        ("payer_claim_number", select(cp.claim_id).where(cp.payer_claim_number == text)),
    ]
    if text.isdigit() and 0 < int(text) <= _MAX_ID:
        lookups.insert(0, ("id", select(Claim.id).where(Claim.id == int(text))))
    matched: dict[int, list[str]] = {}
    for how, statement in lookups:
        for claim_id in _ids(session, statement):
            reasons = matched.setdefault(claim_id, [])
            if how not in reasons:
                reasons.append(how)
    return _candidates(session, matched)


def _candidates(session: Session, matched: dict[int, list[str]]) -> list[ClaimCandidate]:
    cp = ClaimPayment
    if not matched:
        return []
    counts = Counter(_ids(session, select(cp.claim_id).where(cp.claim_id.in_(matched))))
    rows = session.execute(
        select(Claim, Payer.name, Payer.payer_id, Department.code)
        .outerjoin(Payer, Payer.id == Claim.payer_id)
        .outerjoin(Department, Department.id == Claim.department_id)
        .where(Claim.id.in_(matched))
        .order_by(Claim.id)
    )
    return [
        ClaimCandidate(
            id=c.id,
            control_number=c.control_number,
            kind=c.kind,
            claim_type=c.claim_type,
            payer=payer_name or payer_ident,
            department=department,
            service_line=c.service_line,
            is_stub=c.is_stub,
            payments=counts[c.id],
            matched_by=tuple(matched[c.id]),
        )
        for c, payer_name, payer_ident, department in rows.tuples()
    ]


def _note(stored_version: str | None, current_version: str, changes: list[str]) -> str | None:
    if not changes:
        return None
    where = f"stored under {stored_version}" if stored_version else "not classified when stored"
    return f"{where}; current config {current_version} says " + ", ".join(changes)


def _changes(names: Sequence[str], old: Values, new: Values) -> list[str]:
    pairs = zip(names, old, new, strict=True)
    return [f"{name} {_plain(b)} (stored {_plain(a)})" for name, a, b in pairs if a != b]


def _explain_adjustment(
    item: _StoredPayment,
    stored: _StoredAdjustment,
    outcome: AdjustmentResult,
    config: ClassificationConfig,
    official: tuple[Mapping[str, OfficialCode], Mapping[str, OfficialCode]],
) -> AdjustmentExplanation:
    names = [name for name, _ in _ADJUSTMENT_FIELDS]
    current = outcome.classification
    line = item.claim.lines[stored.line] if stored.line is not None else None
    claim_remarks, line_remarks = tuple(item.claim.remarks), tuple(line.remarks if line else ())
    values = StoredAdjustmentResult(*stored.stored)
    cause = config.root_causes.get(values.root_cause or "")
    carcs, rarcs = official
    carc = carcs.get(outcome.adjustment.carc.strip().upper())
    changes = _changes(names, stored.stored, _adjustment_values(current))
    return AdjustmentExplanation(
        id=stored.id,
        line=stored.line + 1 if stored.line is not None else None,
        procedure=line.procedure_code if line else None,
        adjustment=outcome.adjustment,
        claim_remarks=claim_remarks,
        line_remarks=line_remarks,
        official_description=carc.description if carc else None,
        official_remarks={
            code: rarcs[code].description
            for code in dict.fromkeys([*claim_remarks, *line_remarks])
            if code in rarcs
        },
        stored=values,
        root_cause_label=cause.label if cause is not None else "",
        current=current,
        note=_note(item.config_version, config.version, changes),
    )


def explain_claim(
    *,
    session: Session,
    claim: str,
    config: ClassificationConfig | None = None,
    data: str | Path | None = None,
) -> ClaimExplanation:
    """Explain every payment and adjustment of one claim; flags what the config now decides."""
    candidates = find_claims(session, claim)
    if not candidates:
        raise NotFoundError(
            f"no claim {claim.strip()!r}: not a claim id, claim control number (CLM01/CLP01) "
            "or payer claim number (CLP07) in this database",
            claim=claim.strip(),
        )
    if len(candidates) > 1:
        raise AmbiguousClaimError(claim.strip(), candidates)
    return _explain(session, candidates[0], config, data)


def explain_claim_id(
    *,
    session: Session,
    claim_id: int,
    config: ClassificationConfig | None = None,
    data: str | Path | None = None,
) -> ClaimExplanation:
    """:func:`explain_claim` of the claim with this ``claims.id`` (the claim page: an id
    is never ambiguous, where a number typed on the command line may be)."""
    candidates = _candidates(session, {claim_id: ["id"]})
    if not candidates:
        raise NotFoundError(f"no claim with id {claim_id}", claim=str(claim_id))
    return _explain(session, candidates[0], config, data)


def _explain(
    session: Session,
    target: ClaimCandidate,
    config: ClassificationConfig | None,
    data: str | Path | None,
) -> ClaimExplanation:
    config = config if config is not None else load_config()
    official = official_codes("carc", data=data), official_codes("rarc", data=data)
    ids = _ids(
        session,
        select(ClaimPayment.id)
        .where(ClaimPayment.claim_id == target.id)
        .order_by(ClaimPayment.seq, ClaimPayment.id),
    )
    order = {payment_id: n for n, payment_id in enumerate(ids)}
    names = [name for name, _ in _PAYMENT_FIELDS]
    payments: list[PaymentExplanation] = []
    for item in sorted(_load(session, ids), key=lambda p: order[p.id]):
        # Each adjustment's current result by its stored id, not by list position.
        classified = classify_for_storage(config, item.claim, [a.id for a in item.adjustments])
        result = classified.result
        changes = _changes(names, item.stored, _payment_values(result))
        adjustments = [(a, classified.outcomes[a.id]) for a in item.adjustments]
        payments.append(
            PaymentExplanation(
                id=item.id,
                seq=item.seq,
                status=item.status,
                payer=item.payer,
                payer_claim_number=item.payer_claim_number,
                claim=item.claim,
                stored=StoredPaymentResult(*item.stored),
                config_version=item.config_version,
                current=result,
                note=_note(item.config_version, config.version, changes),
                adjustments=tuple(
                    _explain_adjustment(item, stored, outcome, config, official)
                    for stored, outcome in adjustments
                ),
            )
        )
    return ClaimExplanation(
        claim=target,
        config_version=config.version,
        official_text_loaded=bool(official[0] or official[1]),
        payments=tuple(payments),
    )
