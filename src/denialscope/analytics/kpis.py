"""Denial KPIs: one typed function per metric, each ``(session, *, filters, by)``.

Every function returns ``{group label: value}``; the label is ``"all"`` without ``by``.
The exact formula of each metric is in docs/analytics.md; the short form is in each
docstring. Denials are counted on the claim's initial adjudication (see
:func:`denialscope.analytics.cohort.initial_payment_condition`), in the cohort of the claim's
submission month; duplicates (CARC 18) are never denials (the classifier gives them the
``duplicate`` category), so they are excluded from every rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import (
    Filters,
    claim_cohort,
    group_label,
    month_label,
    stream_denials,
)
from denialscope.analytics.results import Rate, to_decimal
from denialscope.claims.models import ClaimVersion
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.remits.models import Adjustment, ClaimPayment

__all__ = [
    "adjustments_by_category",
    "claims_submitted",
    "cohort_totals",
    "days_to_correct",
    "denials_by_stream",
    "documentation_driven_share",
    "duplicates",
    "initial_denial_rate",
    "initial_denial_rate_per_stream",
    "initial_denial_rate_trailing",
    "zero_and_partial_pay_rates",
]

NO_FILTERS = Filters()
CENTS = Decimal("0.01")


def _grouped(rows: Any, by: str | None) -> dict[str, Any]:
    return {group_label(by, row.grp): row for row in rows}


_TOTAL_FIELDS = (
    "submitted",
    "remitted",
    "denied",
    "charges_remitted",
    "charges_denied",
    "denied_amount",
    "zero_pay",
    "partial_pay",
    "first_pass",
)


def _from_cube(session: Session, filters: Filters, *, streams: bool, by: str | None = None) -> bool:
    from denialscope.analytics.cohort import PROVIDER_GROUPS
    from denialscope.analytics.cube import cube_can_answer, cube_is_fresh

    # The cube has no physician column: those groupings always read the live data.
    if by in PROVIDER_GROUPS:
        return False
    return cube_can_answer(filters, streams=streams) and cube_is_fresh(session)


def counted_remit(c: Any) -> ColumnElement[bool]:
    """An adjudicated claim that counts in the denial rates: not a CARC 18 duplicate."""
    return and_(c.c.remitted == 1, c.c.is_duplicate == 0)


def duplicates(
    session: Session, *, filters: Filters = NO_FILTERS, by: str | None = None
) -> dict[str, dict[str, Decimal]]:
    """Claims whose initial adjudication is a CARC 18 duplicate: their count and charges.

    They are out of the initial-denial numerator and denominator and reported on this line.
    """
    c = claim_cohort(filters, by=by)
    query = (
        select(
            c.c.grp,
            func.count().label("claims"),
            func.sum(c.c.charge, type_=c.c.charge.type).label("charges"),
        )
        .where(c.c.is_duplicate == 1)
        .group_by(c.c.grp)
    )
    return {
        label: {"claims": to_decimal(row.claims), "charges": to_decimal(row.charges)}
        for label, row in _grouped(session.execute(query), by).items()
    }


def cohort_totals(
    session: Session,
    *,
    filters: Filters = NO_FILTERS,
    by: str | None = None,
    use_cube: bool = True,
) -> dict[str, dict[str, Decimal]]:
    """The counts and sums most KPIs divide: one query over the claim cohort.

    Read from the pre-aggregated cube when it is fresh and can answer exactly
    (:mod:`denialscope.analytics.cube`); ``use_cube=False`` forces the live query.
    """
    if use_cube and _from_cube(session, filters, streams=False, by=by):
        from denialscope.analytics.cube import cube_query
        from denialscope.analytics.models import ClaimCube

        base, group = cube_query(ClaimCube, filters, by)
        query = base.add_columns(
            group.label("grp"),
            *(func.sum(getattr(ClaimCube, name)).label(name) for name in _TOTAL_FIELDS),
        ).group_by(group)
        return {
            label: {name: to_decimal(getattr(row, name)) for name in _TOTAL_FIELDS}
            for label, row in _grouped(session.execute(query), by).items()
        }
    c = claim_cohort(filters, by=by)
    submitted = func.sum(case((c.c.is_stub == 0, 1), else_=0))
    counted = counted_remit(c)
    denied = and_(counted, c.c.is_denial == 1)
    query = select(
        c.c.grp,
        submitted.label("submitted"),
        func.sum(case((counted, 1), else_=0)).label("remitted"),
        func.sum(case((denied, 1), else_=0)).label("denied"),
        func.sum(case((counted, c.c.charge), else_=0), type_=c.c.charge.type).label(
            "charges_remitted"
        ),
        func.sum(case((denied, c.c.charge), else_=0), type_=c.c.charge.type).label(
            "charges_denied"
        ),
        func.sum(c.c.denied).label("denied_amount"),
        func.sum(case((and_(denied, c.c.denial_type == "full_denial"), 1), else_=0)).label(
            "zero_pay"
        ),
        func.sum(
            case(
                (and_(denied, c.c.denial_type.in_(("line_denial", "partial_denial"))), 1),
                else_=0,
            )
        ).label("partial_pay"),
        func.sum(
            case(
                (
                    and_(
                        c.c.remitted == 1,
                        c.c.any_denial == 0,
                        or_(c.c.denial_type.is_(None), c.c.denial_type != "duplicate"),
                    ),
                    1,
                ),
                else_=0,
            )
        ).label("first_pass"),
    ).group_by(c.c.grp)
    return {
        label: {name: to_decimal(getattr(row, name)) for name in _TOTAL_FIELDS}
        for label, row in _grouped(session.execute(query), by).items()
    }


def claims_submitted(
    session: Session, *, filters: Filters = NO_FILTERS, by: str | None = None
) -> dict[str, int]:
    """Claims received from 837s (stubs excluded) whose submission date is in scope."""
    totals = cohort_totals(session, filters=filters, by=by)
    return {label: int(t["submitted"]) for label, t in totals.items()}


def initial_denial_rate(
    session: Session, *, filters: Filters = NO_FILTERS, by: str | None = None
) -> dict[str, dict[str, Rate]]:
    """count: denied ÷ adjudicated claims; charges: their gross charges ÷ adjudicated charges.

    Adjudicated excludes CARC 18 duplicates (see :func:`duplicates`)."""
    out: dict[str, dict[str, Rate]] = {}
    for label, t in cohort_totals(session, filters=filters, by=by).items():
        out[label] = {
            "count": Rate(t["denied"], t["remitted"]),
            "charges": Rate(t["charges_denied"], t["charges_remitted"]),
        }
    return out


def initial_denial_rate_per_stream(
    session: Session, *, filters: Filters = NO_FILTERS
) -> dict[str, dict[str, Rate]]:
    """:func:`initial_denial_rate` with each stream's filter, every stream from one query:
    stream -> {"count", "charges"} (streams without a denial are left out).

    The denominators do not depend on the stream (claims adjudicated and their charges); the
    numerator of a stream is the adjudicated claims with at least one denial adjustment of
    that stream on the initial adjudication, and their gross charges: one row per claim and
    stream of :func:`stream_denials`, so nothing is counted twice. Every denial stream is
    there (a rate of zero when none was denied) when the scope has claims.
    """
    if filters.stream:
        raise ValueError("initial_denial_rate_per_stream: every stream, no stream filter")
    totals = cohort_totals(session, filters=filters).get("all")
    if totals is None:
        return {}
    c = claim_cohort(filters)
    d = stream_denials()
    query = (
        select(
            d.c.stream,
            func.count().label("claims"),
            func.sum(c.c.charge, type_=c.c.charge.type).label("charges"),
        )
        .join(d, d.c.payment_id == c.c.payment_id)
        .where(counted_remit(c))
        .group_by(d.c.stream)
    )
    found = {row.stream: row for row in session.execute(query) if row.stream is not None}
    zero = Decimal(0)
    return {
        stream: {
            "count": Rate(to_decimal(row.claims) if row else zero, totals["remitted"]),
            "charges": Rate(to_decimal(row.charges) if row else zero, totals["charges_remitted"]),
        }
        for stream in dict.fromkeys([*DENIAL_STREAMS, *found])
        for row in (found.get(stream),)
    }


def zero_and_partial_pay_rates(
    session: Session, *, filters: Filters = NO_FILTERS, by: str | None = None
) -> dict[str, dict[str, Rate]]:
    """HFMA AR-5: zero-paid (whole claim denied) and partial-paid denials ÷ adjudicated."""
    out: dict[str, dict[str, Rate]] = {}
    for label, t in cohort_totals(session, filters=filters, by=by).items():
        out[label] = {
            "zero_pay": Rate(t["zero_pay"], t["remitted"]),
            "partial_pay": Rate(t["partial_pay"], t["remitted"]),
        }
    return out


def initial_denial_rate_trailing(
    session: Session, *, filters: Filters = NO_FILTERS
) -> dict[str, Rate]:
    """Per month M: denied claims of cohort M ÷ mean claims submitted in M-1, M-2, M-3.

    Months without three earlier months of data are left out (HFMA's denominator variant).
    """
    totals = cohort_totals(session, filters=filters, by="month")
    keyed = {int(k.replace("-", "")): t for k, t in totals.items() if k[:1].isdigit()}
    out: dict[str, Rate] = {}
    for key, t in sorted(keyed.items()):
        year, month = divmod(key, 100)
        earlier = []
        for back in (1, 2, 3):
            y, m = (year, month - back) if month > back else (year - 1, month - back + 12)
            earlier.append(keyed.get(y * 100 + m))
        if any(e is None for e in earlier):
            continue
        mean = (sum((e["submitted"] for e in earlier if e is not None), Decimal(0)) / 3).quantize(
            CENTS
        )
        out[month_label(key)] = Rate(t["denied"], mean)
    return out


def denials_by_stream(
    session: Session,
    *,
    filters: Filters = NO_FILTERS,
    by: str | None = None,
    use_cube: bool = True,
) -> dict[str, dict[str, dict[str, Decimal]]]:
    """Per stream: claims with ≥1 denial of it on first adjudication, and the denied sum."""
    query: Any
    if use_cube and _from_cube(session, filters, streams=True, by=by):
        from denialscope.analytics.cube import cube_query
        from denialscope.analytics.models import StreamCube

        base, group = cube_query(StreamCube, filters, by)
        query = base.add_columns(
            group.label("grp"),
            StreamCube.stream.label("stream"),
            func.sum(StreamCube.claims).label("claims"),
            func.sum(StreamCube.dollars).label("dollars"),
        ).group_by(group, StreamCube.stream)
    else:
        c = claim_cohort(Filters(**{**_fields(filters), "stream": None}), by=by)
        d = stream_denials()
        query = (
            select(
                c.c.grp,
                d.c.stream,
                func.count(func.distinct(c.c.claim_id)).label("claims"),
                func.sum(d.c.denied).label("dollars"),
            )
            .join(d, d.c.payment_id == c.c.payment_id)
            .group_by(c.c.grp, d.c.stream)
        )
        if filters.stream:
            query = query.where(d.c.stream == filters.stream)
    out: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(dict)
    for row in session.execute(query):
        stream = row.stream or "unclassified"
        out[group_label(by, row.grp)][stream] = {
            "count": to_decimal(row.claims),
            "dollars": to_decimal(row.dollars),
        }
    for streams in out.values():
        for stream in DENIAL_STREAMS:
            if filters.stream in (None, stream):
                streams.setdefault(stream, {"count": Decimal(0), "dollars": Decimal(0)})
    return dict(out)


def _fields(filters: Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in Filters.__slots__}


def adjustments_by_category(
    session: Session, *, filters: Filters = NO_FILTERS, by: str | None = None
) -> dict[str, dict[str, Decimal]]:
    """Σ CAS amounts per category over the claims' primary adjudications, net of reversals."""
    c = claim_cohort(filters, by=by)
    query = (
        select(c.c.grp, Adjustment.category, func.sum(Adjustment.amount).label("amount"))
        .join(ClaimPayment, ClaimPayment.claim_id == c.c.claim_id)
        .join(Adjustment, Adjustment.claim_payment_id == ClaimPayment.id)
        .where(ClaimPayment.payer_responsibility.notin_(("secondary", "tertiary")))
        .group_by(c.c.grp, Adjustment.category)
    )
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in session.execute(query):
        out[group_label(by, row.grp)][row.category or "unclassified"] = to_decimal(row.amount)
    return dict(out)


def documentation_driven_share(
    session: Session,
    *,
    root_causes: frozenset[str],
    stream: str = "clinical",
    filters: Filters = NO_FILTERS,
    by: str | None = None,
) -> dict[str, Rate]:
    """Claims with a ``stream`` denial whose root cause is documentation-driven ÷ all of them."""
    c = claim_cohort(Filters(**{**_fields(filters), "stream": None}), by=by)
    flagged = case((Adjustment.root_cause.in_(sorted(root_causes) or [""]), 1), else_=0)
    per_claim = (
        select(c.c.grp, c.c.claim_id, func.max(flagged).label("documentation"))
        .join(Adjustment, Adjustment.claim_payment_id == c.c.payment_id)
        .where(Adjustment.is_denial.is_(True), Adjustment.stream == stream)
        .group_by(c.c.grp, c.c.claim_id)
        .subquery()
    )
    query = select(
        per_claim.c.grp,
        func.count().label("claims"),
        func.sum(per_claim.c.documentation).label("documentation"),
    ).group_by(per_claim.c.grp)
    return {
        label: Rate(to_decimal(row.documentation), to_decimal(row.claims))
        for label, row in _grouped(session.execute(query), by).items()
    }


def days_to_correct(
    session: Session,
    *,
    stream: str = "coding",
    filters: Filters = NO_FILTERS,
    by: str | None = None,
) -> dict[str, dict[str, Decimal]]:
    """Claims denied for ``stream`` then resubmitted: mean days from denial to resubmission.

    The resubmission is the first claim version (version 2 or later) submitted on or after
    the initial adjudication date.
    """
    c = claim_cohort(Filters(**{**_fields(filters), "stream": stream}), by=by)
    query = (
        select(
            c.c.grp,
            c.c.claim_id,
            c.c.adjudicated_at,
            func.min(ClaimVersion.submitted_at).label("resubmitted"),
        )
        .join(ClaimVersion, ClaimVersion.claim_id == c.c.claim_id)
        .where(
            c.c.is_denial == 1,
            ClaimVersion.version_no > 1,
            ClaimVersion.submitted_at >= c.c.adjudicated_at,
        )
        .group_by(c.c.grp, c.c.claim_id, c.c.adjudicated_at)
    )
    days: dict[str, list[int]] = defaultdict(list)
    for row in session.execute(query):
        resubmitted: dt.date = row.resubmitted
        denied_on: dt.date = row.adjudicated_at
        days[group_label(by, row.grp)].append((resubmitted - denied_on).days)
    return {
        label: {
            "claims": Decimal(len(values)),
            "mean_days": (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1")),
        }
        for label, values in days.items()
    }
