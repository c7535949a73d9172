"""Stored claims and their first adjudication, as model inputs and labels.

The scrubber's rules run on each stored claim as it was submitted (the rules see only the
claim and the reference tables), so "scrubber findings" is a feature known at submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim as ClaimRow
from denialscope.claims.models import ClaimLine, Patient
from denialscope.claims.record import stored_claims
from denialscope.eligibility.store import EligibilityFeed, load_feed
from denialscope.orgs.models import Department, Payer, Provider, payer_key_for
from denialscope.predict.filing import FilingLimits
from denialscope.predict.first_sent import FirstSent, first_submissions
from denialscope.predict.records import ClaimInput, LineInput, Outcome, claim_input
from denialscope.remits.models import ClaimPayment
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.runner import scrub_claims
from denialscope.x12.claim837.records import Claim

__all__ = ["History", "load_history", "load_outcome_history"]


@dataclass(slots=True)
class History:
    """Every stored (non-stub) claim, and the first outcome of those adjudicated."""

    claims: list[ClaimInput]
    outcomes: dict[str, Outcome]  # by claim key
    eligibility: EligibilityFeed = field(default_factory=EligibilityFeed)  # stored 271s
    first_sent: FirstSent = field(default_factory=FirstSent)  # corrected claims' first versions

    def first_lines(self) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        """(procedure, modifiers) of each line of the claims read as first sent, by claim key:
        what scoring's outcome history reads for them (``load_outcome_history``)."""
        return {
            c.key: [(ln.procedure, ln.modifiers) for ln in c.lines]
            for c in self.claims
            if c.key in self.first_sent.keys
        }

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
    start: dt.date | None
    payer_id: str


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
            Payer.payer_id,
        )
        .outerjoin(Payer, Payer.id == ClaimRow.payer_id)
        .outerjoin(Department, Department.id == ClaimRow.department_id)
        .outerjoin(Patient, Patient.id == ClaimRow.patient_id)
        .where(ClaimRow.is_stub.is_(False))
    ).tuples()
    return {
        cid: _Meta(
            key,
            payer or "",
            kind or "",
            dept or "",
            line or "",
            patient or "",
            submitted or start,
            start,
            payer_id or payer or "",
        )
        for cid, key, payer, kind, dept, line, patient, submitted, start, payer_id in rows
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


def _as_first_sent(meta: _Meta, record: Claim, kinds: dict[str, str]) -> _Meta:
    """A claim's metadata for its first submission: a replacement may have changed payer."""
    payer = payer_key_for(record.payer.identifier, record.payer.name) if record.payer else None
    if not payer or payer == meta.payer or payer not in kinds:
        return meta
    return _Meta(
        meta.key,
        payer,
        kinds[payer],
        meta.department,
        meta.service_line,
        meta.patient,
        meta.submitted,
        meta.start,
        payer,
    )


def load_history(
    session: Session,
    *,
    context: ScrubContext | None = None,
    limits: FilingLimits | None = None,
) -> History:
    """Every stored claim as a model input, as it was first sent (``first_sent``), scrubbed
    when ``context`` is given, with its payer's filing limit when ``limits`` are given."""
    meta = _meta(session)
    outcomes = _outcomes(session)
    first = first_submissions(session)
    kinds = {k: kind or "" for k, kind in session.execute(select(Payer.payer_key, Payer.kind))}
    pairs = [(cid, first.records.get(cid, rec)) for cid, rec in stored_claims(session=session)]
    for cid in first.records:
        if cid in meta:
            meta[cid] = _as_first_sent(meta[cid], first.records[cid], kinds)
            first.keys.add(meta[cid].key)
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
            filing_limit_days=(
                limits.days(payer_id=m.payer_id, payer_kind=m.payer_kind) if limits else None
            ),
        )
        claims.append(claim)
        if cid in outcomes:
            by_key[m.key] = outcomes[cid]
    return History(claims, by_key, load_feed(session), first)


def load_outcome_history(
    session: Session, *, first_lines: Mapping[str, Sequence[Sequence[Any]]] | None = None
) -> list[tuple[ClaimInput, Outcome]]:
    """Adjudicated claims with only what the history features read (payer, procedures and
    modifiers, DRG, provider, patient, department, first service date), straight from SQL:
    scoring a few claims must not rebuild every stored 837. Same cells as
    :func:`load_history` gives, except for corrected claims: their first submission's lines
    come from ``first_lines`` (saved with the model, :meth:`History.first_lines`); a claim
    corrected after the model was trained is read as last sent."""
    first_lines = first_lines or {}
    meta = _meta(session)
    outcomes = _outcomes(session)
    npi = dict(session.execute(select(Provider.id, Provider.npi)).tuples().all())
    heads = session.execute(
        select(
            ClaimRow.id,
            ClaimRow.drg,
            ClaimRow.rendering_provider_id,
            ClaimRow.attending_provider_id,
            ClaimRow.billing_provider_id,
        ).where(ClaimRow.is_stub.is_(False))
    ).tuples()
    lines: dict[int, list[tuple[str, str, int | None]]] = {}
    for cid, proc, rev, mods, rendering in session.execute(
        select(
            ClaimLine.claim_id,
            ClaimLine.procedure,
            ClaimLine.revenue_code,
            ClaimLine.modifiers,
            ClaimLine.rendering_provider_id,
        ).order_by(ClaimLine.claim_id, ClaimLine.line_no)
    ).tuples():
        procedure = proc or (f"rev:{rev}" if rev else "")
        lines.setdefault(cid, []).append((procedure, mods or "", rendering))
    out: list[tuple[ClaimInput, Outcome]] = []
    for cid, drg, rendering, attending, billing in heads:
        m, outcome = meta.get(cid), outcomes.get(cid)
        if m is None or m.submitted is None or outcome is None:
            continue
        its = lines.get(cid, [])
        doer = rendering or (its[0][2] if its else None)
        provider = npi.get(doer or -1) or npi.get(attending or -1) or npi.get(billing or -1)
        claim = ClaimInput(
            key=m.key,
            control_number="",
            payer=m.payer,
            payer_name=m.payer,
            payer_kind=m.payer_kind or "unknown",
            kind="",
            facility_code="",
            department=m.department or "unknown",
            service_line=m.service_line or "unknown",
            provider=provider or "",
            patient=m.patient,
            submitted=m.submitted,
            service_from=m.start,
            charge=0.0,
            diagnoses=(),
            drg=drg or "",
            prior_auth=False,
            referral=False,
            lines=tuple(
                LineInput(p, tuple(x for x in mods.split(",") if x), 0.0, 0.0, "")
                for p, mods, _ in its
            ),
        )
        if m.key in first_lines:
            first = tuple(
                LineInput(str(p), tuple(str(x) for x in mods), 0.0, 0.0, "")
                for p, mods in first_lines[m.key]
            )
            claim = replace(claim, lines=first)
        out.append((claim, outcome))
    return out
