"""The claims behind a figure: the drill-down from a stream or a root cause to its claims.

A claim is listed when its initial adjudication (the cohort's, docs/analytics.md) carries at
least one denial adjustment matching the request: of the stream (``filters.stream``), of the
root cause, of the CARC, and of one of the ``streams`` the reader may see (a coder sees
coding denials only). Its dollars are those matching adjustments: the charges basis, and the
net basis with the claim's expected net reimbursement ratio (:mod:`netbasis`). So the claims
of a Pareto bar add up to the bar. Also here: the values the filter bar offers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort
from denialscope.analytics.dashboard import filters_dict, with_fields
from denialscope.analytics.results import to_decimal
from denialscope.claims.models import Claim
from denialscope.errors import InputError
from denialscope.orgs.models import PAYER_KINDS, Department, Facility, Payer
from denialscope.remits.models import Adjustment, ClaimPayment, RemarkCode

__all__ = ["ClaimList", "ClaimRow", "ScopeChoices", "claim_list", "scope_choices"]

CENT: Final = Decimal("0.01")
MAX_LIMIT: Final = 500
UNCLASSIFIED: Final = "unclassified"


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One denied claim of the list (no patient identifier: the claim page shows those)."""

    claim_id: int
    claim_number: str  # CLM01
    payer: str | None
    service_from: dt.date | None
    service_to: dt.date | None
    carcs: list[str]  # "CO-50", the matching denial adjustments' group and reason codes
    rarcs: list[str]  # remark codes on the initial adjudication
    root_causes: list[str]
    streams: list[str]
    charge: Decimal  # the claim's gross charge
    denied_charges: Decimal  # Σ the matching denial adjustments
    denied_net: Decimal | None  # the same × the claim's expected net ratio

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "claim_number": self.claim_number,
            "payer": self.payer,
            "service_from": self.service_from,
            "service_to": self.service_to,
            "carcs": self.carcs,
            "rarcs": self.rarcs,
            "root_causes": self.root_causes,
            "streams": self.streams,
            "charge": self.charge,
            "denied_charges": self.denied_charges,
            "denied_net": self.denied_net,
        }


@dataclass(frozen=True, slots=True)
class ClaimList:
    """One page of the claims in scope, largest denied dollars first."""

    scope: Filters
    root_cause: str | None
    carc: str | None
    total: int  # claims matching, over all pages
    total_denied_charges: Decimal
    limit: int
    offset: int
    rows: list[ClaimRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": filters_dict(self.scope),
            "root_cause": self.root_cause,
            "carc": self.carc,
            "total": self.total,
            "total_denied_charges": self.total_denied_charges,
            "limit": self.limit,
            "offset": self.offset,
            "claims": [row.to_dict() for row in self.rows],
        }


def _carc_condition(carc: str) -> ColumnElement[bool]:
    """``50`` (any group) or ``CO-50``."""
    text = carc.strip().upper()
    group, _, reason = text.rpartition("-")
    if not reason or not reason.isalnum() or (group and not group.isalpha()):
        raise InputError(f"CARC {carc!r}: write the reason code (50) or group-reason (CO-50)")
    condition = Adjustment.reason_code == reason
    return and_(condition, Adjustment.group_code == group) if group else condition


def claim_list(
    *,
    session: Session,
    filters: Filters,
    root_cause: str | None = None,
    carc: str | None = None,
    streams: Collection[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ClaimList:
    """The initially denied claims in scope matching the stream, root cause and CARC, seen
    through ``streams`` (None: every stream)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit {limit}: show between 1 and {MAX_LIMIT} claims")
    if offset < 0:
        raise InputError(f"offset {offset}: must not be negative")
    cohort = claim_cohort(with_fields(filters, stream=None))
    matching: ColumnElement[bool] = Adjustment.is_denial.is_(True)
    if filters.stream:
        matching = and_(matching, Adjustment.stream == filters.stream)
    if streams is not None:
        matching = and_(matching, Adjustment.stream.in_(sorted(streams)) if streams else ~true())
    if root_cause == UNCLASSIFIED:  # as the Pareto names a denial without a root cause
        matching = and_(matching, Adjustment.root_cause.is_(None))
    elif root_cause:
        matching = and_(matching, Adjustment.root_cause == root_cause)
    if carc:
        matching = and_(matching, _carc_condition(carc))
    per_claim = (
        select(
            cohort.c.claim_id,
            cohort.c.payment_id,
            func.sum(Adjustment.amount).label("denied"),
        )
        .join(Adjustment, Adjustment.claim_payment_id == cohort.c.payment_id)
        .where(matching)
        .group_by(cohort.c.claim_id, cohort.c.payment_id)
        .subquery("per_claim")
    )
    total, dollars = session.execute(
        select(func.count(), func.coalesce(func.sum(per_claim.c.denied), 0))
    ).one()
    page = session.execute(
        select(per_claim.c.claim_id, per_claim.c.payment_id, per_claim.c.denied)
        .order_by(per_claim.c.denied.desc(), per_claim.c.claim_id)
        .limit(limit)
        .offset(offset)
    ).all()
    rows = _rows(session, filters, matching, page)
    return ClaimList(
        scope=filters,
        root_cause=root_cause,
        carc=carc,
        total=int(total),
        total_denied_charges=to_decimal(dollars),
        limit=limit,
        offset=offset,
        rows=rows,
    )


def _rows(
    session: Session, filters: Filters, matching: ColumnElement[bool], page: Sequence[Any]
) -> list[ClaimRow]:
    from denialscope.analytics.netbasis import net_basis

    if not page:
        return []
    claim_ids = [row.claim_id for row in page]
    payment_ids = [row.payment_id for row in page]
    ratios: dict[int, Decimal] = {}
    for group in net_basis(session, filters=with_fields(filters, stream=None)).values():
        ratios.update(group.claim_ratios)
    claims = {
        row.id: row
        for row in session.execute(
            select(
                Claim.id,
                Claim.control_number,
                Claim.total_charge,
                Claim.statement_from,
                Claim.statement_to,
                Payer.name.label("payer"),
                ClaimPayment.service_from,
                ClaimPayment.service_to,
                ClaimPayment.charge,
            )
            .outerjoin(Payer, Payer.id == Claim.payer_id)
            .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
            .where(Claim.id.in_(claim_ids), ClaimPayment.id.in_(payment_ids))
        )
    }
    codes: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in session.execute(
        select(
            Adjustment.claim_payment_id,
            Adjustment.group_code,
            Adjustment.reason_code,
            Adjustment.root_cause,
            Adjustment.stream,
        ).where(Adjustment.claim_payment_id.in_(payment_ids), matching)
    ):
        found = codes[row.claim_payment_id]
        found["carcs"].add(f"{row.group_code}-{row.reason_code}")
        found["causes"].add(row.root_cause or "unclassified")
        found["streams"].add(row.stream or "none")
    for payment_id, code in session.execute(
        select(RemarkCode.claim_payment_id, RemarkCode.code).where(
            RemarkCode.claim_payment_id.in_(payment_ids)
        )
    ):
        codes[payment_id]["rarcs"].add(code)
    out: list[ClaimRow] = []
    for claim_id, payment_id, denied in page:
        claim = claims[claim_id]
        found = codes[payment_id]
        ratio = ratios.get(claim_id)
        amount = to_decimal(denied)
        out.append(
            ClaimRow(
                claim_id=claim_id,
                claim_number=claim.control_number,
                payer=claim.payer,
                service_from=claim.statement_from or claim.service_from,
                service_to=claim.statement_to or claim.service_to,
                carcs=sorted(found["carcs"]),
                rarcs=sorted(found["rarcs"]),
                root_causes=sorted(found["causes"]),
                streams=sorted(found["streams"]),
                charge=to_decimal(claim.total_charge if claim.total_charge is not None
                                  else claim.charge),
                denied_charges=amount,
                denied_net=None if ratio is None
                else (amount * ratio).quantize(CENT, ROUND_HALF_UP),
            )
        )  # fmt: skip
    return out


@dataclass(frozen=True, slots=True)
class ScopeChoices:
    """What the filter bar offers: the payers, kinds, facilities, departments and service
    lines present in the database."""

    payers: list[str]
    payer_kinds: list[str]
    facilities: list[str]
    departments: list[str]
    service_lines: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "payers": self.payers,
            "payer_kinds": self.payer_kinds,
            "facilities": self.facilities,
            "departments": self.departments,
            "service_lines": self.service_lines,
        }


def scope_choices(*, session: Session) -> ScopeChoices:
    def values(column: Any) -> list[str]:
        found = session.scalars(select(column).where(column.is_not(None)).distinct())
        return sorted({str(value) for value in found if str(value).strip()})

    lines = set(values(Department.service_line)) | set(values(Claim.service_line))
    return ScopeChoices(
        payers=values(Payer.name),
        payer_kinds=list(PAYER_KINDS),
        facilities=values(Facility.code),
        departments=values(Department.code),
        service_lines=sorted(lines),
    )
