"""Scrub results in the database: store a run, and look up stored duplicates."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from denialscope.claims.models import Claim as ClaimRow
from denialscope.claims.models import ClaimLine, Patient, claim_key_for, patient_key_for
from denialscope.orgs.models import Provider
from denialscope.scrub.context import DuplicateKey
from denialscope.scrub.models import ScrubClaimResult, ScrubFinding, ScrubRun
from denialscope.scrub.runner import ClaimResult
from denialscope.x12.claim837.records import Claim

__all__ = ["create_run", "stored_duplicate_lookup"]


def create_run(*, session: Session, results: Sequence[ClaimResult], source: str) -> ScrubRun:
    """Store one run's results (flushes; the caller commits)."""
    keys = {
        r.claim_id: claim_key_for(r.claim.control_number, r.claim.billing_provider.npi)
        for r in results
    }
    # A Result has .keys() (its columns), so dict() would take it for a mapping: go by rows.
    known = {
        key: claim_id
        for key, claim_id in session.execute(
            select(ClaimRow.claim_key, ClaimRow.id).where(
                ClaimRow.claim_key.in_(list(keys.values()))
            )
        ).tuples()
    }
    clean = sum(1 for r in results if r.clean)
    run = ScrubRun(source=source[:400], claims=len(results), clean=clean)
    run.flagged = len(results) - clean
    for result in results:
        key = keys[result.claim_id]
        row = ScrubClaimResult(
            claim_key=key,
            control_number=result.claim_id[:50],
            claim_id=known.get(key),
            clean=result.clean,
            rejects=sum(1 for f in result.findings if f.severity == "reject"),
            warnings=sum(1 for f in result.findings if f.severity == "warn"),
        )
        row.findings = [
            ScrubFinding(
                line=f.line,
                rule=f.rule,
                category=f.category,
                severity=f.severity,
                message=f.message[:400],
                suggestion=f.suggestion[:400],
            )
            for f in result.findings
        ]
        run.results.append(row)
    session.add(run)
    session.flush()
    return run


def stored_duplicate_lookup(session: Session) -> Callable[[DuplicateKey, Claim], str | None]:
    """A look-up for the duplicate rule: the control number of a stored claim (another one)
    with the same patient, procedure, date and provider NPI, else None."""
    line_provider = aliased(Provider)
    claim_rendering = aliased(Provider)
    billing = aliased(Provider)

    def lookup(key: DuplicateKey, claim: Claim) -> str | None:
        party = claim.patient_party
        patient = patient_key_for(
            claim.subscriber.party.identifier or None,
            party.birth_date,
            party.name or None,
            party.first_name or None,
        )
        _, procedure, _, day, npi = key
        statement = (
            select(ClaimRow.control_number)
            .join(ClaimLine, ClaimLine.claim_id == ClaimRow.id)
            .join(Patient, Patient.id == ClaimRow.patient_id)
            .outerjoin(line_provider, line_provider.id == ClaimLine.rendering_provider_id)
            .outerjoin(claim_rendering, claim_rendering.id == ClaimRow.rendering_provider_id)
            .outerjoin(billing, billing.id == ClaimRow.billing_provider_id)
            .where(
                Patient.patient_key == patient,
                ClaimLine.procedure == procedure,
                ClaimLine.service_from == day,
                ClaimRow.control_number != claim.control_number,
                or_(line_provider.npi == npi, claim_rendering.npi == npi, billing.npi == npi),
            )
            .limit(1)
        )
        return session.scalar(statement)

    return lookup
