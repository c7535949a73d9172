"""Link remittances to the claims they answer, and remittance lines to claim lines.

Claim level, first match wins:
1. ``clp01_payer``: CLP01 = CLM01 and the same payer;
2. ``clp01_provider``: CLP01 = CLM01 and the claim's billing NPI is the payee NPI (a
   secondary or crossover payer, whose remit carries the provider's own claim number);
3. ``payer_claim_number``: CLP07 equals the payer claim number of a payment already matched
   to a claim, or the REF F8 of a corrected claim;
4. ``patient_dates_charge``: same member id, same first service date and same charge.
Otherwise the payment stays unmatched (``none``) and points at a stub claim, so the denial
is still analysed; when its 837 arrives later the stub becomes the claim and the payment is
re-matched.

Line level: REF 6R first (``line_control``), then procedure + modifiers + date + charge
(``procedure_date_charge``), then procedure + date (``procedure_date``), then a unique
procedure or revenue code (``procedure``). SVC06, when present, is what was billed, so it
is compared with the claim line instead of the paid code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim, ClaimLine, Patient
from denialscope.ingest.lookups import chunks, table_of
from denialscope.orgs.models import Provider
from denialscope.remits.models import ClaimPayment
from denialscope.x12.remit835.records import ClaimPayment as ClaimPaymentRecord
from denialscope.x12.remit835.records import Procedure
from denialscope.x12.remit835.records import ServicePayment as ServiceRecord

__all__ = [
    "ClaimCandidate",
    "LineCandidate",
    "match_claims",
    "match_lines",
    "relink_waiting",
    "resequence",
]


@dataclass(slots=True)
class ClaimCandidate:
    id: int
    payer_id: int | None
    billing_npi: str | None
    is_stub: bool
    patient_id: int | None
    service_from: dt.date | None = None
    service_to: dt.date | None = None


@dataclass(slots=True)
class LineCandidate:
    id: int
    line_no: int
    line_control: str | None
    procedure: str | None
    modifiers: str | None
    revenue_code: str | None
    service_from: dt.date | None
    charge: Decimal | None


def billing_npis(session: Session, provider_ids: set[int]) -> dict[int, str | None]:
    """NPI of each provider id (the claims' billing providers)."""
    out: dict[int, str | None] = {}
    for part in chunks(sorted(provider_ids)):
        for pid, npi in session.execute(
            select(Provider.id, Provider.npi).where(Provider.id.in_(part))
        ):
            out[pid] = npi
    return out


def match_claims(
    session: Session,
    payments: Sequence[ClaimPaymentRecord],
    *,
    payer_id: int | None,
    payee_npi: str | None,
) -> list[tuple[int | None, str]]:
    """For each payment, the matched claim id (or None) and the method."""
    numbers = sorted({p.patient_control_number.strip() for p in payments})
    by_number: dict[str, list[ClaimCandidate]] = defaultdict(list)
    for part in chunks(numbers):
        rows = session.execute(
            select(
                Claim.id,
                Claim.control_number,
                Claim.payer_id,
                Claim.is_stub,
                Claim.patient_id,
                Claim.billing_provider_id,
                Claim.statement_from,
                Claim.statement_to,
            ).where(Claim.control_number.in_(part))
        ).all()
        npis = billing_npis(session, {r.billing_provider_id for r in rows if r.billing_provider_id})
        for r in rows:
            by_number[r.control_number].append(
                ClaimCandidate(
                    r.id,
                    r.payer_id,
                    npis.get(r.billing_provider_id or -1),
                    r.is_stub,
                    r.patient_id,
                    r.statement_from,
                    r.statement_to,
                )
            )
    results: list[tuple[int | None, str]] = []
    pending: list[int] = []
    for i, p in enumerate(payments):
        cands = [c for c in by_number.get(p.patient_control_number.strip(), []) if not c.is_stub]
        same_payer = [c for c in cands if payer_id is not None and c.payer_id == payer_id]
        if len(same_payer) > 1 and payee_npi:
            same_payer = [c for c in same_payer if c.billing_npi == payee_npi] or same_payer
        if len(same_payer) > 1:  # a reused claim number: the claim of this date of service
            same_payer = _on_date(same_payer, first_service_date(p)) or same_payer
        if same_payer:
            results.append((same_payer[0].id, "clp01_payer"))
            continue
        same_provider = [c for c in cands if payee_npi and c.billing_npi == payee_npi]
        if len(same_provider) > 1:
            same_provider = _on_date(same_provider, first_service_date(p)) or same_provider
        if same_provider:
            results.append((same_provider[0].id, "clp01_provider"))
            continue
        results.append((None, "none"))
        pending.append(i)
    if pending:
        _by_payer_claim_number(session, payments, results, pending)
    pending = [i for i in pending if results[i][0] is None]
    if pending:
        _by_patient_dates_charge(session, payments, results, pending)
    return results


def _on_date(cands: list[ClaimCandidate], day: dt.date | None) -> list[ClaimCandidate]:
    """The candidates whose dates of service hold ``day``."""
    if day is None:
        return []
    return [
        c
        for c in cands
        if c.service_from is not None and c.service_from <= day <= (c.service_to or c.service_from)
    ]


def _by_payer_claim_number(
    session: Session,
    payments: Sequence[ClaimPaymentRecord],
    results: list[tuple[int | None, str]],
    pending: list[int],
) -> None:
    wanted = sorted(
        {payments[i].payer_claim_number for i in pending if payments[i].payer_claim_number}
    )
    found: dict[str, int] = {}
    for part in chunks(wanted):
        for number, claim_id in session.execute(
            select(ClaimPayment.payer_claim_number, ClaimPayment.claim_id).where(
                ClaimPayment.payer_claim_number.in_(part),
                ClaimPayment.claim_id.is_not(None),
                ClaimPayment.match_method != "none",
            )
        ):
            found.setdefault(number, claim_id)
        for number, claim_id in session.execute(
            select(Claim.original_payer_claim_number, Claim.id).where(
                Claim.original_payer_claim_number.in_(part), Claim.is_stub.is_(False)
            )
        ):
            found.setdefault(number, claim_id)
    for i in pending:
        claim_id = found.get(payments[i].payer_claim_number)
        if claim_id is not None:
            results[i] = (claim_id, "payer_claim_number")


def _member_id(p: ClaimPaymentRecord) -> str | None:
    for party in (p.patient, p.insured):
        if party is not None and party.id:
            return party.id.strip()
    return None


def first_service_date(p: ClaimPaymentRecord) -> dt.date | None:
    if p.statement_start:
        return p.statement_start
    dates = [s.service_date or s.period_start for s in p.services]
    known = [d for d in dates if d]
    return min(known) if known else None


def _by_patient_dates_charge(
    session: Session,
    payments: Sequence[ClaimPaymentRecord],
    results: list[tuple[int | None, str]],
    pending: list[int],
) -> None:
    members = sorted({m for i in pending if (m := _member_id(payments[i]))})
    if not members:
        return
    index: dict[tuple[str, dt.date | None, Decimal | None], int] = {}
    for part in chunks(members):
        for member, start, charge, claim_id in session.execute(
            select(Patient.member_id, Claim.statement_from, Claim.total_charge, Claim.id)
            .join(Claim, Claim.patient_id == Patient.id)
            .where(Patient.member_id.in_(part), Claim.is_stub.is_(False))
        ):
            index.setdefault((member, start, charge), claim_id)
    for i in pending:
        p = payments[i]
        member = _member_id(p)
        if member is None:
            continue
        claim_id = index.get((member, first_service_date(p), p.charge))
        if claim_id is not None:
            results[i] = (claim_id, "patient_dates_charge")


def load_lines(session: Session, claim_ids: Iterable[int]) -> dict[int, list[LineCandidate]]:
    lines: dict[int, list[LineCandidate]] = defaultdict(list)
    t = table_of(ClaimLine)
    for part in chunks(sorted(set(claim_ids))):
        for r in session.execute(
            select(
                t.c.id,
                t.c.claim_id,
                t.c.line_no,
                t.c.line_control,
                t.c.procedure,
                t.c.modifiers,
                t.c.revenue_code,
                t.c.service_from,
                t.c.charge,
            ).where(t.c.claim_id.in_(part))
        ):
            lines[r.claim_id].append(
                LineCandidate(
                    r.id,
                    r.line_no,
                    r.line_control,
                    r.procedure,
                    r.modifiers,
                    r.revenue_code,
                    r.service_from,
                    r.charge,
                )
            )
    return lines


def match_lines(
    services: Sequence[ServiceRecord], lines: Sequence[LineCandidate]
) -> list[tuple[int | None, str | None]]:
    """For each remittance line, the claim line it answers and how it was found."""
    used: set[int] = set()
    out: list[tuple[int | None, str | None]] = []
    for s in services:
        billed = s.original_procedure or s.procedure
        code = billed.code if billed.qualifier != "NU" else ""
        revenue = s.revenue_code or (billed.code if billed.qualifier == "NU" else "")
        mods = ",".join(m for m in billed.modifiers if m) or None
        when = s.service_date or s.period_start
        free = [ln for ln in lines if ln.id not in used]
        hit: LineCandidate | None = None
        how: str | None = None
        if s.control_number:
            hit = next((ln for ln in free if ln.line_control == s.control_number), None)
            how = "line_control"
        if hit is None and code:
            same = [ln for ln in free if ln.procedure == code]
            exact = [
                ln
                for ln in same
                if ln.modifiers == mods and ln.service_from == when and ln.charge == s.charge
            ]
            dated = [ln for ln in same if ln.service_from == when]
            for group, name in ((exact, "procedure_date_charge"), (dated, "procedure_date")):
                if group:
                    hit, how = group[0], name
                    break
            if hit is None and len(same) == 1:
                hit, how = same[0], "procedure"
        if hit is None and revenue:
            rev = [ln for ln in free if ln.revenue_code == revenue and not code]
            rev = rev or [ln for ln in free if ln.revenue_code == revenue]
            if len(rev) == 1 or (rev and rev[0].charge == s.charge):
                hit, how = rev[0], "revenue_code"
        if hit is None:
            out.append((None, None))
        else:
            used.add(hit.id)
            out.append((hit.id, how))
    return out


def resequence(session: Session, claim_ids: Iterable[int]) -> None:
    """Number each claim's payments in adjudication order and pair reversals (CLP02 22)
    with the payment they take back, so a reversed payment is never counted twice."""
    t = table_of(ClaimPayment)
    rows: list[Any] = []
    for part in chunks(sorted(set(claim_ids))):
        rows.extend(
            session.execute(
                select(
                    t.c.id,
                    t.c.claim_id,
                    t.c.seq,
                    t.c.adjudicated_at,
                    t.c.is_reversal,
                    t.c.reverses_payment_id,
                    t.c.paid,
                    t.c.charge,
                    t.c.payer_claim_number,
                ).where(t.c.claim_id.in_(part))
            ).all()
        )
    by_claim: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_claim[r.claim_id].append(r)
    seq_updates: list[dict[str, Any]] = []
    rev_updates: list[dict[str, Any]] = []
    for items in by_claim.values():
        items.sort(key=lambda r: (r.adjudicated_at or dt.date.min, r.id))
        taken = {r.reverses_payment_id for r in items if r.reverses_payment_id}
        for seq, r in enumerate(items, 1):
            if r.seq != seq:
                seq_updates.append({"b_id": r.id, "seq": seq})
            if r.is_reversal and r.reverses_payment_id is None:
                target = _reversed(items, r, taken)
                if target is not None:
                    taken.add(target)
                    rev_updates.append({"b_id": r.id, "reverses_payment_id": target})
    if seq_updates:
        session.execute(
            update(t).where(t.c.id == bindparam("b_id")).values(seq=bindparam("seq")),
            seq_updates,
            execution_options={"synchronize_session": False},
        )
    if rev_updates:
        session.execute(
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(reverses_payment_id=bindparam("reverses_payment_id")),
            rev_updates,
            execution_options={"synchronize_session": False},
        )


def _reversed(items: list[Any], reversal: Any, taken: set[int]) -> int | None:
    """The latest earlier payment that this reversal cancels: same payer claim number when
    both have one, and amounts of opposite sign."""
    for r in reversed(items):
        if r.id == reversal.id or r.is_reversal or r.id in taken:
            continue
        if (r.adjudicated_at or dt.date.min, r.id) > (
            reversal.adjudicated_at or dt.date.min,
            reversal.id,
        ):
            continue
        if (
            reversal.payer_claim_number
            and r.payer_claim_number
            and (r.payer_claim_number != reversal.payer_claim_number)
        ):
            continue
        if r.paid is not None and reversal.paid is not None and r.paid != -reversal.paid:
            continue
        return int(r.id)
    return None


@dataclass(slots=True)
class _StoredService:
    """A stored remittance line, shaped like the 835 record match_lines expects."""

    procedure: Procedure
    original_procedure: Procedure | None
    revenue_code: str
    service_date: dt.date | None
    period_start: dt.date | None
    control_number: str
    charge: Decimal | None


def relink_waiting(session: Session, control_numbers: Iterable[str]) -> int:
    """Match payments that arrived before their claim, now that 837s for these claim
    numbers are stored; returns how many were linked."""
    from denialscope.remits.models import Remittance, ServicePayment

    cp = table_of(ClaimPayment)
    waiting: list[Any] = []
    for part in chunks(sorted(set(control_numbers))):
        waiting.extend(
            session.execute(
                select(
                    cp.c.id,
                    cp.c.claim_id,
                    cp.c.patient_control_number,
                    Remittance.payer_id,
                    Remittance.payee_npi,
                )
                .join(Remittance, Remittance.id == cp.c.remittance_id)
                .where(cp.c.match_method == "none", cp.c.patient_control_number.in_(part))
            ).all()
        )
    if not waiting:
        return 0
    numbers = sorted({w.patient_control_number for w in waiting})
    cands: dict[str, list[Any]] = defaultdict(list)
    for part in chunks(numbers):
        rows = session.execute(
            select(Claim.id, Claim.control_number, Claim.payer_id, Claim.billing_provider_id).where(
                Claim.control_number.in_(part), Claim.is_stub.is_(False)
            )
        ).all()
        npis = billing_npis(session, {r.billing_provider_id for r in rows if r.billing_provider_id})
        for r in rows:
            cands[r.control_number].append(
                (r.id, r.payer_id, npis.get(r.billing_provider_id or -1))
            )
    links: list[dict[str, Any]] = []
    old_claims: dict[int, int] = {}  # stub -> the claim its payment moved to
    for w in waiting:
        options = cands.get(w.patient_control_number, [])
        hit = next((c for c in options if w.payer_id is not None and c[1] == w.payer_id), None)
        method = "clp01_payer"
        if hit is None:
            hit = next((c for c in options if w.payee_npi and c[2] == w.payee_npi), None)
            method = "clp01_provider"
        if hit is None:
            continue
        if w.claim_id is not None and w.claim_id != hit[0]:
            old_claims[w.claim_id] = hit[0]
        links.append({"b_id": w.id, "claim_id": hit[0], "match_method": method})
    if not links:
        return 0
    session.execute(
        update(cp)
        .where(cp.c.id == bindparam("b_id"))
        .values(claim_id=bindparam("claim_id"), match_method=bindparam("match_method")),
        links,
        execution_options={"synchronize_session": False},
    )
    # Line matching for the newly linked payments.
    claim_of = {link["b_id"]: link["claim_id"] for link in links}
    lines = load_lines(session, claim_of.values())
    sp = table_of(ServicePayment)
    services: dict[int, list[tuple[int, _StoredService]]] = defaultdict(list)
    for part in chunks(sorted(claim_of)):
        for r in session.execute(
            select(sp).where(sp.c.claim_payment_id.in_(part)).order_by(sp.c.id)
        ):
            services[r.claim_payment_id].append(
                (
                    r.id,
                    _StoredService(
                        Procedure(
                            r.procedure_qualifier or "",
                            r.procedure or "",
                            tuple((r.modifiers or "").split(",")) if r.modifiers else (),
                        ),
                        Procedure(
                            "HC",
                            r.original_procedure,
                            tuple((r.original_modifiers or "").split(","))
                            if r.original_modifiers
                            else (),
                        )
                        if r.original_procedure
                        else None,
                        r.revenue_code or "",
                        r.service_from,
                        None,
                        r.line_control or "",
                        r.charge,
                    ),
                )
            )
    line_updates: list[dict[str, Any]] = []
    for cp_id, items in services.items():
        found = match_lines([s for _, s in items], lines.get(claim_of[cp_id], []))  # type: ignore[misc]
        for (sp_id, _), (line_id, how) in zip(items, found, strict=True):
            line_updates.append({"b_id": sp_id, "claim_line_id": line_id, "line_match_method": how})
    if line_updates:
        session.execute(
            update(sp)
            .where(sp.c.id == bindparam("b_id"))
            .values(
                claim_line_id=bindparam("claim_line_id"),
                line_match_method=bindparam("line_match_method"),
            ),
            line_updates,
            execution_options={"synchronize_session": False},
        )
    _drop_orphan_stubs(session, old_claims)
    resequence(session, set(claim_of.values()))
    return len(links)


def _drop_orphan_stubs(session: Session, moved: dict[int, int]) -> None:
    """Stubs left with no payment after their payments moved to the real claim.

    A stub's work item (the denial worked before the 837 arrived: its history, notes,
    letters, fixes) moves with the payment to the real claim when that claim has no item of
    its own; otherwise the stub stays, item and all: deleting it would cascade to the work
    done on it.
    """
    from sqlalchemy import delete, exists, insert

    from denialscope.db.base import utcnow
    from denialscope.workqueue.models import WorkItem, WorkItemEvent

    stubs = sorted(moved)
    for part in chunks(stubs):
        items = session.execute(
            select(WorkItem.id, WorkItem.claim_id).where(WorkItem.claim_id.in_(part))
        ).all()
        targets = {moved[claim_id] for _, claim_id in items}
        taken = set(
            session.scalars(select(WorkItem.claim_id).where(WorkItem.claim_id.in_(targets)))
        )
        for item_id, stub in items:
            target = moved[stub]
            if target in taken:
                continue
            taken.add(target)
            session.execute(
                update(WorkItem).where(WorkItem.id == item_id).values(claim_id=target),
                execution_options={"synchronize_session": False},
            )
            session.execute(
                insert(WorkItemEvent).values(
                    work_item_id=item_id,
                    at=utcnow(),
                    actor="system",
                    kind="relinked",
                    detail="the claim's 837 arrived: the denial moved from the remit's stub "
                    f"to claim {target}",
                )
            )
    for part in chunks(stubs):
        session.execute(
            delete(Claim)
            .where(Claim.id.in_(part), Claim.is_stub.is_(True))
            .where(~exists().where(ClaimPayment.claim_id == Claim.id))
            .where(~exists().where(WorkItem.claim_id == Claim.id)),
            execution_options={"synchronize_session": False},
        )
