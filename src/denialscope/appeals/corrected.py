"""Corrected claims for coding denials: proposed fixes, human review, a replacement 837.

``propose_fixes`` looks at the denied lines and the root cause and proposes changes (add or
replace a modifier, a more specific diagnosis, remove an unbundled line, fix units, ...).
Nothing changes until a person approves a fix (``review_fix``), supplying the value when the
proposal leaves it open (a more specific diagnosis is the coder's choice). ``write_corrected``
then rebuilds the claim from the database, applies the approved fixes, writes it as a
replacement (CLM05-3 = 7, REF F8 = the payer's claim number), and reads it back with our own
reader before storing it: a file that does not read back cleanly is refused.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy.orm import Session

from denialscope.appeals.letters import store_document
from denialscope.appeals.modifier_fixes import BundlingLine, modifier_proposals
from denialscope.claims.models import Claim
from denialscope.claims.record import claim_record, providers_of
from denialscope.errors import InputError, NotFoundError
from denialscope.remits.models import ClaimPayment
from denialscope.scrub.ncci import PtpIndex
from denialscope.scrub.refdata import open_ncci

if TYPE_CHECKING:
    from denialscope.settings import Settings
from denialscope.workqueue.models import WorkItem, WorkItemDocument, WorkItemFix
from denialscope.workqueue.service import get_or_raise, log_event
from denialscope.x12.claim837 import writer as claim_writer
from denialscope.x12.claim837.records import Claim as ClaimRecord
from denialscope.x12.claim837.records import Line
from denialscope.x12.diagnostics import Severity
from denialscope.x12.reader import open_x12

__all__ = ["FIX_KINDS", "apply_fixes", "propose_fixes", "review_fix", "write_corrected"]

FIX_KINDS: Final = (
    "add_modifier",
    "replace_modifier",
    "replace_diagnosis",
    "remove_line",
    "fix_units",
    "replace_procedure",
    "fix_place_of_service",
)


@dataclass(slots=True, frozen=True)
class _Denied:
    line_no: int
    procedure: str | None
    modifiers: str | None
    units: Decimal | None
    paid_units: Decimal | None


def _denied_lines(session: Session, item: WorkItem, claim: Claim) -> list[_Denied]:
    """The lines the payer denied (every line when it denied at claim level)."""
    denial = session.get(ClaimPayment, item.denial_payment_id)
    by_id = {line.id: line for line in claim.lines}
    denied: list[_Denied] = []
    if denial is not None:
        for sp in denial.service_payments:
            line = by_id.get(sp.claim_line_id) if sp.claim_line_id else None
            if line is not None and any(a.is_denial for a in sp.adjustments):
                denied.append(
                    _Denied(line.line_no, line.procedure, line.modifiers, line.units, sp.units)
                )
    if not denied:
        denied = [
            _Denied(line.line_no, line.procedure, line.modifiers, line.units, None)
            for line in claim.lines
        ]
    return denied


_MODIFIER_CAUSES = frozenset({"ncci_bundling", "modifier_missing_invalid"})


def _bundling_lines(session: Session, item: WorkItem, claim: Claim) -> list[BundlingLine]:
    """Every line of the claim, with whether and why the payer denied it."""
    denial = session.get(ClaimPayment, item.denial_payment_id)
    codes: dict[int, set[str]] = {}
    claim_level: set[str] = set()
    if denial is not None:
        for sp in denial.service_payments:
            if sp.claim_line_id and any(a.is_denial for a in sp.adjustments):
                codes[sp.claim_line_id] = {a.reason_code for a in sp.adjustments if a.is_denial}
        claim_level = {
            a.reason_code for a in denial.adjustments if a.is_denial and a.level == "claim"
        }
    every_line = not codes  # denied at claim level: every line is in question
    return [
        BundlingLine(
            line_no=line.line_no,
            procedure=line.procedure,
            modifiers=tuple(m for m in (line.modifiers or "").split(",") if m),
            revenue_code=line.revenue_code,
            service_date=line.service_from or claim.statement_from,
            denied=every_line or line.id in codes,
            reason_codes=frozenset(codes.get(line.id, claim_level)),
        )
        for line in claim.lines
    ]


def _ptp_for(claim: Claim, settings: Settings | None) -> PtpIndex | None:
    if settings is None:  # no data directory: no loaded NCCI tables
        return None
    setting = "outpatient" if claim.kind == "837I" else "practitioner"
    return open_ncci(settings.data_dir).get(setting)


def _proposals(root_cause: str, claim: Claim, lines: list[_Denied]) -> list[WorkItemFix]:
    fixes: list[WorkItemFix] = []

    def add(
        kind: str, line_no: int | None, current: str | None, proposed: str | None, reason: str
    ) -> None:
        fixes.append(
            WorkItemFix(
                kind=kind, line_no=line_no, current=current, proposed=proposed, reason=reason
            )
        )

    for line in lines:
        if root_cause == "units_mue":
            smaller = line.paid_units is not None and line.units is not None
            proposed = str(line.paid_units) if smaller and line.paid_units != line.units else None
            add(
                "fix_units",
                line.line_no,
                str(line.units) if line.units is not None else None,
                proposed,
                "units above the payer's limit per day",
            )
        elif root_cause in ("invalid_procedure_code", "age_sex_conflict"):
            add(
                "replace_procedure",
                line.line_no,
                line.procedure,
                None,
                "procedure code invalid or inconsistent with the patient",
            )
    if root_cause == "place_of_service":
        add(
            "fix_place_of_service",
            None,
            claim.facility_code,
            None,
            "place of service inconsistent with the procedure",
        )
    if root_cause in ("unspecified_diagnosis", "invalid_diagnosis_code", "procedure_dx_mismatch"):
        add(
            "replace_diagnosis",
            1,
            claim.principal_dx,
            None,
            "use a more specific (valid, supporting) diagnosis from the record",
        )
    return fixes


def propose_fixes(
    session: Session, *, item_id: int, actor: str = "system", settings: Settings | None = None
) -> list[WorkItemFix]:
    """Proposed fixes for a coding denial (kept, not duplicated, when asked again); the
    NCCI tables loaded in the data directory of ``settings`` judge bundling modifiers."""
    item = get_or_raise(session=session, item_id=item_id)
    if item.fixes:
        return list(item.fixes)
    claim = session.get(Claim, item.claim_id)
    if claim is None:
        raise NotFoundError(f"work item {item_id} has no claim")
    fixes = _proposals(item.root_cause, claim, _denied_lines(session, item, claim))
    if item.root_cause in _MODIFIER_CAUSES:
        proposals, notes = modifier_proposals(
            root_cause=item.root_cause,
            claim_kind=claim.kind,
            lines=_bundling_lines(session, item, claim),
            ptp=_ptp_for(claim, settings),
        )
        fixes += [
            WorkItemFix(
                kind=p.kind,
                line_no=p.line_no,
                current=p.current,
                proposed=p.proposed,
                reason=p.reason[:300],
            )
            for p in proposals
        ]
        for note in notes:
            log_event(session=session, item=item, actor=actor, kind="fix_note", detail=note)
    item.fixes.extend(fixes)
    if fixes:
        log_event(
            session=session, item=item, actor=actor, kind="fixes", detail=f"{len(fixes)} proposed"
        )
    session.flush()
    return fixes


def review_fix(
    session: Session, *, fix_id: int, approve: bool, actor: str, value: str | None = None
) -> WorkItemFix:
    """Approve (with the value, when the proposal left it open) or reject one fix."""
    fix = session.get(WorkItemFix, fix_id)
    if fix is None:
        raise NotFoundError(f"no proposed fix {fix_id}")
    if value is not None:
        fix.proposed = value
    if approve and fix.proposed is None and fix.kind != "remove_line":
        raise InputError(f"fix {fix_id} ({fix.kind}) needs a value: give the corrected code")
    fix.status = "approved" if approve else "rejected"
    fix.reviewed_by = actor
    item = get_or_raise(session=session, item_id=fix.work_item_id)
    log_event(
        session=session,
        item=item,
        actor=actor,
        kind="fix",
        detail=f"{fix.status} {fix.kind} line {fix.line_no}: {fix.current} -> {fix.proposed}",
    )
    session.flush()
    return fix


def _line(record: ClaimRecord, number: int | None) -> Line:
    for line in record.lines:
        if line.number == number:
            return line
    raise InputError(f"the claim has no line {number}")


def apply_fixes(record: ClaimRecord, fixes: list[WorkItemFix]) -> ClaimRecord:
    """The claim record with the approved fixes applied (in place; returned for chaining)."""
    removed: set[int] = set()
    for fix in fixes:
        if fix.status != "approved":
            continue
        value = fix.proposed or ""
        if fix.kind == "remove_line":
            removed.add(fix.line_no or 0)
            continue
        if fix.kind == "replace_diagnosis":
            principal = next(c for c in record.codes if c.category == "diagnosis.principal")
            principal.code = value.replace(".", "")
            continue
        if fix.kind == "fix_place_of_service" and fix.line_no is None:
            record.facility_code = value
            continue
        line = _line(record, fix.line_no)
        if fix.kind == "add_modifier":
            line.modifiers = [*line.modifiers, value][:4]
        elif fix.kind == "replace_modifier":
            line.modifiers = [value, *line.modifiers[1:]]
        elif fix.kind == "fix_units":
            line.units = Decimal(value)
        elif fix.kind == "replace_procedure":
            line.procedure = value
        elif fix.kind == "fix_place_of_service":
            line.place_of_service = value
    if removed:
        record.lines = [line for line in record.lines if line.number not in removed]
        if not record.lines:
            raise InputError("the approved fixes remove every line: void the claim instead")
        for number, line in enumerate(record.lines, 1):
            line.number = number
        record.total_charge = sum((line.charge or Decimal(0) for line in record.lines), Decimal(0))
    return record


def _check_reads_back(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corrected.837"
        path.write_text(text, encoding="utf-8")
        with open_x12(path) as reader:
            claims = [r for r in reader if isinstance(r, ClaimRecord)]
            errors = [d for d in reader.diagnostics if d.severity == Severity.ERROR]
    if errors or len(claims) != 1:
        problems = "; ".join(f"{d.rule}: {d.message}" for d in errors) or "no claim read back"
        raise InputError(f"the corrected 837 does not read back cleanly: {problems}")


def write_corrected(
    session: Session,
    *,
    item_id: int,
    actor: str,
    sender: str = "DENIALSCOPE",
    receiver: str | None = None,
) -> WorkItemDocument:
    """Write the replacement 837 with the approved fixes and store it with the item."""
    item = get_or_raise(session=session, item_id=item_id)
    approved = [f for f in item.fixes if f.status == "approved"]
    if not approved:
        raise InputError(f"work item {item_id} has no approved fix: review the proposals first")
    claim = session.get(Claim, item.claim_id)
    denial = session.get(ClaimPayment, item.denial_payment_id)
    if claim is None or denial is None:
        raise NotFoundError(f"work item {item_id} lost its claim or its denial")
    if not denial.payer_claim_number:
        raise InputError(f"the denial of work item {item_id} has no payer claim number (CLP07)")
    record = apply_fixes(
        claim_record(claim, providers=providers_of(session=session, claim=claim)), approved
    )
    record.frequency = "7"
    # A replacement is submitted now, not on the original's date (BHT04).
    record.submission.created = None
    record.refs = [(q, v) for q, v in record.refs if q != "F8"] + [
        ("F8", denial.payer_claim_number)
    ]
    text = claim_writer.write_837(
        [record],
        kind=record.kind,
        sender=sender,
        receiver=receiver or record.payer.identifier or "PAYER",
    )
    _check_reads_back(text)
    return store_document(
        session,
        item,
        kind="corrected_837",
        content=text.encode("utf-8"),
        filename=f"corrected-{item.id}-{claim.control_number}.837",
        media_type="application/edi-x12",
        actor=actor,
    )
