"""Appeal letters: claim and remittance data merged into a Jinja2 template, rendered to PDF.

Templates live in ``appeals/templates``; a file of the same name in
``<data dir>/appeals/templates`` wins, so an organization edits its letters without touching
the package. ``templates/index.yaml`` maps root causes to templates. Each rendering is stored
as a new version of the item's ``letter`` document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import jinja2
import yaml
from jinja2.exceptions import SecurityError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.acks.models import Acknowledgment
from denialscope.appeals.deadlines import letter_window
from denialscope.appeals.letter_facts import (
    LetterFacts,
    fill_placeholders,
    icd10_display,
    lines_with_modifiers,
    missing_facts,
)
from denialscope.appeals.library import citations_for, library_path, load_references
from denialscope.appeals.sandbox import sandboxed_environment
from denialscope.claims.models import Claim, ClaimVersion
from denialscope.errors import ConfigurationError, InputError
from denialscope.orgs.models import Payer, Provider
from denialscope.remits.models import ClaimPayment
from denialscope.sources.models import SourceFile
from denialscope.workqueue.models import WorkItem, WorkItemDocument
from denialscope.workqueue.service import get_or_raise, log_event

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "TEMPLATES_DIR",
    "letter_context",
    "render_html",
    "render_pdf",
    "store_document",
    "template_for",
    "write_letter",
]

TEMPLATES_DIR: Final = Path(__file__).with_name("templates")
_INDEX: Final = "index.yaml"
_GENERAL: Final = "general"


def _search_path(settings: Settings | None) -> list[str]:
    """The organization's templates (data directory of ``settings``) first, then ours."""
    own = settings.templates_dir if settings is not None else None
    if own is not None and own.is_dir():
        return [str(own), str(TEMPLATES_DIR)]
    return [str(TEMPLATES_DIR)]


def _environment(settings: Settings | None) -> jinja2.Environment:
    # Sandboxed: an organization's template must not reach os through object attributes.
    return sandboxed_environment(_search_path(settings))


def template_for(root_cause: str, *, settings: Settings | None = None) -> str:
    """The template name (without extension) for a root cause, from index.yaml (the
    organization's, in the data directory of ``settings``, when it has one)."""
    for folder in _search_path(settings):
        index = Path(folder) / _INDEX
        if index.is_file():
            mapping = yaml.safe_load(index.read_text(encoding="utf-8")) or {}
            return str(mapping.get(root_cause, _GENERAL))
    return _GENERAL


def _money(value: Decimal | None) -> str:
    return f"{value:,.2f}" if value is not None else "0.00"


def _file_name(session: Session, source_file_id: int | None) -> str | None:
    source = session.get(SourceFile, source_file_id) if source_file_id else None
    return Path(source.name).name if source else None


def _submissions(session: Session, claim: Claim) -> list[dict[str, Any]]:
    """Proof of timely submission: every version sent, and every acknowledgment received."""
    proofs: list[dict[str, Any]] = []
    for version in session.scalars(
        select(ClaimVersion).where(ClaimVersion.claim_id == claim.id).order_by(ClaimVersion.id)
    ):
        proofs.append(
            {
                "date": version.submitted_at,
                "what": f"claim sent (frequency {version.frequency or '1'})",
                "reference": _file_name(session, version.source_file_id),
            }
        )
    for ack in session.scalars(
        select(Acknowledgment)
        .where(Acknowledgment.claim_id == claim.id)
        .order_by(Acknowledgment.id)
    ):
        proofs.append(
            {
                "date": ack.acknowledged_at,
                "what": f"{ack.kind} acknowledgment: {ack.status}",
                "reference": ack.payer_claim_number or ack.control_number,
            }
        )
    return proofs


def letter_context(
    session: Session,
    item: WorkItem,
    *,
    argument: list[str] | None = None,
    chronology: list[dict[str, Any]] | None = None,
    signer: str | None = None,
    letter_date: dt.date | None = None,
    facts: LetterFacts | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Everything a template may use (documented in docs/appeals.md); ``settings`` chooses
    the reference library and the payer windows (default: the shipped ones)."""
    from denialscope.workqueue.config import load_workqueue_config

    workqueue = load_workqueue_config(settings=settings)
    facts = facts or LetterFacts()
    claim = session.get(Claim, item.claim_id)
    denial = session.get(ClaimPayment, item.denial_payment_id)
    if claim is None or denial is None:
        raise InputError(f"work item {item.id} lost its claim or its denial")
    payer = session.get(Payer, item.payer_id) if item.payer_id else None
    provider = (
        session.get(Provider, claim.billing_provider_id) if claim.billing_provider_id else None
    )
    line_payments = {sp.claim_line_id: sp for sp in denial.service_payments if sp.claim_line_id}
    lines = []
    for line in claim.lines:
        paid = line_payments.get(line.id)
        lines.append(
            {
                "line_no": line.line_no,
                "procedure": line.procedure,
                "modifiers": line.modifiers,
                "revenue_code": line.revenue_code,
                "units": line.units.normalize() if line.units is not None else None,
                "charge": _money(line.charge),
                "paid": _money(paid.paid) if paid else None,
                "adjustments": [
                    f"{a.group_code}-{a.reason_code} {_money(a.amount)}"
                    for a in (paid.adjustments if paid else [])
                ],
            }
        )
    reason_codes = sorted(
        {f"{a.group_code}-{a.reason_code}" for a in denial.adjustments if a.is_denial}
    )
    patient = claim.patient
    service_from = claim.statement_from or denial.service_from
    default_chronology = [
        {"date": service_from, "event": "services provided"},
        {"date": claim.submitted_at, "event": "claim submitted"},
        {"date": denial.adjudicated_at, "event": "payer denied the claim"},
    ]
    payer_kind = item.payer_kind or (payer.kind if payer else None)
    payer_code = payer.payer_id if payer else None
    references = citations_for(
        load_references(library_path(settings=settings)),
        root_cause=item.root_cause,
        payer_kind=payer_kind,
        payer_id=payer_code,
    )
    attending = (
        session.get(Provider, claim.attending_provider_id) if claim.attending_provider_id else None
    )
    two_midnight = payer_kind == "medicare" or bool(payer and payer.two_midnight)
    return {
        "letter_date": letter_date or dt.date.today(),
        "contact": facts.contact,
        "criteria": facts.criteria,
        "enclosures": list(facts.enclosures),
        "attending": {
            "name": facts.attending or (attending.name if attending else None),
            "npi": attending.npi if attending and not facts.attending else None,
        },
        "admission": {
            "order_datetime": facts.admission_order,
            "status": facts.order_status,
            "date": claim.admission_date,
        },
        "modified_lines": lines_with_modifiers(lines),
        "signer": signer,
        "letter_kind": letter_window(session, item, workqueue=workqueue).kind,
        "good_cause": None,
        "appeal_level": max(item.appeal_level, 1),
        "root_cause": item.root_cause,
        "provider": {
            "name": provider.name if provider else None,
            "npi": provider.npi if provider else None,
        },
        "payer": {
            "name": payer.name if payer else None,
            "payer_id": payer_code,
            "kind": payer_kind,
            "appeal_address": payer.appeal_address if payer else None,
            "two_midnight": two_midnight,
        },
        "patient": {
            "name": " ".join(p for p in (patient.first_name, patient.last_name) if p)
            if patient
            else None,
            "member_id": patient.member_id if patient else None,
            "birth_date": patient.birth_date if patient else None,
        },
        "claim": {
            "control_number": claim.control_number,
            "service_from": service_from,
            "service_to": claim.statement_to or denial.service_to or service_from,
            "drg": claim.drg,
            "prior_auth": claim.prior_auth,
            "total_charge": _money(claim.total_charge or denial.charge),
            "diagnoses": icd10_display(d.code for d in claim.diagnoses),
            "lines": lines,
        },
        "denial": {
            "payer_claim_number": denial.payer_claim_number,
            "date": denial.adjudicated_at,
            "paid": _money(denial.paid),
            "denied_amount": _money(item.dollars_at_risk),
            "drg": denial.drg,
            "reason_codes": reason_codes,
            "remark_codes": sorted({r.code for r in denial.remarks}),
        },
        "chronology": chronology
        if chronology is not None
        else [c for c in default_chronology if c["date"] is not None],
        "argument": argument or [],
        "citations": [asdict(ref) for ref in references],
        "submissions": _submissions(session, claim),
    }


def render_html(context: dict[str, Any], template: str, *, settings: Settings | None = None) -> str:
    """The letter as HTML (the organization's templates of ``settings`` before ours);
    ConfigurationError when the template is missing or broken."""
    try:
        return _environment(settings).get_template(f"{template}.html.j2").render(context)
    except jinja2.TemplateNotFound as error:
        raise ConfigurationError(
            f"no letter template {error.name!r} in {_search_path(settings)}"
        ) from error
    except SecurityError as error:
        raise ConfigurationError(
            f"letter template {template!r} tried something a letter may not do: {error}"
        ) from error
    except jinja2.TemplateError as error:
        raise ConfigurationError(f"letter template {template!r}: {error}") from error


def render_pdf(html: str) -> bytes:
    """The letter's HTML as PDF (:func:`denialscope.output.pdf.html_to_pdf`): it may use
    only the images and stylesheets shipped with the templates."""
    from denialscope.output.pdf import html_to_pdf

    return html_to_pdf(html, assets=TEMPLATES_DIR)


def store_document(
    session: Session,
    item: WorkItem,
    *,
    kind: str,
    content: bytes,
    filename: str,
    media_type: str,
    actor: str,
    template: str | None = None,
) -> WorkItemDocument:
    """Save a new version of one of the item's documents and note it in the history."""
    latest = session.scalar(
        select(func.max(WorkItemDocument.version)).where(
            WorkItemDocument.work_item_id == item.id, WorkItemDocument.kind == kind
        )
    )
    document = WorkItemDocument(
        work_item_id=item.id,
        kind=kind,
        version=(latest or 0) + 1,
        template=template,
        filename=filename,
        media_type=media_type,
        content=content,
        created_by=actor,
    )
    session.add(document)
    log_event(
        session=session,
        item=item,
        actor=actor,
        kind=kind,
        detail=f"{filename} version {document.version}",
    )
    session.flush()
    return document


def write_letter(
    session: Session,
    *,
    item_id: int,
    actor: str,
    template: str | None = None,
    argument: list[str] | None = None,
    chronology: list[dict[str, Any]] | None = None,
    signer: str | None = None,
    letter_date: dt.date | None = None,
    force: bool = False,
    good_cause: str | None = None,
    warn: Callable[[str], None] | None = None,
    facts: LetterFacts | None = None,
    draft: bool = False,
    settings: Settings | None = None,
) -> WorkItemDocument:
    """Render the item's appeal letter to PDF and store it as the next version.

    An appeal dated after its window closed is refused (InputError) unless ``force``; then
    the late filing is noted in the history, ``warn`` is told, and ``good_cause`` (the
    reason for the late request) goes into the letter. A letter missing a required fact
    (``templates/requirements.yaml``) is refused naming them all, unless ``draft``: then
    each shows as ``[missing: ...]`` and the file is named a draft. ``settings`` gives the
    organization's templates, reference library and payer windows (its data directory);
    without it the shipped ones are used.
    """
    from denialscope.workqueue.config import load_workqueue_config

    item = get_or_raise(session=session, item_id=item_id)
    template = template or template_for(item.root_cause, settings=settings)
    day = letter_date or dt.date.today()
    window = letter_window(session, item, workqueue=load_workqueue_config(settings=settings))
    if window.deadline is not None and day > window.deadline:
        late = (
            f"work item {item.id}: the {window.kind} window closed on "
            f"{window.deadline.isoformat()}, {(day - window.deadline).days} days before the "
            f"letter date {day.isoformat()}"
        )
        if not force:
            raise InputError(
                f"{late}; recommended: {item.recommended_action} ({item.recommended_reason}). "
                "Use --force (and --good-cause TEXT) to write it anyway"
            )
        log_event(
            session=session, item=item, actor=actor, kind="late_letter", detail=late + " (forced)"
        )
        if warn is not None:
            warn(f"warning: {late}; written because --force was given")
    context = letter_context(
        session,
        item,
        argument=argument,
        chronology=chronology,
        signer=signer,
        letter_date=day,
        facts=facts,
        settings=settings,
    )
    context["good_cause"] = good_cause
    if template == "modifier" and not context["modified_lines"]:
        raise InputError(
            f"work item {item.id}: no line of the claim carries a modifier, so there is none "
            "to defend: send a corrected claim (queue resubmit) instead of a modifier appeal"
        )
    missing = missing_facts(context, template)
    if missing and not draft:
        raise InputError(
            f"work item {item.id}: the {template} letter cannot be sent without: "
            + "; ".join(missing)
            + ". Supply them, or use --draft for a draft with visible placeholders"
        )
    if missing:
        fill_placeholders(context, template)
    pdf = render_pdf(render_html(context, template, settings=settings))
    return store_document(
        session,
        item,
        kind="letter",
        content=pdf,
        filename=f"appeal-{item.id}-{template}{'-draft' if missing else ''}.pdf",
        media_type="application/pdf",
        actor=actor,
        template=template,
    )
