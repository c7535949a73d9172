"""Scrub services: check 837 files or folders (and store the run); the storage helpers (a
run, stored duplicates) it uses. The backtest is :func:`denialscope.scrub.backtest.run_backtest`.

``scrub_files`` is what ``denialscope scrub`` and the web call: it returns a
:class:`ScrubReport` (the results, a summary, notes), never prints. Scrubbing nothing (an
835 given for an 837, an empty folder) is an :class:`~denialscope.errors.InputError`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from denialscope.claims.models import Claim as ClaimRow
from denialscope.claims.models import ClaimLine, Patient, claim_key_for, patient_key_for
from denialscope.errors import InputError
from denialscope.orgs.models import Provider
from denialscope.scrub.context import DuplicateKey, ScrubContext
from denialscope.scrub.models import ScrubClaimResult, ScrubFinding, ScrubRun
from denialscope.scrub.runner import ClaimResult
from denialscope.x12.claim837.records import Claim
from denialscope.x12.diagnostics import Severity

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "ScrubReport",
    "ScrubSummary",
    "build_context",
    "create_run",
    "scrub_files",
    "stored_duplicate_lookup",
    "summarize",
]


@dataclass(frozen=True, slots=True)
class ScrubSummary:
    """How a run went: claims clean and flagged, findings per rule (most first), notes."""

    claims: int
    clean: int
    flagged: int
    findings_by_rule: tuple[tuple[str, int], ...]
    notes: tuple[str, ...]
    run_id: int | None = None  # the stored run, when the results were stored

    def to_dict(self) -> dict[str, Any]:
        return {
            "claims": self.claims,
            "clean": self.clean,
            "flagged": self.flagged,
            "findings_by_rule": dict(self.findings_by_rule),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class ScrubReport:
    """Every claim's result and the summary of the run."""

    results: tuple[ClaimResult, ...]
    summary: ScrubSummary
    # Each claim's denial risk (``predict.hook.claim_risks``) when a model is trained.
    risks: tuple[dict[str, object], ...] | None = None

    @property
    def findings(self) -> list[Any]:
        """Every finding, claim by claim."""
        return [f for r in self.results for f in r.findings]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``scrub --format json``."""
        data: dict[str, Any] = {
            "summary": self.summary.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.risks is not None:
            data["risks"] = list(self.risks)
        return data


def summarize(
    results: Sequence[ClaimResult], notes: Sequence[str] = (), run_id: int | None = None
) -> ScrubReport:
    """The report of a run from its claim results."""
    by_rule = Counter(f.rule for r in results for f in r.findings)
    clean = sum(1 for r in results if r.clean)
    summary = ScrubSummary(
        claims=len(results),
        clean=clean,
        flagged=len(results) - clean,
        findings_by_rule=tuple(by_rule.most_common()),
        notes=tuple(notes),
        run_id=run_id,
    )
    return ScrubReport(results=tuple(results), summary=summary)


def with_risks(report: ScrubReport, *, settings: Settings) -> ScrubReport:
    """The report with each claim's denial risk beside its findings, when a denial-risk model
    has been trained in the data directory (``denialscope predict train``); else unchanged."""
    from denialscope.predict.hook import claim_risks

    risks = claim_risks(settings=settings, records=[r.claim for r in report.results])
    if risks is None:
        return report
    return dataclasses.replace(report, risks=tuple(risks))


def build_context(*, settings: Settings, packs: Sequence[Path] = ()) -> ScrubContext:
    """The rule packs given (else the data directory's ``scrub_pack.yaml`` when present) and
    the NCCI/MUE tables loaded in the data directory."""
    from denialscope.scrub.packs import load_pack
    from denialscope.scrub.refdata import open_mue, open_ncci

    own = settings.scrub_pack_file
    paths = list(packs) or ([own] if own.is_file() else [])
    return ScrubContext(
        pack=load_pack(*paths), ncci=open_ncci(settings.data_dir), mue=open_mue(settings.data_dir)
    )


def _claims(paths: Sequence[Path], notes: list[str]) -> Iterator[Claim]:
    """The 837 claims of the files (folders expanded by the one path expander,
    :mod:`denialscope.input_paths`); a file holding none gets a note."""
    from denialscope.input_paths import expand_paths
    from denialscope.x12.reader import open_x12

    for path in expand_paths(paths):
        found = 0
        with open_x12(path) as reader:
            for record in reader:
                if isinstance(record, Claim):
                    found += 1
                    yield record
            # The first error with its position: a damaged file says where, not just "empty".
            errors = [d for d in reader.diagnostics if d.severity == Severity.ERROR]
            problem = ""
            if errors:
                more = f" ({len(errors) - 1:,} more errors)" if len(errors) > 1 else ""
                problem = f"{errors[0].location()}: {errors[0].message}{more}"
            if not found:
                kind = reader.summary.transaction or "no transaction set"
                where = f"; {problem}" if problem else ""
                notes.append(f"{path}: no 837 claim to scrub (it holds {kind}){where}")
            elif problem:
                notes.append(f"{path}: {problem}")


def _require_claims(results: list[ClaimResult], notes: list[str]) -> None:
    """Scrubbing nothing is a mistake (an 835 given for an 837, an empty folder): say so."""
    if not results:
        empty = [n for n in notes if "no 837 claim" in n]
        raise InputError("nothing to scrub: " + ("; ".join(empty) or "no file in the paths given"))


def scrub_files(
    *,
    paths: Sequence[Path],
    context: ScrubContext,
    session: Session | None = None,
) -> ScrubReport:
    """Check the 837 claims of files and folders with every rule.

    With a ``session`` the duplicate rule also looks at stored claims and the run is stored
    (flushed, the caller commits; nothing is stored when no claim was found). Notes say
    which tables were missing (their rules skipped) and which files held no 837 claim.
    """
    from denialscope.scrub.runner import scrub_claims

    notes: list[str] = []
    if not context.ncci:
        notes.append("no NCCI PTP table loaded: ncci_ptp rules skipped")
    if not context.mue:
        notes.append("no MUE table loaded: mue rules skipped")
    if session is not None:
        context.session = session
        context.stored_lookup = stored_duplicate_lookup(session)
    results = list(scrub_claims(_claims(paths, notes), context=context))
    _require_claims(results, notes)  # before anything is stored
    if session is None:
        return summarize(results, notes)
    run = create_run(session=session, results=results, source=", ".join(str(p) for p in paths))
    notes.append(f"stored as scrub run {run.id}")
    return summarize(results, notes, run_id=run.id)


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
