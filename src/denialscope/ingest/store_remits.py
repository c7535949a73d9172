"""835 records -> remittances, claim_payments, service_payments, adjustments, remarks, PLB.

Claim payments are buffered and written in batches: each batch is matched to claims with a
handful of queries (see matching.py), gets its ids in one allocation and is inserted with
one executemany per table. A payment that matches no claim gets a stub claim so that every
denial has a claim to hang analytics and work items on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from denialscope.claims.models import Claim
from denialscope.classify.config import ClassificationConfig
from denialscope.ingest.classify_payments import ClaimContext, classify_payments
from denialscope.ingest.lookups import chunks, clip, table_of
from denialscope.ingest.matching import (
    first_service_date,
    load_lines,
    match_claims,
    match_lines,
    resequence,
)
from denialscope.ingest.scope import FileScope
from denialscope.ingest.stub_claims import StubClaims
from denialscope.orgs.models import Department
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
        return clip(payee.id, 10)
    return clip(next((v for q, v in payee.refs if q == "HPI"), None), 10)


def _payee_tax_id(rec: RemittanceRecord) -> str | None:
    payee = rec.payee
    if payee is None:
        return None
    if payee.id_qualifier == "FI":
        return clip(payee.id, 20)
    return clip(next((v for q, v in payee.refs if q == "TJ"), None), 20)


class RemitStore:
    """Writes one file's 835 content."""

    def __init__(
        self, scope: FileScope, *, classification: ClassificationConfig | None = None
    ) -> None:
        self.scope = scope
        self.stubs = StubClaims(scope)
        self.classification = classification
        self._departments: dict[int, str] | None = None
        self.denials = 0
        self._remittance: RemittanceRecord | None = None
        self._remit_id = 0
        self._payer_id: int | None = None
        self._payer_ident: str | None = None
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
        self._payer_id = self.scope.lookups.payer(ident, name, qualifier)
        self._payer_ident = ident or name
        self._payee_npi = _payee_npi(rec)
        self._remittance = rec
        (self._remit_id,) = self.scope.ids.take(table_of(Remittance), 1)
        self.remittances += 1
        self.scope.session.execute(
            insert(table_of(Remittance)),
            [
                {
                    "id": self._remit_id,
                    "source_file_id": self.scope.source_file_id,
                    "payer_id": self._payer_id,
                    "payee_npi": self._payee_npi,
                    "payee_tax_id": _payee_tax_id(rec),
                    "payment_amount": rec.payment_amount,
                    "payment_method": clip(rec.payment_method, 3),
                    "payment_date": rec.payment_date,
                    "trace_number": clip(rec.trace_number, 50),
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
                "provider_id_text": clip(rec.provider_id, 50),
                "fiscal_date": rec.fiscal_period_end,
                "reason": clip(rec.reason, 4),
                "reference": clip(rec.reference, 50),
                "amount": rec.amount,
            }
        )

    # --- writing --------------------------------------------------------------------

    def flush(self) -> None:
        if self._plb:
            self.scope.bulk.insert(table_of(ProviderAdjustment), self._plb)
            self._plb = []
        payments, self._pending = self._pending, []
        if not payments:
            return
        remit = payments[0].remittance
        adjudicated = remit.payment_date or remit.production_date
        matches = match_claims(
            self.scope.session, payments, payer_id=self._payer_id, payee_npi=self._payee_npi
        )
        claim_ids: list[int | None] = [m[0] for m in matches]
        stub_ids = self.stubs.create(
            payments, claim_ids, adjudicated, self._payer_id, self._payee_npi
        )
        lines_by_claim = load_lines(self.scope.session, [c for c in claim_ids if c is not None])
        cp_table = table_of(ClaimPayment)
        sp_table = table_of(ServicePayment)
        cp_ids = self.scope.ids.take(cp_table, len(payments))
        sp_ids = iter(self.scope.ids.take(sp_table, sum(len(p.services) for p in payments)))
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
                    "status_code": clip(status, 2),
                    "payer_responsibility": payer_responsibility_for(status),
                    "is_reversal": status == "22",
                    "reverses_payment_id": None,
                    "charge": p.charge,
                    "paid": p.paid,
                    "patient_responsibility": p.patient_responsibility,
                    "payer_claim_number": clip(p.payer_claim_number, 50),
                    "facility_type": clip(p.facility_type, 2),
                    "frequency": clip(p.frequency, 1),
                    "drg": clip(p.drg, 4),
                    "drg_weight": p.drg_weight,
                    "filing_indicator": clip(p.filing_indicator, 2),
                    "service_from": first_service_date(p),
                    "service_to": p.statement_end or p.statement_start,
                    "received_date": p.received,
                    "patient_control_number": clip(p.patient_control_number, 50),
                    "patient_id": None,
                    "rendering_npi": clip(p.rendering_provider.id, 10)
                    if p.rendering_provider and p.rendering_provider.id_qualifier == "XX"
                    else None,
                    "adjudicated_at": adjudicated,
                    "denial_type": None,
                    "is_denial": False,
                    "primary_stream": None,
                    "primary_root_cause": None,
                    "denied_amount": None,
                    "config_version": None,
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
                        "line_control": clip(s.control_number, 50),
                        "procedure_qualifier": clip(s.procedure.qualifier, 2),
                        "procedure": clip(s.procedure.code, 48),
                        "modifiers": clip(",".join(m for m in s.procedure.modifiers if m), 20),
                        "original_procedure": clip(orig.code, 48) if orig else None,
                        "original_modifiers": clip(",".join(m for m in orig.modifiers if m), 20)
                        if orig
                        else None,
                        "revenue_code": clip(s.revenue_code, 4),
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
        final_ids = [c if c is not None else s for c, s in zip(claim_ids, stub_ids, strict=True)]
        context = self._claim_context([c for c in final_ids if c is not None])
        for row, claim_id in zip(cp_rows, claim_ids, strict=True):
            if claim_id is not None:
                row["patient_id"] = context[claim_id][0] if claim_id in context else None
        if self.classification is not None:
            self.denials += classify_payments(
                self.classification,
                self._payer_ident,
                payments,
                cp_rows,
                adj_rows,
                final_ids,
                context,
                adjudicated,
            )
        self.scope.bulk.insert(cp_table, cp_rows)
        self.scope.bulk.insert(sp_table, sp_rows)
        self.scope.bulk.insert(table_of(Adjustment), adj_rows)
        self.scope.bulk.insert(table_of(RemarkCode), rem_rows)
        touched = [c for c in claim_ids if c is not None] + [s for s in stub_ids if s is not None]
        resequence(self.scope.session, touched)
        self.stored += len(payments)
        self.matched += sum(1 for c in claim_ids if c is not None)
        self.unmatched += sum(1 for c in claim_ids if c is None)
        self.service_lines += len(sp_rows)
        self.adjustments += len(adj_rows)

    def _claim_context(self, claim_ids: list[int]) -> ClaimContext:
        """Per claim: patient id, claim type, department code, service line.

        A payment's patient is its claim's (the 835 has no birth date, so its own NM1*QC
        would make a different patient key); the rest is the context classification needs.
        """
        if self._departments is None:
            self._departments = dict(
                self.scope.session.execute(select(Department.id, Department.code)).tuples().all()
            )
        c = table_of(Claim)
        out: ClaimContext = {}
        for part in chunks(sorted(set(claim_ids))):
            for cid, pid, ctype, dept, line in self.scope.session.execute(
                select(
                    c.c.id, c.c.patient_id, c.c.claim_type, c.c.department_id, c.c.service_line
                ).where(c.c.id.in_(part))
            ):
                out[cid] = (pid, ctype, self._departments.get(dept) if dept else None, line)
        return out


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
        "category": None,
        "is_denial": False,
        "stream": None,
        "root_cause": None,
        "rule_id": None,
        "process_step": None,
        "owner_role": None,
        "owner_name": None,
    }


def _remark(cp_id: int, sp_id: int | None, level: str, source: str, code: str) -> dict[str, Any]:
    return {
        "claim_payment_id": cp_id,
        "service_payment_id": sp_id,
        "level": level,
        "source": source,
        "code": (code or "")[:8],
    }
