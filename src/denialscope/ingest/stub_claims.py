"""Stub claims: a remittance that matches no submitted claim still gets a claim.

A denial without its 837 is still a denial to analyse and work: the stub carries what the
835 tells (patient, payee, rendering provider, dates, charge, DRG, facility type) and is
replaced by the real claim when its 837 arrives (``relink_waiting``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from denialscope.claims.models import Claim, claim_key_for
from denialscope.db.base import utcnow
from denialscope.ingest.lookups import chunks, clip, table_of
from denialscope.ingest.matching import first_service_date
from denialscope.ingest.scope import FileScope
from denialscope.x12.remit835.records import ClaimPayment as PaymentRecord

__all__ = ["StubClaims"]

# Type of bill facility codes that are inpatient stays.
_INPATIENT_TYPES = {"11", "12", "18", "21", "22", "41"}


class StubClaims:
    """Creates (or reuses) the stub claims of one file's unmatched payments."""

    def __init__(self, scope: FileScope) -> None:
        self.scope = scope

    def create(
        self,
        payments: list[PaymentRecord],
        claim_ids: list[int | None],
        adjudicated: dt.date | None,
        payer_id: int | None,
        payee_npi: str | None,
    ) -> list[int | None]:
        """A stub claim for every unmatched payment (reused when one exists already)."""
        wanted: dict[str, PaymentRecord] = {}
        for p, cid in zip(payments, claim_ids, strict=True):
            if cid is None:
                wanted.setdefault(claim_key_for(p.patient_control_number, payee_npi), p)
        if not wanted:
            return [None] * len(payments)
        table = table_of(Claim)
        found: dict[str, int] = {}
        keys = sorted(wanted)
        for part in chunks(keys):
            for cid, key in self.scope.session.execute(
                select(table.c.id, table.c.claim_key).where(table.c.claim_key.in_(part))
            ):
                found[key] = cid
        missing = [k for k in keys if k not in found]
        self.scope.lookups.prefetch_patients(
            [
                (pt.id, None, pt.last_or_org, pt.first, None)
                for k in missing
                if (pt := wanted[k].patient or wanted[k].insured) is not None
            ]
        )
        new_ids = self.scope.ids.take(table, len(missing))
        now = utcnow()
        rows = []
        for key, cid in zip(missing, new_ids, strict=True):
            p = wanted[key]
            found[key] = cid
            rows.append(self._row(cid, key, p, adjudicated, now, payer_id, payee_npi))
        self.scope.bulk.insert(table, rows)
        return [
            found[claim_key_for(p.patient_control_number, payee_npi)] if cid is None else None
            for p, cid in zip(payments, claim_ids, strict=True)
        ]

    def _row(
        self,
        cid: int,
        key: str,
        p: PaymentRecord,
        adjudicated: dt.date | None,
        now: dt.datetime,
        payer_id: int | None,
        payee_npi: str | None,
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
        org = self.scope.resolver.resolve(
            rendering_npi=rendering_npi,
            billing_npi=payee_npi,
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
            "payer_id": payer_id,
            "patient_id": self.scope.lookups.patient(
                patient.id if patient else None,
                None,
                patient.last_or_org if patient else None,
                patient.first if patient else None,
            ),
            "billing_provider_id": self.scope.lookups.provider(payee_npi, role="payee"),
            "rendering_provider_id": self.scope.lookups.provider(rendering_npi, role="rendering"),
            "facility_id": org.facility_id,
            "department_id": org.department_id,
            "service_line": clip(org.service_line, 80),
            "facility_code": clip(p.facility_type, 4),
            "frequency": clip(p.frequency, 1),
            "total_charge": p.charge,
            "statement_from": start,
            "statement_to": p.statement_end or start,
            "drg": clip(p.drg, 4),
            # No 837: the payer's received date is the best stand-in for submission.
            "submitted_at": p.received or start or adjudicated,
            "source_file_id": self.scope.source_file_id,
            "is_stub": True,
            "current_version": 0,
            "created_at": now,
            "updated_at": now,
        }
