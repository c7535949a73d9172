"""Typed shapes of work items as interfaces show them (CLI tables and JSON, the web's twins).

Money stays ``Decimal`` and dates ``date`` in the fields; ``to_dict`` gives the documented
JSON form (money and dates as strings, the keys of ``queue list --format json`` and
``queue show``). No patient name, member id or date of birth is ever part of these shapes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from denialscope.workqueue.models import WorkItem

__all__ = [
    "ClaimFacts",
    "DocumentVersion",
    "FixProposal",
    "HistoryEntry",
    "WorkItemDetails",
    "WorkItemSummary",
]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What a worker needs to find the item's claim in the billing system."""

    claim_number: str | None
    payer_claim_number: str | None
    payer: str | None
    payer_id: str | None
    payer_kind: str | None
    claim_kind: str | None
    service_from: dt.date | None
    service_to: dt.date | None
    reason_codes: tuple[str, ...]
    remark_codes: tuple[str, ...]
    billed_amount: Decimal | None
    denied_amount: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_number": self.claim_number,
            # CLM01 is the patient account number the hospital assigned: same value.
            "patient_account": self.claim_number,
            "payer_claim_number": self.payer_claim_number,
            "payer": self.payer,
            "payer_id": self.payer_id,
            "payer_kind": self.payer_kind,
            "claim_kind": self.claim_kind,
            "service_from": _text(self.service_from),
            "service_to": _text(self.service_to),
            "reason_codes": list(self.reason_codes),
            "remark_codes": list(self.remark_codes),
            "billed_amount": _text(self.billed_amount),
            "denied_amount": _text(self.denied_amount),
        }


@dataclass(frozen=True, slots=True)
class WorkItemSummary:
    """One work item with its ranking basis and its claim: a row of ``queue list``."""

    id: int
    claim_id: int
    queue: str
    stream: str
    root_cause: str
    payer_kind_source: str | None
    dollars_at_risk: Decimal
    priority: Decimal | None
    deadline: dt.date | None
    deadline_kind: str | None
    recommended_action: str | None
    recommended_reason: str | None
    p_recovery: Decimal | None
    p_basis: str | None
    expected_net: Decimal | None
    status: str
    outcome: str | None
    action: str | None
    appeal_level: int
    assigned_to: str | None
    recovered_amount: Decimal | None
    cycle_days: int | None
    claim: ClaimFacts

    @classmethod
    def of(cls, item: WorkItem, claim: ClaimFacts) -> WorkItemSummary:
        """The summary of a stored item and the facts of its claim."""
        return cls(
            id=item.id,
            claim_id=item.claim_id,
            queue=item.queue,
            stream=item.stream,
            root_cause=item.root_cause,
            payer_kind_source=item.payer_kind_source,
            dollars_at_risk=item.dollars_at_risk,
            priority=item.priority,
            deadline=item.deadline,
            deadline_kind=item.deadline_kind,
            recommended_action=item.recommended_action,
            recommended_reason=item.recommended_reason,
            p_recovery=item.p_recovery,
            p_basis=item.p_basis,
            expected_net=item.expected_net,
            status=item.status,
            outcome=item.outcome,
            action=item.action,
            appeal_level=item.appeal_level,
            assigned_to=item.assigned_to,
            recovered_amount=item.recovered_amount,
            cycle_days=item.cycle_days,
            claim=claim,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim_id": self.claim_id,
            "queue": self.queue,
            "stream": self.stream,
            "root_cause": self.root_cause,
            "payer_kind_source": self.payer_kind_source,
            "dollars_at_risk": _text(self.dollars_at_risk),
            "priority": _text(self.priority),
            "deadline": _text(self.deadline),
            "deadline_kind": self.deadline_kind,
            "recommended_action": self.recommended_action,
            "recommended_reason": self.recommended_reason,
            "p_recovery": _text(self.p_recovery),
            "p_basis": self.p_basis,
            "expected_net": _text(self.expected_net),
            "status": self.status,
            "outcome": self.outcome,
            "action": self.action,
            "appeal_level": self.appeal_level,
            "assigned_to": self.assigned_to,
            "recovered_amount": _text(self.recovered_amount),
            "cycle_days": self.cycle_days,
            **self.claim.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of an item's history: who did what, when."""

    at: dt.datetime
    actor: str
    kind: str
    detail: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class FixProposal:
    """A proposed coding correction and where its review stands."""

    fix: int
    kind: str
    line: int | None
    current: str | None
    proposed: str | None
    status: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "fix": self.fix,
            "kind": self.kind,
            "line": self.line,
            "current": self.current,
            "proposed": self.proposed,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class DocumentVersion:
    """A stored letter or corrected claim (its content is fetched separately)."""

    kind: str
    version: int
    file: str
    by: str
    at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "version": self.version,
            "file": self.file,
            "by": self.by,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class WorkItemDetails:
    """One item as ``queue show`` presents it: summary, fixes, documents and history."""

    item: WorkItemSummary
    history: tuple[HistoryEntry, ...]
    fixes: tuple[FixProposal, ...]
    documents: tuple[DocumentVersion, ...]

    @property
    def notes(self) -> list[str]:
        """What the fix proposals noted for the reviewer (history lines of kind fix_note)."""
        return [h.detail or "" for h in self.history if h.kind == "fix_note"]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.item.to_dict(),
            "history": [h.to_dict() for h in self.history],
            "fixes": [f.to_dict() for f in self.fixes],
            "documents": [d.to_dict() for d in self.documents],
        }
