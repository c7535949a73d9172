"""Is this 835 remittance, or some of its claim payments, already stored?

A remittance is identified by its content, not by its file's bytes: the payer, the TRN02
trace (check or EFT) number, the BPR amount and date, and its claim payments. Each claim
payment (CLP loop) has a fingerprint of its parsed values (identity.py). When a remittance
arrives whose payer and trace are already stored (with no trace: the same payer, payment
date and production date), each of its claim payments is compared with those stored under
that trace:

- the same fingerprint (or, for a payment stored before fingerprints existed, the same CLP01,
  status, charge and paid amount) -> ``payment_already_stored``: not stored again;
- the same CLP01 with other content -> ``payment_conflict``: not stored (the trace is one
  payment already on the books; storing a second version would count its money twice), and
  reported for a person to look at;
- a CLP01 not stored under the trace -> ``payment_new``: stored, under a new remittance row
  that records this file.

When nothing is new, the remittance is a ``duplicate_remittance`` and nothing of it is
stored; provider adjustments (PLB) are compared the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from denialscope.ingest.identity import IdentityFinding, canonical, fingerprint
from denialscope.ingest.lookups import chunks
from denialscope.remits.models import ClaimPayment, ProviderAdjustment, Remittance
from denialscope.x12.remit835.records import ClaimPayment as PaymentRecord
from denialscope.x12.remit835.records import Remittance as RemittanceRecord

__all__ = ["StoredTrace", "payment_fingerprint", "plb_key", "remittance_fingerprint"]

PaymentSummary = tuple[str | None, Decimal | None, Decimal | None]  # status, charge, paid


def payment_fingerprint(rec: PaymentRecord) -> str:
    """The content fingerprint of one CLP loop (without its remittance and positions)."""
    return fingerprint(rec)


def plb_key(
    provider_id: str | None,
    fiscal: dt.date | None,
    reason: str | None,
    reference: str | None,
    amount: Decimal | None,
) -> str:
    """One PLB reason/amount pair as comparable text (stored rows and records alike)."""
    return fingerprint([provider_id or "", fiscal, reason or "", reference or "", amount])


def remittance_fingerprint(
    rec: RemittanceRecord, payer: str | None, payments: list[str], plbs: list[str]
) -> str:
    """The whole remittance: payer, trace, BPR amount and date, its payments and PLB."""
    return fingerprint(
        [
            payer or "",
            rec.trace_number,
            canonical(rec.payment_amount),
            rec.payment_date,
            sorted(payments),
            sorted(plbs),
        ]
    )


@dataclass(slots=True)
class StoredTrace:
    """What is stored under one payer and trace: the basis for comparing a resend with it."""

    headers: set[tuple[str, dt.date | None]] = field(default_factory=set)
    fingerprints: Counter[str] = field(default_factory=Counter)
    # Payments stored before fingerprints existed: compared on these summary values.
    legacy: Counter[tuple[str, PaymentSummary]] = field(default_factory=Counter)
    claims: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    plbs: Counter[str] = field(default_factory=Counter)
    findings: list[IdentityFinding] = field(default_factory=list)
    new: int = 0
    already: int = 0
    conflicts: int = 0

    @classmethod
    def load(
        cls, session: Session, *, payer_id: int | None, rec: RemittanceRecord
    ) -> StoredTrace | None:
        """What is stored under the remittance's payer and trace, or None (nothing is)."""
        trace = (rec.trace_number or "").strip()[:50]
        query = select(Remittance.id, Remittance.payment_amount, Remittance.payment_date)
        same_payer = (
            Remittance.payer_id == payer_id
            if payer_id is not None
            else Remittance.payer_id.is_(None)
        )
        query = query.where(same_payer)
        if trace:
            query = query.where(Remittance.trace_number == trace)
        else:
            query = query.where(
                Remittance.trace_number.is_(None) | (Remittance.trace_number == ""),
                _same_date(Remittance.payment_date, rec.payment_date),
                _same_date(Remittance.production_date, rec.production_date),
            )
        rows = session.execute(query).all()
        if not rows:
            return None
        stored = cls()
        for _id, amount, date in rows:
            stored.headers.add((canonical(amount), date))
        ids = [r[0] for r in rows]
        for part in chunks(ids):
            for number, fp, status, charge, paid in session.execute(
                select(
                    ClaimPayment.patient_control_number,
                    ClaimPayment.fingerprint,
                    ClaimPayment.status_code,
                    ClaimPayment.charge,
                    ClaimPayment.paid,
                ).where(ClaimPayment.remittance_id.in_(part))
            ):
                key = (number or "").strip()
                stored.claims[key] += 1
                if fp:
                    stored.fingerprints[fp] += 1
                else:
                    stored.legacy[(key, (status, _money(charge), _money(paid)))] += 1
            for pid, fiscal, reason, ref, amount in session.execute(
                select(
                    ProviderAdjustment.provider_id_text,
                    ProviderAdjustment.fiscal_date,
                    ProviderAdjustment.reason,
                    ProviderAdjustment.reference,
                    ProviderAdjustment.amount,
                ).where(ProviderAdjustment.remittance_id.in_(part))
            ):
                stored.plbs[plb_key(pid, fiscal, reason, ref, amount)] += 1
        return stored

    def decide(self, rec: PaymentRecord, fp: str) -> bool:
        """Whether to store this payment; records a finding either way."""
        number = rec.patient_control_number.strip()
        summary = (rec.status.strip(), _money(rec.charge), _money(rec.paid))
        trace = rec.remittance.trace_number or None
        if self.fingerprints[fp] > 0 or self.legacy[(number, summary)] > 0:
            if self.fingerprints[fp] > 0:
                self.fingerprints[fp] -= 1
            else:
                self.legacy[(number, summary)] -= 1
            self.already += 1
            self._note("payment_already_stored", "info", rec, trace, "already stored; skipped")
            return False
        if self.claims.get(number):
            self.conflicts += 1
            self._note(
                "payment_conflict",
                "warning",
                rec,
                trace,
                "stored under this trace with other content; not stored (check with the payer)",
            )
            return False
        self.new += 1
        self._note("payment_new", "info", rec, trace, "not in the stored remittance; stored")
        return True

    def keep_plb(self, key: str) -> bool:
        """Whether a PLB pair is new under this trace."""
        if self.plbs[key] > 0:
            self.plbs[key] -= 1
            return False
        return True

    def _note(
        self, kind: str, severity: str, rec: PaymentRecord, trace: str | None, what: str
    ) -> None:
        number = rec.patient_control_number.strip()
        self.findings.append(
            IdentityFinding(
                kind=kind,
                severity=severity,
                message=f"claim payment {number} (segment {rec.segment_index}): {what}",
                segment_index=rec.segment_index,
                claim=number,
                trace=trace,
            )
        )


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _same_date(column: InstrumentedAttribute[dt.date | None], value: dt.date | None) -> Any:
    return column.is_(None) if value is None else column == value
