"""835 records -> remittances, claim_payments, service_payments, adjustments, remarks, PLB.

Claim payments are buffered and written in batches: each batch is matched to claims with a
handful of queries (see matching.py), gets its ids in one allocation and is inserted with
one executemany per table. A payment that matches no claim gets a stub claim so that every
denial has a claim to hang analytics and work items on.

A remittance whose payer and trace are already stored is compared with what is stored,
claim payment by claim payment (remit_identity.py): only what is new is stored, and its row
is written only when something is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from denialscope.claims.models import Claim
from denialscope.classify.config import ClassificationConfig
from denialscope.ingest.classify_payments import ClaimContext, classify_payments
from denialscope.ingest.identity import IdentityFinding, canonical
from denialscope.ingest.lookups import chunks, clip, table_of
from denialscope.ingest.matching import (
    first_service_date,
    load_lines,
    match_claims,
    match_lines,
    resequence,
)
from denialscope.ingest.remit_identity import (
    StoredTrace,
    payment_fingerprint,
    plb_key,
    remittance_fingerprint,
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
        # Content identity of the current remittance (see remit_identity.py).
        self._stored: StoredTrace | None = None
        self._fingerprints: list[str] = []
        self._plb_keys: list[str] = []
        self.findings: list[IdentityFinding] = []
        self.duplicate_remittances = 0
        self.payments_already_stored = 0
        self.payment_conflicts = 0
        self.claim_ids: set[int] = set()  # every claim this file's payments point at

    # --- records --------------------------------------------------------------------

    def remittance(self, rec: RemittanceRecord) -> None:
        self.finish()
        ident, name, qualifier = _payer_ident(rec)
        self._payer_id = self.scope.lookups.payer(ident, name, qualifier)
        self._payer_ident = ident or name
        self._payee_npi = _payee_npi(rec)
        self._remittance = rec
        self._remit_id = 0
        self._fingerprints = []
        self._plb_keys = []
        self._stored = StoredTrace.load(self.scope.session, payer_id=self._payer_id, rec=rec)
        if self._stored is None:  # the usual case: a trace never seen, stored as it comes
            self._write_remittance()

    def _write_remittance(self) -> None:
        rec = self._remittance
        assert rec is not None
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
        key = plb_key(rec.provider_id, rec.fiscal_period_end, rec.reason, rec.reference, rec.amount)
        self._plb_keys.append(key)
        if self._stored is not None and not self._stored.keep_plb(key):
            return
        self._plb.append(
            {
                "provider_id_text": clip(rec.provider_id, 50),
                "fiscal_date": rec.fiscal_period_end,
                "reason": clip(rec.reason, 4),
                "reference": clip(rec.reference, 50),
                "amount": rec.amount,
            }
        )

    # --- writing --------------------------------------------------------------------

    def finish(self) -> None:
        """Store what is pending and close the current remittance (its fingerprint, findings)."""
        self.flush()
        rec, stored = self._remittance, self._stored
        if rec is None:
            return
        fp = remittance_fingerprint(rec, self._payer_ident, self._fingerprints, self._plb_keys)
        if self._remit_id:
            self.scope.session.execute(
                update(table_of(Remittance))
                .where(table_of(Remittance).c.id == self._remit_id)
                .values(fingerprint=fp),
                execution_options={"synchronize_session": False},
            )
        if stored is not None:
            self.payments_already_stored += stored.already
            self.payment_conflicts += stored.conflicts
            trace = rec.trace_number or None
            if self._remit_id == 0 and stored.conflicts == 0:
                header = (canonical(rec.payment_amount), rec.payment_date)
                same = header in stored.headers
                self.duplicate_remittances += same
                self.findings.append(
                    IdentityFinding(
                        kind="duplicate_remittance" if same else "remittance_conflict",
                        severity="info" if same else "warning",
                        message=(
                            f"remittance with trace {trace or '(none)'} (segment "
                            f"{rec.segment_index}): "
                            + (
                                f"already stored ({stored.already} claim payments); nothing stored"
                                if same
                                else "its claim payments are stored under this trace with "
                                "another BPR amount or date; nothing stored"
                            )
                        ),
                        segment_index=rec.segment_index,
                        trace=trace,
                    )
                )
            else:
                self.findings.extend(stored.findings)
        self._remittance = None
        self._stored = None

    def flush(self) -> None:
        payments, self._pending = self._pending, []
        if payments:
            fps = [payment_fingerprint(p) for p in payments]
            self._fingerprints.extend(fps)
            if self._stored is not None:
                kept = [
                    (p, fp)
                    for p, fp in zip(payments, fps, strict=True)
                    if self._stored.decide(p, fp)
                ]
                payments, fps = [p for p, _ in kept], [fp for _, fp in kept]
        if (payments or self._plb) and not self._remit_id:
            self._write_remittance()
        if self._plb:
            for row in self._plb:
                row["remittance_id"] = self._remit_id
            self.scope.bulk.insert(table_of(ProviderAdjustment), self._plb)
            self._plb = []
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
        for p, cp_id, (claim_id, method), stub_id, fp in zip(
            payments, cp_ids, matches, stub_ids, fps, strict=True
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
                    "fingerprint": fp,
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
        self.claim_ids.update(touched)
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
