"""Denial dollars on the net basis: what each denied claim would have paid, and what came back.

Gross charges are a price list, not money: dividing denied charges by revenue overstates the
loss by the charge-to-payment ratio (often 3-5x). Every initially denied claim (CARC 18
duplicates excluded) gets an **expected net reimbursement ratio**:

1. ``allowed``: a later adjudication of the claim shows what the payer allows for it: Σ line
   allowed (AMT*B6) when the 835 reports it, else CLP04 + CLP05 (paid + patient share, which
   together are the allowed amount) ÷ that adjudication's charge;
2. ``estimate``: otherwise the payment-to-charge ratio Σ (CLP04 + CLP05) ÷ Σ charges of the
   claims paid clean on their first adjudication, by payer × claim kind (837I/837P) × cohort
   quarter; falling back to payer × kind over all quarters, then kind, then all claims.

denied net = denied charges × ratio (per claim and per stream). Recovery comes from the
latest later primary adjudication (not a reversal, not reversed, not a duplicate): one that
is no longer a denial is an overturn in full and recovers 100% of the denied net; one still
partly denied recovers the rise in paid + patient share, at most the denied net. What is not
recovered is **written off** once the denial is final (a later adjudication decided it, its
work item is resolved, its action is a write-off, or its deadline passed with nothing sent;
without a work item, ``final_after_days`` after the denial) and **open** otherwise.

Net patient service revenue (HFMA) = Σ (CLP04 + CLP05) over the primary adjudications of
the claims in scope, reversals netting out: what payers paid plus what patients owe.
Secondary payers pay part of that patient share, so they are not added again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from sqlalchemy import Integer, and_, cast, extract, func, or_, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort, group_label, stream_denials
from denialscope.analytics.results import to_decimal
from denialscope.claims.models import Claim
from denialscope.remits.models import ClaimPayment, ServicePayment

__all__ = [
    "FINAL_AFTER_DAYS",
    "NetGroup",
    "claim_net_ratios",
    "net_basis",
    "payment_to_charge_ratios",
]

FINAL_AFTER_DAYS: Final = 365
CENT: Final = Decimal("0.01")
RATIO_PLACES: Final = Decimal("0.000001")
_ZERO: Final = Decimal(0)
_CHUNK: Final = 500
NO_FILTERS: Final = Filters()


@dataclass(slots=True)
class NetGroup:
    """Net-basis sums of one group of claims."""

    denied_charges: Decimal = _ZERO
    denied_net: Decimal = _ZERO
    denied_net_estimated: Decimal = _ZERO  # the part of denied_net resting on an estimate
    claims_allowed_basis: int = 0
    claims_estimated: int = 0
    recovered_net: Decimal = _ZERO
    overturned_full: int = 0
    overturned_partly: int = 0
    written_off_net: Decimal = _ZERO
    open_net: Decimal = _ZERO
    npsr: Decimal = _ZERO
    streams: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    # claim id -> (denied net, recovered net): what the appeal KPIs weigh each item by.
    claims: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    # claim id -> its expected net reimbursement ratio (denied net = denied charges × ratio)
    claim_ratios: dict[int, Decimal] = field(default_factory=dict)
    # claim id -> stream -> (denied net, recovered net) of that stream's denials alone: what
    # ``claims`` holds when the filters name the stream (one pass serves every stream).
    claim_streams: dict[int, dict[str, tuple[Decimal, Decimal]]] = field(default_factory=dict)

    def stream(self, name: str) -> dict[str, Decimal]:
        return self.streams.setdefault(name, {"charges": _ZERO, "net": _ZERO})


def _quarter(date: Any) -> Any:
    return (
        cast(extract("year", date), Integer) * 10 + (cast(extract("month", date), Integer) + 2) // 3
    )


def payment_to_charge_ratios(session: Session) -> dict[tuple[Any, ...], Decimal]:
    """(payer id, kind, quarter) and its coarser keys -> Σ(paid + patient share) ÷ Σ charges.

    From every claim paid clean on its first adjudication (not only those in scope: an
    estimate for one month should not rest on that month's handful of claims).
    """
    initial = ClaimPayment
    cohort_date = func.coalesce(Claim.submitted_at, initial.adjudicated_at)
    allowed = func.coalesce(initial.paid, 0) + func.coalesce(initial.patient_responsibility, 0)
    charge = func.coalesce(initial.charge, Claim.total_charge, 0)
    # The quarter is computed in a subquery: PostgreSQL cannot match a GROUP BY expression
    # whose literals are bound as separate parameters.
    paid_clean = (
        select(
            Claim.payer_id.label("payer_id"),
            Claim.kind.label("kind"),
            _quarter(cohort_date).label("quarter"),
            allowed.label("allowed"),
            charge.label("charge"),
        )
        .join(initial, initial.claim_id == Claim.id)
        .where(
            initial.seq == 1,
            initial.is_reversal.is_(False),
            initial.payer_responsibility.notin_(("secondary", "tertiary")),
            initial.is_denial.is_(False),
            or_(initial.denial_type.is_(None), initial.denial_type != "duplicate"),
            initial.paid > 0,
        )
        .subquery("paid_clean")
    )
    p = paid_clean.c
    query = select(
        p.payer_id,
        p.kind,
        p.quarter,
        func.sum(p.allowed, type_=ClaimPayment.paid.type).label("allowed"),
        func.sum(p.charge, type_=ClaimPayment.paid.type).label("charges"),
    ).group_by(p.payer_id, p.kind, p.quarter)
    sums: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [_ZERO, _ZERO])
    for row in session.execute(query):
        for key in (
            (row.payer_id, row.kind, row.quarter),
            (row.payer_id, row.kind),
            (row.kind,),
            (),
        ):
            sums[key][0] += to_decimal(row.allowed)
            sums[key][1] += to_decimal(row.charges)
    return {
        key: (a / c).quantize(RATIO_PLACES, ROUND_HALF_UP) for key, (a, c) in sums.items() if c > 0
    }


def _estimate(ratios: dict[tuple[Any, ...], Decimal], payer: Any, kind: Any, q: Any) -> Decimal:
    for key in ((payer, kind, q), (payer, kind), (kind,), ()):
        if key in ratios:
            return ratios[key]
    # Not one claim paid clean to learn from: the charge stands in (still flagged estimated)
    # rather than a zero that would make the denial vanish.
    return Decimal(1)


def _later_payments(session: Session, claim_ids: list[int]) -> dict[int, Any]:
    """Per claim: its latest later primary adjudication that still stands, if any."""
    # Read once: as a NOT IN subquery SQLite scanned every claim payment for each chunk.
    # (``execute``, not ``scalars``: the Spark SQL session of scale/ answers execute only.)
    reversed_ids = {
        row[0]
        for row in session.execute(
            select(ClaimPayment.reverses_payment_id).where(
                ClaimPayment.is_reversal.is_(True), ClaimPayment.reverses_payment_id.is_not(None)
            )
        )
    }
    latest: dict[int, Any] = {}
    for start in range(0, len(claim_ids), _CHUNK):
        query = (
            select(
                ClaimPayment.id,
                ClaimPayment.claim_id,
                ClaimPayment.seq,
                ClaimPayment.charge,
                ClaimPayment.paid,
                ClaimPayment.patient_responsibility,
                ClaimPayment.is_denial,
            )
            .where(
                ClaimPayment.claim_id.in_(claim_ids[start : start + _CHUNK]),
                ClaimPayment.seq > 1,
                ClaimPayment.is_reversal.is_(False),
                ClaimPayment.payer_responsibility.notin_(("secondary", "tertiary")),
                or_(ClaimPayment.denial_type.is_(None), ClaimPayment.denial_type != "duplicate"),
            )
            .order_by(ClaimPayment.claim_id, ClaimPayment.seq, ClaimPayment.id)
        )
        for row in session.execute(query):
            if row.id not in reversed_ids:
                latest[row.claim_id] = row
    ids = [row.id for row in latest.values()]
    line_allowed: dict[int, Decimal] = {}
    for start in range(0, len(ids), _CHUNK):
        lines = (
            select(
                ServicePayment.claim_payment_id,
                func.sum(ServicePayment.allowed).label("allowed"),
            )
            .where(
                ServicePayment.claim_payment_id.in_(ids[start : start + _CHUNK]),
                ServicePayment.allowed.is_not(None),
            )
            .group_by(ServicePayment.claim_payment_id)
        )
        for payment_id, amount in session.execute(lines):
            line_allowed[payment_id] = to_decimal(amount)
    return {claim_id: (row, line_allowed.get(row.id)) for claim_id, row in latest.items()}


def _allowed_ratio(found: Any, claim_charge: Decimal) -> Decimal | None:
    """The ratio a later adjudication shows (allowed ÷ charge), or None: no such adjudication."""
    if found is None:
        return None
    payment, line_allowed = found
    shown = line_allowed
    if shown is None or shown <= 0:
        shown = to_decimal(payment.paid) + to_decimal(payment.patient_responsibility)
    base = to_decimal(payment.charge) or claim_charge
    if shown > 0 and base > 0:
        return Decimal(shown / base)
    return None


def claim_net_ratios(
    session: Session,
    *,
    claim_ids: Sequence[int],
    estimates: Callable[[], dict[tuple[Any, ...], Decimal]] | None = None,
) -> dict[int, tuple[Decimal, bool]]:
    """Per claim: its expected net reimbursement ratio and whether it rests on the estimate.

    The same rule as :func:`net_basis`, for a handful of claims (a page of the work queue)
    rather than the whole cohort: denied net = denied charges x this ratio. ``estimates``:
    where the payment-to-charge ratios come from (default: computed now; a caller showing
    many pages may keep them while no remittance is loaded).
    """
    ids = sorted(set(claim_ids))
    if not ids:
        return {}
    initial = ClaimPayment
    cohort_date = func.coalesce(Claim.submitted_at, initial.adjudicated_at)
    rows: list[Any] = []
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(
                Claim.id,
                Claim.payer_id,
                Claim.kind,
                func.coalesce(Claim.total_charge, initial.charge, 0).label("charge"),
                _quarter(cohort_date).label("quarter"),
            )
            .outerjoin(initial, and_(initial.claim_id == Claim.id, initial.seq == 1))
            .where(Claim.id.in_(ids[start : start + _CHUNK]))
        )
        rows.extend(session.execute(query))
    later = _later_payments(session, ids)
    ratios: dict[tuple[Any, ...], Decimal] | None = None
    result: dict[int, tuple[Decimal, bool]] = {}
    for row in rows:
        if row.id in result:
            continue  # a claim with two first adjudications (a reversal and its redo)
        ratio = _allowed_ratio(later.get(row.id), to_decimal(row.charge))
        if ratio is not None:
            result[row.id] = (ratio, False)
            continue
        if ratios is None:  # one aggregate query, only when some claim needs the estimate
            ratios = estimates() if estimates else payment_to_charge_ratios(session)
        result[row.id] = (_estimate(ratios, row.payer_id, row.kind, row.quarter), True)
    return result


def _final_items(session: Session, claim_ids: list[int], as_of: dt.date) -> dict[int, bool]:
    """Per claim with a work item: whether the item says the denial is settled (resolved,
    or a write-off chosen or recommended) rather than still being worked."""
    from denialscope.workqueue.models import WorkItem

    settled: dict[int, bool] = {}
    for start in range(0, len(claim_ids), _CHUNK):
        query = select(
            WorkItem.claim_id,
            WorkItem.status,
            WorkItem.action,
            WorkItem.recommended_action,
            WorkItem.deadline,
        ).where(WorkItem.claim_id.in_(claim_ids[start : start + _CHUNK]))
        for claim_id, status, action, recommended, deadline in session.execute(query):
            settled[claim_id] = status == "resolved" or (action or "") == "write_off"
            # Past its deadline with nothing sent: the window to recover it has closed.
            if status not in ("submitted", "awaiting_payer") and deadline and deadline < as_of:
                settled[claim_id] = True
            # An untouched item the tree already closes (write-off) is settled too.
            if action is None and recommended == "write_off":
                settled[claim_id] = True
    return settled


def _npsr(session: Session, filters: Filters, by: str | None) -> dict[str, Decimal]:
    c = claim_cohort(filters, by=by)
    amount = func.coalesce(ClaimPayment.paid, 0) + func.coalesce(
        ClaimPayment.patient_responsibility, 0
    )
    query = (
        select(c.c.grp, func.sum(amount, type_=ClaimPayment.paid.type).label("npsr"))
        .join(ClaimPayment, ClaimPayment.claim_id == c.c.claim_id)
        .where(ClaimPayment.payer_responsibility.notin_(("secondary", "tertiary")))
        .group_by(c.c.grp)
    )
    return {group_label(by, row.grp): to_decimal(row.npsr) for row in session.execute(query)}


def _recovered(net: Decimal, later: bool, rise: Decimal | None) -> Decimal:
    """What came back of ``net``: nothing without a later adjudication, all of it when that
    is no longer a denial (``rise`` None), else the rise in paid + patient share at most."""
    if not later:
        return _ZERO
    return net if rise is None else min(net, rise)


def net_basis(
    session: Session,
    *,
    filters: Filters = NO_FILTERS,
    by: str | None = None,
    as_of: dt.date | None = None,
    final_after_days: int = FINAL_AFTER_DAYS,
    per_claim_only: bool = False,
) -> dict[str, NetGroup]:
    """Per group: initial denials on the charge and net bases, recovery, write-off, NPSR.

    ``as_of`` (default: the newest adjudication date loaded) decides which unworked denials
    are past ``final_after_days`` and so written off. ``per_claim_only``: the caller reads
    only the per-claim figures (ratios, denied and recovered net), so the group's NPSR and
    the written-off/open split are not computed (left zero): a third of the time.
    """
    if as_of is None:
        as_of = session.scalar(select(func.max(ClaimPayment.adjudicated_at))) or dt.date.today()
    c = claim_cohort(filters, by=by)
    d = stream_denials()
    initial = ClaimPayment
    rows = list(
        session.execute(
            select(
                c.c.claim_id,
                c.c.grp,
                c.c.charge,
                c.c.denied,
                c.c.adjudicated_at,
                Claim.payer_id,
                Claim.kind,
                _quarter(c.c.cohort_date).label("quarter"),
                func.coalesce(initial.paid, 0).label("paid"),
                func.coalesce(initial.patient_responsibility, 0).label("patient"),
            )
            .join(Claim, Claim.id == c.c.claim_id)
            .join(initial, initial.id == c.c.payment_id)
            .where(and_(c.c.is_denial == 1, c.c.is_duplicate == 0))
        )
    )
    per_stream: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    payment_of = select(c.c.claim_id, c.c.payment_id).where(c.c.is_denial == 1).subquery()
    stream_rows = session.execute(
        select(payment_of.c.claim_id, d.c.stream, d.c.denied).join(
            d, d.c.payment_id == payment_of.c.payment_id
        )
    )
    for claim_id, stream, amount in stream_rows:
        per_stream[claim_id].append((stream or "unclassified", to_decimal(amount)))
    claim_ids = [row.claim_id for row in rows]
    later = _later_payments(session, claim_ids)
    settled = {} if per_claim_only else _final_items(session, claim_ids, as_of)
    ratios = payment_to_charge_ratios(session)
    groups: dict[str, NetGroup] = defaultdict(NetGroup)
    if not per_claim_only:
        for label, npsr in _npsr(session, filters, by).items():
            groups[label].npsr = npsr
    for row in rows:
        g = groups[group_label(by, row.grp)]
        denied_charges = to_decimal(row.denied)
        found = later.get(row.claim_id)
        ratio = _allowed_ratio(found, to_decimal(row.charge))
        estimated = ratio is None
        if ratio is None:
            ratio = _estimate(ratios, row.payer_id, row.kind, row.quarter)
        denied_net = (denied_charges * ratio).quantize(CENT, ROUND_HALF_UP)
        g.denied_charges += denied_charges
        g.denied_net += denied_net
        if estimated:
            g.claims_estimated += 1
            g.denied_net_estimated += denied_net
        else:
            g.claims_allowed_basis += 1
        decided_later = found is not None
        rise: Decimal | None = None  # what a later, still-denied adjudication added
        if found is not None and found[0].is_denial:
            payment = found[0]
            rise = max(
                _ZERO,
                to_decimal(payment.paid)
                + to_decimal(payment.patient_responsibility)
                - to_decimal(row.paid)
                - to_decimal(row.patient),
            )

        streams_of_claim: dict[str, tuple[Decimal, Decimal]] = {}
        for stream, amount in per_stream.get(row.claim_id, []):
            s = g.stream(stream)
            s["charges"] += amount
            stream_net = (amount * ratio).quantize(CENT, ROUND_HALF_UP)
            s["net"] += stream_net
            streams_of_claim[stream] = (stream_net, _recovered(stream_net, decided_later, rise))
        recovered = _recovered(denied_net, decided_later, rise)
        if decided_later:
            if rise is None:
                g.overturned_full += 1  # overturned in full: all of it came back
            else:
                g.overturned_partly += recovered > 0
        g.recovered_net += recovered
        g.claims[row.claim_id] = (denied_net, recovered)
        g.claim_ratios[row.claim_id] = ratio
        g.claim_streams[row.claim_id] = streams_of_claim
        if per_claim_only:
            continue
        lost = denied_net - recovered
        denied_on: dt.date | None = row.adjudicated_at
        if row.claim_id in settled:  # the work queue knows best whether it is settled
            final = settled[row.claim_id]
        else:
            final = found is not None or (
                denied_on is not None and (as_of - denied_on).days > final_after_days
            )
        if final:
            g.written_off_net += lost
        else:
            g.open_net += lost
    return dict(groups)
