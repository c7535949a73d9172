"""The claim cohort every metric starts from: one row per claim with its initial adjudication.

Engine choice. Analytics are SQLAlchemy Core expressions, not Ibis. ibis-framework 12 does
run on SQLite and PostgreSQL, but (1) it is a second query layer next to the ORM the schema
already lives in, with its own types; (2) its SQLite backend returns money as floats, while
our ``MONEY`` column type makes SQLAlchemy hand back exact ``Decimal`` sums on both engines
(see ``denialscope.db.base``); (3) it pulls sqlglot, pyarrow and pandas into an install that
otherwise needs neither. A Core ``Select`` compiles to any SQLAlchemy dialect, including the
Spark/Databricks ones, so the same functions can run there later; nothing here uses a
dialect-specific function (dates are bucketed with ``EXTRACT``, which every dialect renders).

The cohort date of a claim is its submission date (``claims.submitted_at``); a stub claim
(known from a remittance only) has none, so it falls back to the initial adjudication date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from denialscope.claims.models import Claim
from denialscope.errors import InputError
from denialscope.orgs.models import Department, Facility, Payer, Provider
from denialscope.remits.models import Adjustment, ClaimPayment

__all__ = [
    "GROUP_FIELDS",
    "NO_GROUP",
    "Filters",
    "claim_cohort",
    "group_label",
    "initial_payment_condition",
    "month_label",
    "payer_condition",
    "quarter_label",
    "stream_denials",
]

GROUP_FIELDS: Final = (
    "month",
    "quarter",
    "payer",
    "service_line",
    "department",
    "facility",
    "attending",
    "rendering_provider",
)
# Physician groupings read the providers table through the claim's own provider column.
PROVIDER_GROUPS: Final = {
    "attending": "attending_provider_id",
    "rendering_provider": "rendering_provider_id",
}
NO_GROUP: Final = "all"
NONE_LABEL: Final = "(none)"


@dataclass(slots=True, frozen=True)
class Filters:
    """What to look at: every field left ``None`` means "all"."""

    payer: str | None = None  # payer name (substring, any case), payer key or payer id
    stream: str | None = None  # clinical, coding, access, billing
    department: str | None = None  # department code
    service_line: str | None = None
    facility: str | None = None  # facility code
    date_from: dt.date | None = None  # cohort date, inclusive
    date_to: dt.date | None = None  # cohort date, inclusive
    payer_kind: str | None = None  # payers.kind: medicare, medicaid, commercial ... (PAYER_KINDS)


def initial_payment_condition(payment: Any) -> ColumnElement[bool]:
    """The initial adjudication: the claim's first CLP, by the primary (or an unknown) payer.

    A status-4 denial carries no responsibility, so "unknown" counts as primary here; a
    claim whose first CLP is a secondary payer's has no initial primary decision to count.
    """
    return and_(
        payment.seq == 1,
        payment.is_reversal.is_(False),
        payment.payer_responsibility.notin_(("secondary", "tertiary")),
    )


def payer_condition(value: str) -> ColumnElement[bool]:
    """A payer matches by part of its name (any case), its key, or its identifier."""
    wanted = value.strip().upper()
    return or_(
        func.upper(Payer.name).contains(wanted, autoescape=True),
        Payer.payer_key == wanted,
        func.upper(Payer.payer_id) == wanted,
    )


def month_label(key: int) -> str:
    """``202506`` -> ``"2025-06"``."""
    return f"{key // 100:04d}-{key % 100:02d}"


def quarter_label(key: int) -> str:
    """``20252`` -> ``"2025-Q2"``."""
    return f"{key // 10:04d}-Q{key % 10}"


def stream_denials() -> Subquery:
    """Per claim payment and stream: the denied amount (denial adjustments only)."""
    return (
        select(
            Adjustment.claim_payment_id.label("payment_id"),
            Adjustment.stream.label("stream"),
            func.sum(Adjustment.amount).label("denied"),
        )
        .where(Adjustment.is_denial.is_(True))
        .group_by(Adjustment.claim_payment_id, Adjustment.stream)
        .subquery("stream_denials")
    )


def _provider_label() -> ColumnElement[Any]:
    name = func.coalesce(Provider.name, "")
    return case(
        (Provider.id.is_(None), None),
        else_=name + literal(" (") + func.coalesce(Provider.npi, "") + literal(")"),
    )


def _group_expression(by: str | None, cohort_date: ColumnElement[Any]) -> ColumnElement[Any]:
    year = cast(extract("year", cohort_date), Integer)
    month = cast(extract("month", cohort_date), Integer)
    expressions: dict[str, ColumnElement[Any]] = {
        "month": year * 100 + month,
        "quarter": year * 10 + (month + 2) // 3,
        "payer": Payer.name.expression,
        "service_line": func.coalesce(Claim.service_line, Department.service_line),
        "department": Department.code.expression,
        "facility": Facility.code.expression,
        # "NAME (NPI)": two physicians may share a name; the NPI tells them apart.
        "attending": _provider_label(),
        "rendering_provider": _provider_label(),
    }
    if by is None:
        return literal(NO_GROUP)
    if by not in expressions:
        raise InputError(f"cannot group by {by!r}: choose one of {', '.join(GROUP_FIELDS)}")
    return expressions[by]


def group_label(by: str | None, value: object) -> str:
    """The printable name of a group value (months and quarters are stored as numbers)."""
    if value is None:
        return NONE_LABEL
    if by == "month":
        return month_label(int(str(value)))
    if by == "quarter":
        return quarter_label(int(str(value)))
    return str(value)


def claim_cohort(filters: Filters, *, by: str | None = None, stubs: bool = True) -> Subquery:
    """One row per claim in scope, with its initial adjudication (if any) and group key.

    Columns: claim_id, grp, cohort_date, is_stub, charge, payment_id, remitted (0/1),
    is_duplicate (0/1: the initial adjudication is a CARC 18 duplicate),
    is_denial (0/1; the stream's denials when ``filters.stream`` is set), any_denial,
    denial_type,
    paid, adjudicated_at, denied (the initial denied amount, of the stream when set).
    """
    initial = aliased(ClaimPayment, name="initial")
    cohort_date = func.coalesce(Claim.submitted_at, initial.adjudicated_at)
    denials = stream_denials()
    if filters.stream:
        denied_amount: ColumnElement[Any] = func.coalesce(denials.c.denied, 0)
        is_denial: ColumnElement[Any] = case((denials.c.payment_id.is_not(None), 1), else_=0)
    else:
        denied_amount = func.coalesce(initial.denied_amount, 0)
        is_denial = case((initial.is_denial.is_(True), 1), else_=0)
    query: Select[Any] = (
        select(
            Claim.id.label("claim_id"),
            _group_expression(by, cohort_date).label("grp"),
            cohort_date.label("cohort_date"),
            case((Claim.is_stub.is_(True), 1), else_=0).label("is_stub"),
            func.coalesce(Claim.total_charge, initial.charge, 0).label("charge"),
            initial.id.label("payment_id"),
            case((initial.id.is_not(None), 1), else_=0).label("remitted"),
            # CARC 18 on the first adjudication: the payer saw the claim twice (kept out of the
            # denial rates and reported on its own line).
            case((initial.denial_type == "duplicate", 1), else_=0).label("is_duplicate"),
            is_denial.label("is_denial"),
            case((initial.is_denial.is_(True), 1), else_=0).label("any_denial"),
            initial.denial_type.label("denial_type"),
            func.coalesce(initial.paid, 0).label("paid"),
            initial.adjudicated_at.label("adjudicated_at"),
            denied_amount.label("denied"),
        )
        .select_from(Claim)
        .outerjoin(initial, and_(initial.claim_id == Claim.id, initial_payment_condition(initial)))
    )
    # Join the organization tables only when a filter or the grouping reads them: on SQLite
    # each join is a lookup per claim.
    if filters.payer or filters.payer_kind or by == "payer":
        query = query.outerjoin(Payer, Payer.id == Claim.payer_id)
    if filters.department or filters.service_line or by in ("department", "service_line"):
        query = query.outerjoin(Department, Department.id == Claim.department_id)
    if filters.facility or by == "facility":
        query = query.outerjoin(Facility, Facility.id == Claim.facility_id)
    if by in PROVIDER_GROUPS:
        query = query.outerjoin(Provider, Provider.id == getattr(Claim, PROVIDER_GROUPS[by]))
    if filters.stream:
        query = query.outerjoin(
            denials, and_(denials.c.payment_id == initial.id, denials.c.stream == filters.stream)
        )
    if not stubs:
        query = query.where(Claim.is_stub.is_(False))
    if filters.payer:
        query = query.where(payer_condition(filters.payer))
    if filters.payer_kind:
        query = query.where(Payer.kind == filters.payer_kind)
    if filters.department:
        query = query.where(func.upper(Department.code) == filters.department.strip().upper())
    if filters.facility:
        query = query.where(func.upper(Facility.code) == filters.facility.strip().upper())
    if filters.service_line:
        line = func.coalesce(Claim.service_line, Department.service_line)
        query = query.where(func.lower(line) == filters.service_line.strip().lower())
    if filters.date_from:
        query = query.where(cohort_date >= filters.date_from)
    if filters.date_to:
        query = query.where(cohort_date <= filters.date_to)
    return query.subquery("cohort")
