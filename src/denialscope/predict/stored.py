"""Stored claims and their first adjudication, as model inputs and labels.

The scrubber's rules run on each stored claim as it was submitted (the rules see only the
claim and the reference tables), so "scrubber findings" is a feature known at submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim as ClaimRow
from denialscope.claims.models import Patient
from denialscope.orgs.models import Department, Payer
from denialscope.predict.records import ClaimInput, Outcome, claim_input
from denialscope.remits.models import ClaimPayment
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.from_db import stored_claims
from denialscope.scrub.runner import scrub_claims
from denialscope.x12.claim837.records import Claim

__all__ = ["History", "load_history"]


@dataclass(slots=True)
class History:
    """Every stored (non-stub) claim, and the first outcome of those adjudicated."""

    claims: list[ClaimInput]
    outcomes: dict[str, Outcome]  # by claim key

    def labelled(self) -> list[tuple[ClaimInput, Outcome]]:
        return [(c, self.outcomes[c.key]) for c in self.claims if c.key in self.outcomes]


@dataclass(frozen=True, slots=True)
class _Meta:
    key: str
    payer: str
    payer_kind: str
    department: str
    service_line: str
    patient: str
    submitted: dt.date | None


def _meta(session: Session) -> dict[int, _Meta]:
    rows = session.execute(
        select(
            ClaimRow.id,
            ClaimRow.claim_key,
            Payer.payer_key,
            Payer.kind,
            Department.code,
            ClaimRow.service_line,
            Patient.patient_key,
            ClaimRow.submitted_at,
            ClaimRow.statement_from,
        )
        .outerjoin(Payer, Payer.id == ClaimRow.payer_id)
        .outerjoin(Department, Department.id == ClaimRow.department_id)
        .outerjoin(Patient, Patient.id == ClaimRow.patient_id)
        .where(ClaimRow.is_stub.is_(False))
    ).tuples()
    return {
        cid: _Meta(
            key, payer or "", kind or "", dept or "", line or "", patient or "", submitted or start
        )
        for cid, key, payer, kind, dept, line, patient, submitted, start in rows
    }


def _outcomes(session: Session) -> dict[int, Outcome]:
    """The first adjudication (lowest seq, not a reversal) of each claim."""
    rows = session.execute(
        select(
            ClaimPayment.claim_id,
            ClaimPayment.seq,
            ClaimPayment.adjudicated_at,
            ClaimPayment.is_denial,
            ClaimPayment.denied_amount,
            ClaimPayment.primary_root_cause,
            ClaimPayment.primary_stream,
        )
        .where(ClaimPayment.claim_id.is_not(None), ClaimPayment.is_reversal.is_(False))
        .order_by(ClaimPayment.claim_id, ClaimPayment.seq, ClaimPayment.id)
    ).tuples()
    out: dict[int, Outcome] = {}
    for cid, _seq, day, denied, amount, cause, stream in rows:
        if cid is None or cid in out or day is None:
            continue
        out[cid] = Outcome(day, bool(denied), float(amount or 0), cause or "", stream or "")
    return out


def load_history(session: Session, *, context: ScrubContext | None = None) -> History:
    """Every stored claim as a model input (scrubbed when ``context`` is given)."""
    meta = _meta(session)
    outcomes = _outcomes(session)
    pairs = list(stored_claims(session))
    records: Iterator[Claim] = (record for _, record in pairs)
    findings: list[list[tuple[str, str]]]
    if context is not None:
        findings = [
            [(f.rule, f.severity) for f in result.findings]
            for result in scrub_claims(records, context=context)
        ]
    else:
        findings = [[] for _ in pairs]
    claims: list[ClaimInput] = []
    by_key: dict[str, Outcome] = {}
    for (cid, record), found in zip(pairs, findings, strict=True):
        m = meta.get(cid)
        if m is None or m.submitted is None:
            continue  # no submission day: nothing to anchor "known at submission" to
        claim = claim_input(
            record,
            key=m.key,
            payer=m.payer,
            payer_kind=m.payer_kind,
            department=m.department,
            service_line=m.service_line,
            patient=m.patient,
            submitted=m.submitted,
            scrub=found,
        )
        claims.append(claim)
        if cid in outcomes:
            by_key[m.key] = outcomes[cid]
    return History(claims, by_key)
