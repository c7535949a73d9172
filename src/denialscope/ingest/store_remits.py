"""835 records -> remittances, claim_payments, service_payments, adjustments, remarks, PLB.

Claim payments are buffered and written in batches: each batch is matched to claims with a
handful of queries (see matching.py), gets its ids in one allocation and is inserted with
one executemany per table. A payment that matches no claim gets a stub claim so that every
denial has a claim to hang analytics and work items on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim, claim_key_for
from denialscope.db.base import utcnow
from denialscope.ingest.bulk import BulkWriter
from denialscope.ingest.lookups import IdAllocator, Lookups, chunks, table_of
from denialscope.ingest.matching import (
    first_service_date,
    load_lines,
    match_claims,
    match_lines,
    resequence,
)
from denialscope.orgs.service import OrgResolver
from denialscope.remits.models import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    ServicePayment,
    payer_responsibility_for,
)
from denialscope.x12.remit835.records import ClaimPayment as PaymentRecord
from denialscope.x12.remit835.records import ProviderAdjustment as PlbRecord
from denialscope.x12.remit835.records import Remittance as RemittanceRecord

__all__ = ["RemitStore"]

BATCH = 1000
_INPATIENT_TYPES = {"11", "12", "18", "21", "22", "41"}

# Called after each batch with the stored payment ids and their records (classification).
BatchHook = Callable[[Session, list[int], list[PaymentRecord], list[int | None]], None]


def _s(value: str | None, size: int) -> str | None:
    text = (value or "").strip()
    return text[:size] or None


def _payer_ident(rec: RemittanceRecord) -> tuple[str | None, str | None, str | None]:
    payer = rec.payer
    if payer is None:
        return None, None, None
    ident = payer.id or next((v for q, v in payer.refs if q == "2U"), "")
    return ident or None, payer.name or None, payer.id_qualifier or None


def _payee_npi(rec: RemittanceRecord) -> str | None:
    payee = rec.payee
    if payee is None:
        return None
    if payee.id_qualifier == "XX":
        return _s(payee.id, 10)
    return _s(next((v for q, v in payee.refs if q == "HPI"), None), 10)


def _payee_tax_id(rec: RemittanceRecord) -> str | None:
    payee = rec.payee
    if payee is None:
        return None
    if payee.id_qualifier == "FI":
        return _s(payee.id, 20)
    return _s(next((v for q, v in payee.refs if q == "TJ"), None), 20)


class RemitStore:
    """Writes one file's 835 content."""

    def __init__(
        self,
        session: Session,
        *,
        lookups: Lookups,
        ids: IdAllocator,
        resolver: OrgResolver,
        source_file_id: int,
        on_batch: BatchHook | None = None,
    ) -> None:
        self.session = session
        self.lookups = lookups
        self.ids = ids
        self.resolver = resolver
        self.source_file_id = source_file_id
        self.on_batch = on_batch
        self.bulk = BulkWriter(session)
        self._remittance: RemittanceRecord | None = None
        self._remit_id = 0
        self._payer_id: int | None = None
        self._payee_npi: str | None = None
        self._pending: list[PaymentRecord] = []
        self._plb: list[dict[str, Any]] = []
        self.remittances = 0
        self.stored = 0
        self.matched = 0
        self.unmatched = 0
        self.service_lines = 0
        self.adjustments = 0

    # --- records --------------------------------------------------------------------

    def remittance(self, rec: RemittanceRecord) -> None:
        self.flush()
        ident, name, qualifier = _payer_ident(rec)
        self._payer_id = self.lookups.payer(ident, name, qualifier)
        self._payee_npi = _payee_npi(rec)
        self._remittance = rec
        (self._remit_id,) = self.ids.take(table_of(Remittance), 1)
        self.remittances += 1
        self.session.execute(
            insert(table_of(Remittance)),
            [
                {
                    "id": self._remit_id,
                    "source_file_id": self.source_file_id,
                    "payer_id": self._payer_id,
                    "payee_npi": self._payee_npi,
                    "payee_tax_id": _payee_tax_id(rec),
                    "payment_amount": rec.payment_amount,
                    "payment_method": _s(rec.payment_method, 3),
                    "payment_date": rec.payment_date,
                    "trace_number": _s(rec.trace_number, 50),
                    "production_date": rec.production_date,
                }
            ],
        )

    def claim(self, rec: PaymentRecord) -> None:
        if rec.remittance is not self._remittance:
            self.remittance(rec.remittance)
        self._pending.append(rec)
        if len(self._pending) >= BATCH:
            self.flush()

    def provider_adjustment(self, rec: PlbRecord) -> None:
        if rec.remittance is not self._remittance:
            self.remittance(rec.remittance)
        self._plb.append(
            {
                "remittance_id": self._remit_id,
                "provider_id_text": _s(rec.provider_id, 50),
                "fiscal_date": rec.fiscal_period_end,
                "reason": _s(rec.reason, 4),
                "reference": _s(rec.reference, 50),
                "amount": rec.amount,
            }
        )

    # --- writing --------------------------------------------------------------------

    def flush(self) -> None:
        if self._plb:
            self.bulk.insert(table_of(ProviderAdjustment), self._plb)
            self._plb = []
        payments, self._pending = self._pending, []
        if not payments:
            return
        remit = payments[0].remittance
        adjudicated = remit.payment_date or remit.production_date
        matches = match_claims(
            self.session, payments, payer_id=self._payer_id, payee_npi=self._payee_npi
        )
        claim_ids: list[int | None] = [m[0] for m in matches]
        stub_ids = self._stubs(payments, claim_ids, adjudicated)
        lines_by_claim = load_lines(self.session, [c for c in claim_ids if c is not None])
        cp_table = table_of(ClaimPayment)
        sp_table = table_of(ServicePayment)
        cp_ids = self.ids.take(cp_table, len(payments))
        sp_ids = iter(self.ids.take(sp_table, sum(len(p.services) for p in payments)))
        cp_rows: list[dict[str, Any]] = []
        sp_rows: list[dict[str, Any]] = []
        adj_rows: list[dict[str, Any]] = []
        rem_rows: list[dict[str, Any]] = []
        for p, cp_id, (claim_id, method), stub_id in zip(
            payments, cp_ids, matches, stub_ids, strict=True
        ):
            status = p.status.strip()
            cp_rows.append(
                {
                    "id": cp_id,
                    "remittance_id": self._remit_id,
                    "claim_id": claim_id if claim_id is not None else stub_id,
                    "match_method": method,
                    "seq": 1,
                    "status_code": _s(status, 2),
                    "payer_responsibility": payer_responsibility_for(status),
                    "is_reversal": status == "22",
                    "reverses_payment_id": None,
                    "charge": p.charge,
                    "paid": p.paid,
                    "patient_responsibility": p.patient_responsibility,
                    "payer_claim_number": _s(p.payer_claim_number, 50),
                    "facility_type": _s(p.facility_type, 2),
                    "frequency": _s(p.frequency, 1),
                    "drg": _s(p.drg, 4),
                    "drg_weight": p.drg_weight,
                    "filing_indicator": _s(p.filing_indicator, 2),
                    "service_from": first_service_date(p),
                    "service_to": p.statement_end or p.statement_start,
                    "received_date": p.received,
                    "patient_control_number": _s(p.patient_control_number, 50),
                    "patient_id": None,
                    "rendering_npi": _s(p.rendering_provider.id, 10)
                    if p.rendering_provider and p.rendering_provider.id_qualifier == "XX"
                    else None,
                    "adjudicated_at": adjudicated,
                }
            )
            for a in p.adjustments:
                adj_rows.append(
                    _adjustment(cp_id, None, a.level, a.group, a.reason, a.amount, a.quantity)
                )
            for r in p.remarks:
                rem_rows.append(_remark(cp_id, None, r.level, r.source, r.code))
            line_matches = (
                match_lines(p.services, lines_by_claim.get(claim_id, []))
                if claim_id is not None
                else [(None, None)] * len(p.services)
            )
            for s, (line_id, line_how) in zip(p.services, line_matches, strict=True):
                sp_id = next(sp_ids)
                orig = s.original_procedure
                sp_rows.append(
                    {
                        "id": sp_id,
                        "claim_payment_id": cp_id,
                        "claim_line_id": line_id,
                        "line_match_method": line_how,
                        "line_control": _s(s.control_number, 50),
                        "procedure_qualifier": _s(s.procedure.qualifier, 2),
                        "procedure": _s(s.procedure.code, 48),
                        "modifiers": _s(",".join(m for m in s.procedure.modifiers if m), 20),
                        "original_procedure": _s(orig.code, 48) if orig else None,
                        "original_modifiers": _s(",".join(m for m in orig.modifiers if m), 20)
                        if orig
                        else None,
                        "revenue_code": _s(s.revenue_code, 4),
                        "charge": s.charge,
                        "paid": s.paid,
                        "allowed": s.allowed,
                        "units": s.units_paid,
                        "original_units": s.original_units,
                        "service_from": s.service_date or s.period_start,
                        "service_to": s.service_date_end or s.period_end or s.service_date,
                    }
                )
                for a in s.adjustments:
                    adj_rows.append(
                        _adjustment(cp_id, sp_id, "line", a.group, a.reason, a.amount, a.quantity)
                    )
                for r in s.remarks:
                    rem_rows.append(_remark(cp_id, sp_id, "line", r.source, r.code))
        patients = self._patients_of([c for c in claim_ids if c is not None])
        for row, claim_id in zip(cp_rows, claim_ids, strict=True):
            if claim_id is not None:
                row["patient_id"] = patients.get(claim_id)
        self.bulk.insert(cp_table, cp_rows)
        self.bulk.insert(sp_table, sp_rows)
        self.bulk.insert(table_of(Adjustment), adj_rows)
        self.bulk.insert(table_of(RemarkCode), rem_rows)
        touched = [c for c in claim_ids if c is not None] + [s for s in stub_ids if s is not None]
        resequence(self.session, touched)
        if self.on_batch is not None:
            final_ids = [
                c if c is not None else s for c, s in zip(claim_ids, stub_ids, strict=True)
            ]
            self.on_batch(self.session, cp_ids, payments, final_ids)
        self.stored += len(payments)
        self.matched += sum(1 for c in claim_ids if c is not None)
        self.unmatched += sum(1 for c in claim_ids if c is None)
        self.service_lines += len(sp_rows)
        self.adjustments += len(adj_rows)

    def _patients_of(self, claim_ids: list[int]) -> dict[int, int | None]:
        """The claims' patients: a payment's patient is its claim's (the 835 has no birth
        date, so its own NM1*QC would make a different patient key)."""
        c = table_of(Claim)
        out: dict[int, int | None] = {}
        for part in chunks(sorted(set(claim_ids))):
            for cid, pid in self.session.execute(
                select(c.c.id, c.c.patient_id).where(c.c.id.in_(part))
            ):
                out[cid] = pid
        return out

    def _stubs(
        self,
        payments: list[PaymentRecord],
        claim_ids: list[int | None],
        adjudicated: dt.date | None,
    ) -> list[int | None]:
        """A stub claim for every unmatched payment (reused when one exists already)."""
        wanted: dict[str, PaymentRecord] = {}
        for p, cid in zip(payments, claim_ids, strict=True):
            if cid is None:
                wanted.setdefault(claim_key_for(p.patient_control_number, self._payee_npi), p)
        if not wanted:
            return [None] * len(payments)
        table = table_of(Claim)
        found: dict[str, int] = {}
        keys = sorted(wanted)
        for part in chunks(keys):
            for cid, key in self.session.execute(
                select(table.c.id, table.c.claim_key).where(table.c.claim_key.in_(part))
            ):
                found[key] = cid
        missing = [k for k in keys if k not in found]
        self.lookups.prefetch_patients(
            [
                (pt.id, None, pt.last_or_org, pt.first, None)
                for k in missing
                if (pt := wanted[k].patient or wanted[k].insured) is not None
            ]
        )
        new_ids = self.ids.take(table, len(missing))
        now = utcnow()
        rows = []
        for key, cid in zip(missing, new_ids, strict=True):
            p = wanted[key]
            found[key] = cid
            rows.append(self._stub_row(cid, key, p, adjudicated, now))
        self.bulk.insert(table, rows)
        return [
            found[claim_key_for(p.patient_control_number, self._payee_npi)] if cid is None else None
            for p, cid in zip(payments, claim_ids, strict=True)
        ]

    def _stub_row(
        self, cid: int, key: str, p: PaymentRecord, adjudicated: dt.date | None, now: dt.datetime
    ) -> dict[str, Any]:
        institutional = any(s.revenue_code or s.procedure.qualifier == "NU" for s in p.services)
        if p.drg or (institutional and p.facility_type in _INPATIENT_TYPES and p.inpatient):
            claim_type, kind = "inpatient", "837I"
        elif institutional or p.inpatient is not None:
            claim_type, kind = ("inpatient" if p.inpatient else "outpatient"), "837I"
        else:
            claim_type, kind = "professional", "837P"
        patient = p.patient or p.insured
        rendering = p.rendering_provider
        rendering_npi = rendering.id if rendering and rendering.id_qualifier == "XX" else None
        org = self.resolver.resolve(
            rendering_npi=rendering_npi,
            billing_npi=self._payee_npi,
            taxonomy=None,
            facility_code=p.facility_type or None,
        )
        start = first_service_date(p)
        return {
            "id": cid,
            "claim_key": key[:120],
            "control_number": p.patient_control_number.strip()[:50],
            "kind": kind,
            "claim_type": claim_type,
            "payer_id": self._payer_id,
            "patient_id": self.lookups.patient(
                patient.id if patient else None,
                None,
                patient.last_or_org if patient else None,
                patient.first if patient else None,
            ),
            "billing_provider_id": self.lookups.provider(self._payee_npi, role="payee"),
            "rendering_provider_id": self.lookups.provider(rendering_npi, role="rendering"),
            "facility_id": org.facility_id,
            "department_id": org.department_id,
            "service_line": _s(org.service_line, 80),
            "facility_code": _s(p.facility_type, 4),
            "frequency": _s(p.frequency, 1),
            "total_charge": p.charge,
            "statement_from": start,
            "statement_to": p.statement_end or start,
            "drg": _s(p.drg, 4),
            # No 837: the payer's received date is the best stand-in for submission.
            "submitted_at": p.received or start or adjudicated,
            "source_file_id": self.source_file_id,
            "is_stub": True,
            "current_version": 0,
            "created_at": now,
            "updated_at": now,
        }


def _adjustment(
    cp_id: int, sp_id: int | None, level: str, group: str, reason: str, amount: Any, quantity: Any
) -> dict[str, Any]:
    return {
        "claim_payment_id": cp_id,
        "service_payment_id": sp_id,
        "level": level,
        "group_code": (group or "")[:2],
        "reason_code": (reason or "")[:5],
        "amount": amount,
        "quantity": quantity,
    }


def _remark(cp_id: int, sp_id: int | None, level: str, source: str, code: str) -> dict[str, Any]:
    return {
        "claim_payment_id": cp_id,
        "service_payment_id": sp_id,
        "level": level,
        "source": source,
        "code": (code or "")[:8],
    }
