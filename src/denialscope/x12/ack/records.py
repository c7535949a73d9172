"""Records the 277CA and 999 parsers emit.

A 277CA says, claim by claim, whether the payer (or a clearinghouse) took a claim into its
system or turned it away before adjudication; a 999 says whether whole transaction sets
passed the syntax and guide checks. Both are front-end outcomes: a rejected claim was never
adjudicated, so it is not a payer denial and is counted apart from 835 denials.

Codes stay the strings the sender wrote (an unknown code is kept, never replaced); labels
below are our own short words, not the code-list descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from denialscope.x12.envelope import TransactionSet

__all__ = [
    "ACCEPT_CODES",
    "REJECT_CODES",
    "STATUS_CATEGORY_OUTCOMES",
    "AckParty",
    "BatchAcknowledgment",
    "ClaimAcknowledgment",
    "ClaimStatus",
    "ElementError",
    "ErrorContext",
    "GroupAcknowledgment",
    "Outcome",
    "SegmentError",
    "ServiceAcknowledgment",
    "StatusCode",
    "TransactionAcknowledgment",
    "category_outcome",
]

Outcome = Literal["accepted", "rejected", "pending", "unknown"]

# Claim status category codes (STC01-1) as a front-end outcome. "accepted": the claim got into
# the payer's system (received, accepted, forwarded onward, split); "rejected": it was
# returned or refused before adjudication (unprocessable, not found, missing/invalid or
# relational data, and every E* "no response possible"). Pending (P*) and finalized (F*)
# claims were taken in, so they count as accepted too. A code missing here is "unknown".
STATUS_CATEGORY_OUTCOMES: dict[str, Outcome] = {
    "A0": "accepted",  # forwarded to another entity
    "A1": "accepted",  # received
    "A2": "accepted",  # accepted into adjudication
    "A3": "rejected",  # returned as unprocessable
    "A4": "rejected",  # not found
    "A5": "accepted",  # split
    "A6": "rejected",  # missing information
    "A7": "rejected",  # invalid information
    "A8": "rejected",  # relational field in error
    "D0": "rejected",  # data search unsuccessful
    "E0": "rejected",
    "E1": "rejected",
    "E2": "rejected",
    "E3": "rejected",
    "E4": "rejected",
    **{f"P{i}": "pending" for i in range(6)},
    **{f"F{i}": "accepted" for i in range(5)},
    **{f"R{i}": "pending" for i in range(17)},  # requests for more information
    "RQ": "pending",
}

# IK501 / AK901 acknowledgment codes.
ACCEPT_CODES = frozenset({"A", "E"})  # accepted; accepted with errors noted
REJECT_CODES = frozenset({"M", "R", "W", "X"})  # MAC failed; rejected; validity; decryption


def category_outcome(category: str) -> Outcome:
    """The front-end outcome one status category code stands for."""
    return STATUS_CATEGORY_OUTCOMES.get(category, "unknown")


def _plain(value: Any, skip: frozenset[str] = frozenset()) -> Any:
    """JSON-ready copy: dataclasses to dicts, Decimal to str, date to ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.name not in skip}
    return value


def _transaction(t: TransactionSet) -> dict[str, Any]:
    return {"kind": t.kind, "version": t.version, "control": t.control}


@dataclass(slots=True)
class AckParty:
    """An NM1 of a 277CA level: payer (PR), receiver (41), provider (85), patient (QC)."""

    entity: str  # NM101
    name: str  # NM103: last name or organization
    first: str  # NM104
    id_qualifier: str  # NM108: PI, 46, XX (NPI), FI, MI ...
    id: str  # NM109


@dataclass(slots=True)
class StatusCode:
    """One status composite: STC01, STC10 or STC11."""

    category: str  # C043-1 claim status category code (A1, A7, ...)
    code: str  # C043-2 claim status code (numeric list)
    entity: str = ""  # C043-3 entity the status is about (85 billing provider, IL ...)
    code_list: str = ""  # C043-4 qualifier of another code list (NCPDP reject codes)

    @property
    def outcome(self) -> Outcome:
        return category_outcome(self.category)


@dataclass(slots=True)
class ClaimStatus:
    """One STC segment with all its status composites."""

    codes: list[StatusCode]  # STC01 first, then STC10 and STC11 when sent
    effective_date: date | None  # STC02
    action: str  # STC03: WQ accepted, U rejected
    charge: Decimal | None  # STC04
    message: str  # STC12 free text from the payer; may name the patient: never log it
    segment_index: int


def _outcome_of(statuses: list[ClaimStatus]) -> Outcome:
    """Any rejection wins; else any acceptance; pending next; else the action code."""
    outcomes = {c.outcome for s in statuses for c in s.codes}
    for outcome in ("rejected", "accepted", "pending"):
        if outcome in outcomes:
            return outcome
    actions = {s.action for s in statuses}
    if "U" in actions:
        return "rejected"
    if "WQ" in actions:
        return "accepted"
    return "unknown"


@dataclass(slots=True)
class ServiceAcknowledgment:
    """A 2220D service line: SVC with its STC, REF*FJ and DTP*472."""

    qualifier: str  # SVC01-1: HC, NU, ...
    procedure: str  # SVC01-2
    modifiers: tuple[str, ...]
    charge: Decimal | None  # SVC02
    revenue_code: str  # SVC04
    units: Decimal | None  # SVC07
    segment_index: int
    statuses: list[ClaimStatus] = field(default_factory=list)
    control_number: str = ""  # REF*FJ = 837 REF*6R line item control number
    service_date: date | None = None
    service_date_end: date | None = None

    @property
    def outcome(self) -> Outcome:
        return _outcome_of(self.statuses)


@dataclass(slots=True)
class ClaimAcknowledgment:
    """One claim-level (HL*PT) loop of a 277CA: did this claim get in?"""

    transaction: TransactionSet
    segment_index: int  # of the claim's HL
    patient_control_number: str  # TRN02 = 837 CLM01
    payer: AckParty | None = None  # NM1*PR of the information source
    receiver: AckParty | None = None  # NM1*41
    provider: AckParty | None = None  # NM1*85 billing provider
    patient: AckParty | None = None  # NM1*QC
    payer_claim_number: str = ""  # REF*1K
    clearinghouse_trace: str = ""  # REF*D9
    bill_type: str = ""  # REF*BLT (institutional)
    other_refs: list[tuple[str, str]] = field(default_factory=list)
    statuses: list[ClaimStatus] = field(default_factory=list)
    service_date: date | None = None  # DTP*472 (start of an RD8 range)
    service_date_end: date | None = None
    services: list[ServiceAcknowledgment] = field(default_factory=list)
    received: date | None = None  # DTP*050 of the information source
    processed: date | None = None  # DTP*009 of the information source

    @property
    def billing_provider_npi(self) -> str:
        p = self.provider
        return p.id if p is not None and p.id_qualifier == "XX" else ""

    @property
    def categories(self) -> list[str]:
        """Every status category code of the claim level, in file order."""
        return [c.category for s in self.statuses for c in s.codes]

    @property
    def outcome(self) -> Outcome:
        return _outcome_of(self.statuses)

    @property
    def accepted(self) -> bool:
        """True when the payer took the claim in (no rejection category among its codes)."""
        return self.outcome in ("accepted", "pending")

    @property
    def rejected(self) -> bool:
        return self.outcome == "rejected"

    @property
    def charge(self) -> Decimal | None:
        for s in self.statuses:
            if s.charge is not None:
                return s.charge
        return None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(self, skip=frozenset({"transaction"}))
        data["transaction"] = _transaction(self.transaction)
        data["outcome"] = self.outcome
        data["billing_provider_npi"] = self.billing_provider_npi
        return data


@dataclass(slots=True)
class BatchAcknowledgment:
    """A receiver (HL*21) or billing provider (HL*19) level: batch totals and statuses.

    A rejection here (STC at this level) turns away every claim the level covers, so it is
    kept even when no claim-level loop follows.
    """

    transaction: TransactionSet
    level: Literal["receiver", "provider"]
    segment_index: int  # of the HL
    party: AckParty | None = None
    trace: str = ""  # TRN02
    statuses: list[ClaimStatus] = field(default_factory=list)
    quantities: dict[str, Decimal] = field(default_factory=dict)  # QTY 90/AA (21), QA/QC (19)
    amounts: dict[str, Decimal] = field(default_factory=dict)  # AMT YU accepted, YY rejected
    refs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        return _outcome_of(self.statuses)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(self, skip=frozenset({"transaction"}))
        data["transaction"] = _transaction(self.transaction)
        data["outcome"] = self.outcome
        return data


@dataclass(slots=True)
class ErrorContext:
    """CTX: where an error sits (situational trigger) or which claim it is about (CLM01)."""

    name: str  # CTX01-1: "SITUATIONAL TRIGGER", "CLM01", ...
    reference: str  # CTX01-2: for CLM01 the patient control number; never log it
    segment_id: str  # CTX02
    segment_position: int | None  # CTX03
    loop_id: str  # CTX04
    element_position: int | None  # CTX05-1
    component_position: int | None  # CTX05-2
    element_reference: str  # CTX06-1
    segment_index: int


@dataclass(slots=True)
class ElementError:
    """IK4 (AK4 in a 997): one bad element of the segment an IK3 points at."""

    position: int | None  # IK401-1 element position in the segment
    component: int | None  # IK401-2
    repetition: int | None  # IK401-3
    reference: str  # IK402 data element reference number
    code: str  # IK403 syntax error code
    bad_value: str  # IK404 copy of the bad element: may be patient data, never log it
    segment_index: int
    contexts: list[ErrorContext] = field(default_factory=list)


@dataclass(slots=True)
class SegmentError:
    """IK3 (AK3 in a 997): a segment of the acknowledged set that has an error."""

    segment_id: str  # IK301
    position: int | None  # IK302 position in the acknowledged transaction set (ST = 1)
    loop_id: str  # IK303
    code: str  # IK304 segment syntax error code ("" when only elements are wrong)
    segment_index: int
    contexts: list[ErrorContext] = field(default_factory=list)
    elements: list[ElementError] = field(default_factory=list)


@dataclass(slots=True)
class TransactionAcknowledgment:
    """One AK2..IK5 loop of a 999: the verdict on one transaction set we sent."""

    transaction: TransactionSet  # the 999 itself
    segment_index: int  # of the AK2
    functional_id: str  # AK101: HC (837), HP (835), BE (834) ...
    group_control: str  # AK102 = GS06 of the acknowledged group
    group_version: str  # AK103
    set_id: str  # AK201: 837 ...
    set_control: str  # AK202 = ST02 of the acknowledged set
    guide: str  # AK203
    code: str = ""  # IK501 (AK501): A, E, M, R, W, X; "" when IK5 is missing
    error_codes: list[str] = field(default_factory=list)  # IK502..IK506
    errors: list[SegmentError] = field(default_factory=list)
    contexts: list[ErrorContext] = field(default_factory=list)  # CTX right after AK2

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPT_CODES

    @property
    def rejected(self) -> bool:
        return self.code in REJECT_CODES

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(self, skip=frozenset({"transaction"}))
        data["transaction"] = _transaction(self.transaction)
        data["accepted"] = self.accepted
        return data


@dataclass(slots=True)
class GroupAcknowledgment:
    """AK9: the verdict on a whole functional group."""

    transaction: TransactionSet
    segment_index: int
    functional_id: str  # from AK1
    group_control: str  # from AK1
    code: str  # AK901: A, E, P (partially accepted), R, M, W, X
    included: int | None  # AK902 sets included in the group
    received: int | None  # AK903
    accepted: int | None  # AK904
    error_codes: list[str] = field(default_factory=list)  # AK905..AK909

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(self, skip=frozenset({"transaction"}))
        data["transaction"] = _transaction(self.transaction)
        return data
