"""The claim page (``/claims/{claim_id}`` and its JSON twin) and the actions taken on it.

Everything about one claim from one service (:func:`denialscope.claims.page.claim_page`), and
the work item's actions from the work-queue and appeals services the CLI calls: choose an
action, move the status, add a note, record an outcome (a second one needs an explicit
confirmation), preview and generate a letter, propose and review a corrected claim, download
a stored letter or 837. The page shows patient identifiers, so every view is audited; so is
every change (``update``) and every download (``export``). Workers see their streams only.

A form posts, the change is committed, and the browser is sent back to the page (303); a
client asking for JSON gets the work item instead. A refused change re-renders the page with
the reason (JSON: ``{"error": ...}``) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from denialscope.appeals.letter_facts import LetterFacts
from denialscope.appeals.preview import LetterPreview, letter_templates, preview_letter
from denialscope.errors import DenialscopeError, InputError, NotFoundError
from denialscope.output.jsonout import dumps
from denialscope.web.audit import record
from denialscope.web.deps import DbSession, Forbidden, require, settings_of
from denialscope.web.principal import Principal
from denialscope.web.render import JSON_MEDIA_TYPE, page_paths, respond, wants_json
from denialscope.workqueue.models import ACTIONS, OPEN_STATUSES, OUTCOMES
from denialscope.workqueue.schemas import WorkItemDetails

__all__ = ["router"]

router = APIRouter(tags=["claim page"])

Viewer = Annotated[Principal, Depends(require("view_claims"))]
Worker = Annotated[Principal, Depends(require("work_items"))]
CONFIRM_HINT = (
    "tick “Replace the recorded outcome” to replace it (the old outcome stays in the history)"
)


async def _form(request: Request) -> FormData:
    return await request.form()


Fields = Annotated[FormData, Depends(_form)]


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _ticked(form: FormData, name: str) -> bool:
    return _field(form, name).lower() in ("on", "true", "1", "yes")


# The services word their refusals for the command line; the page names its own fields.
_WEB_WORDS: Final = (
    ("Use --force (and --good-cause TEXT) to write it anyway",
     "Tick “The appeal window has closed: write it anyway” (and give the good cause)"),
    ("Supply them, or use --draft for a draft with visible placeholders",
     "Fill them in, or tick “Draft” for a draft with visible placeholders"),
    ("send a corrected claim (queue resubmit)", "send a corrected claim (Corrected claim below)"),
    (" (--signer)", ""), (" (--contact)", ""), (" (--enclosure)", ""), (" (--attending)", ""),
    (" (--admission-order)", ""), (" (--order-status)", ""),
    (" (--argument / --argument-file)", ""),
    (" (--criteria, e.g. InterQual, MCG, payer policy)", ""),
)  # fmt: skip


def _web_words(message: str) -> str:
    for cli, web in _WEB_WORDS:
        message = message.replace(cli, web)
    return message


def _error_status(error: DenialscopeError) -> int:
    return error.http_status if error.http_status < 500 else 400


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    claim_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
    preview: LetterPreview | None = None,
    letter_form: dict[str, str] | None = None,
) -> Response:
    """The claim page (or its JSON twin), after the stream check; audited as a view."""
    from denialscope.appeals.letters import template_for
    from denialscope.claims.page import claim_page
    from denialscope.classify import load_config

    settings = settings_of(request)
    try:
        page = claim_page(
            session=session,
            claim_id=claim_id,
            config=load_config(settings=settings),
            data=settings.data_dir,
        )
    except NotFoundError as missing:
        return respond(request, "error.html.j2", {"error": missing.message}, status_code=404)
    if not principal.sees_stream(page.stream):
        raise Forbidden(f"claim {claim_id} belongs to the {page.stream or 'unclassified'} stream")
    record(session, request, principal, action="view", subject_type="claim", subject_id=claim_id)
    session.commit()
    if error is not None and wants_json(request):
        return Response(
            dumps({"error": error}), media_type=JSON_MEDIA_TYPE, status_code=status_code
        )
    work = page.work
    context: dict[str, Any] = {
        "today": dt.date.today(),
        "payments": page.payments.to_dict()["payments"],
        "can_work": principal.can("work_items"),
        "actions": ACTIONS,
        "outcomes": OUTCOMES,
        "statuses": OPEN_STATUSES,
        "error": error,
        "preview": preview,
        "letter_form": dict.fromkeys(LETTER_FIELDS, "") | (letter_form or {}),
        "templates": letter_templates(settings=settings),
        "default_template": template_for(work.item.root_cause, settings=settings) if work else None,
    }
    return respond(request, "claim/page.html.j2", page, context=context, status_code=status_code)


@page_paths(router, "/claims/{claim_id}", summary="One claim: 837, 835s, acks, work item")
def claim_view(request: Request, claim_id: int, principal: Viewer, session: DbSession) -> Response:
    return _page(request, session, principal, claim_id)


def _item(session: Session, principal: Principal, item_id: int) -> WorkItemDetails:
    """The work item, if the principal works its stream (404 / 403 otherwise)."""
    from denialscope.workqueue.details import get_details

    details = get_details(session=session, item_id=item_id)
    if not principal.sees_stream(details.item.stream):
        raise Forbidden(f"work item {item_id} belongs to the {details.item.stream} stream")
    return details


def _missing(request: Request, error: NotFoundError) -> Response:
    return respond(request, "error.html.j2", {"error": error.message}, status_code=404)


def _changed(
    request: Request,
    session: Session,
    principal: Principal,
    item_id: int,
    what: str,
    *,
    anchor: str = "work",
) -> Response:
    """Audit the change, commit it, and send the browser back to the page."""
    from denialscope.workqueue.details import get_details

    record(
        session,
        request,
        principal,
        action="update",
        subject_type="work_item",
        subject_id=item_id,
        detail=what[:500],
    )
    session.commit()
    details = get_details(session=session, item_id=item_id)
    if wants_json(request):
        return respond(request, "claim/page.html.j2", details)
    return RedirectResponse(f"/claims/{details.item.claim_id}#{anchor}", status_code=303)


def _refused(
    request: Request,
    session: Session,
    principal: Principal,
    claim_id: int,
    error: DenialscopeError,
    message: str | None = None,
    **extra: Any,
) -> Response:
    session.rollback()  # nothing of a refused change stays
    return _page(
        request,
        session,
        principal,
        claim_id,
        error=message or _web_words(error.message),
        status_code=_error_status(error),
        **extra,
    )


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    item_id: int,
    what: str,
    **change: Any,
) -> Response:
    from denialscope.workqueue.config import load_workqueue_config
    from denialscope.workqueue.details import act
    from denialscope.workqueue.service import AlreadyResolvedError

    try:
        details = _item(session, principal, item_id)
    except NotFoundError as missing:
        return _missing(request, missing)
    try:
        act(
            session=session,
            config=load_workqueue_config(settings=settings_of(request)),
            item_id=item_id,
            actor=principal.username,
            **change,
        )
    except AlreadyResolvedError as error:
        outcome = error.context.get("outcome")
        message = f"Work item {item_id} is already resolved as {outcome}: {CONFIRM_HINT}."
        return _refused(request, session, principal, details.item.claim_id, error, message)
    except DenialscopeError as error:
        return _refused(request, session, principal, details.item.claim_id, error)
    return _changed(request, session, principal, item_id, what)


@router.post("/items/{item_id}/action", summary="Choose the action for a work item")
def choose_action(
    request: Request,
    item_id: int,
    principal: Worker,
    session: DbSession,
    action: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    reason = reason.strip()
    what = f"action {action}" + (f": {reason}" if reason else "")
    return _act(
        request,
        session,
        principal,
        item_id,
        what,
        action=action,
        reason=reason or None,
        force=confirm,
    )


@router.post("/items/{item_id}/status", summary="Move a work item to another open status")
def set_status(
    request: Request,
    item_id: int,
    principal: Worker,
    session: DbSession,
    status: Annotated[str, Form()],
) -> Response:
    return _act(request, session, principal, item_id, f"status {status}", status=status)


@router.post("/items/{item_id}/note", summary="Add a note to a work item")
def add_note(
    request: Request,
    item_id: int,
    principal: Worker,
    session: DbSession,
    text: Annotated[str, Form()] = "",
) -> Response:
    # The note text may hold clinical detail: the audit row says a note was added, not what.
    if not text.strip():
        error = InputError("the note is empty: write it first")
        return _refused_item(request, session, principal, item_id, error)
    return _act(request, session, principal, item_id, "note added", note=text.strip())


@router.post("/items/{item_id}/outcome", summary="Record a work item's outcome")
def set_outcome(
    request: Request,
    item_id: int,
    principal: Worker,
    session: DbSession,
    outcome: Annotated[str, Form()],
    recovered: Annotated[str, Form()] = "",
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    amount = None
    text = recovered.replace("$", "").replace(",", "").strip()
    if text:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            error = InputError(f"recovered is a dollar amount such as 1,234.50, not {recovered!r}")
            return _refused_item(request, session, principal, item_id, error)
    what = f"outcome {outcome}" + (f", recovered {amount}" if amount is not None else "")
    if confirm:
        what += " (confirmed over the recorded outcome)"
    return _act(
        request,
        session,
        principal,
        item_id,
        what,
        outcome=outcome,
        recovered=amount,
        force=confirm,
    )


def _refused_item(
    request: Request,
    session: Session,
    principal: Principal,
    item_id: int,
    error: DenialscopeError,
    **extra: Any,
) -> Response:
    try:
        details = _item(session, principal, item_id)
    except NotFoundError as missing:
        return _missing(request, missing)
    return _refused(request, session, principal, details.item.claim_id, error, **extra)


# ---- letters -------------------------------------------------------------------------------

LETTER_FIELDS = (
    "template",
    "signer",
    "contact",
    "criteria",
    "enclosures",
    "argument",
    "attending",
    "admission_order",
    "order_status",
    "good_cause",
    "draft",
    "force",
)


def _letter_inputs(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's values (to fill the form again) and the letter services' arguments."""
    values = {name: _field(form, name) for name in LETTER_FIELDS}
    paragraphs = [p.strip() for p in values["argument"].replace("\r\n", "\n").split("\n\n")]
    enclosures = [e.strip() for e in values["enclosures"].splitlines() if e.strip()]
    arguments = {
        "template": values["template"] or None,
        "argument": [p for p in paragraphs if p] or None,
        "signer": values["signer"] or None,
        "good_cause": values["good_cause"] or None,
        "facts": LetterFacts(
            contact=values["contact"] or None,
            criteria=values["criteria"] or None,
            enclosures=enclosures,
            attending=values["attending"] or None,
            admission_order=values["admission_order"] or None,
            order_status=values["order_status"] or None,
        ),
    }
    return values, arguments


def _check_template(request: Request, template: str | None) -> None:
    if template is not None and template not in letter_templates(settings=settings_of(request)):
        raise InputError(f"no letter template {template!r}")


@router.post("/items/{item_id}/letter/preview", summary="Preview the appeal letter (not stored)")
def letter_preview(
    request: Request, item_id: int, principal: Worker, session: DbSession, form: Fields
) -> Response:
    values, arguments = _letter_inputs(form)
    try:
        details = _item(session, principal, item_id)
        _check_template(request, arguments["template"])
        preview = preview_letter(
            session, item_id=item_id, settings=settings_of(request), **arguments
        )
    except NotFoundError as missing:
        return _missing(request, missing)
    except DenialscopeError as error:
        return _refused_item(request, session, principal, item_id, error, letter_form=values)
    if wants_json(request):
        what = f"letter preview {preview.template}"
        record(
            session,
            request,
            principal,
            action="view",
            subject_type="work_item",
            subject_id=item_id,
            detail=what,
        )
        session.commit()
        return respond(request, "claim/page.html.j2", preview)
    return _page(
        request,
        session,
        principal,
        details.item.claim_id,
        preview=preview,
        letter_form=values,
    )


@router.post("/items/{item_id}/letter", summary="Generate the appeal letter PDF (a new version)")
def letter_generate(
    request: Request, item_id: int, principal: Worker, session: DbSession, form: Fields
) -> Response:
    from denialscope.appeals.letters import write_letter

    values, arguments = _letter_inputs(form)
    try:
        _item(session, principal, item_id)
        _check_template(request, arguments["template"])
        document = write_letter(
            session,
            item_id=item_id,
            actor=principal.username,
            force=_ticked(form, "force"),
            draft=_ticked(form, "draft"),
            settings=settings_of(request),
            **arguments,
        )
    except NotFoundError as missing:
        return _missing(request, missing)
    except DenialscopeError as error:
        return _refused_item(request, session, principal, item_id, error, letter_form=values)
    what = f"letter version {document.version} ({document.template})"
    return _changed(request, session, principal, item_id, what, anchor="letters")


# ---- corrected claims ----------------------------------------------------------------------


@router.post("/items/{item_id}/fixes", summary="Propose the coding fixes of a work item")
def fixes_propose(
    request: Request, item_id: int, principal: Worker, session: DbSession
) -> Response:
    from denialscope.appeals.corrected import propose_fixes

    try:
        _item(session, principal, item_id)
        fixes = propose_fixes(
            session, item_id=item_id, actor=principal.username, settings=settings_of(request)
        )
    except NotFoundError as missing:
        return _missing(request, missing)
    except DenialscopeError as error:
        return _refused_item(request, session, principal, item_id, error)
    return _changed(
        request, session, principal, item_id, f"{len(fixes)} fixes proposed", anchor="corrected"
    )


@router.post(
    "/items/{item_id}/fixes/review",
    summary="Approve or reject proposed fixes; with an approval, write the corrected 837",
)
def fixes_review(
    request: Request, item_id: int, principal: Worker, session: DbSession, form: Fields
) -> Response:
    """Form fields per fix: ``decision-ID`` (approve / reject / empty: undecided) and
    ``value-ID`` (the corrected code when the proposal left it open)."""
    from denialscope.workqueue.details import resubmit

    try:
        details = _item(session, principal, item_id)
        approve: list[tuple[int, str | None]] = []
        reject: list[int] = []
        for fix in details.fixes:
            decision = _field(form, f"decision-{fix.fix}")
            if decision == "approve":
                approve.append((fix.fix, _field(form, f"value-{fix.fix}") or None))
            elif decision == "reject":
                reject.append(fix.fix)
            elif decision:
                raise InputError(f"fix {fix.fix}: decide approve or reject, not {decision!r}")
        if not approve and not reject:
            raise InputError("choose approve or reject for at least one proposed fix")
        result = resubmit(
            session=session,
            item_id=item_id,
            actor=principal.username,
            approve=approve,
            reject=reject,
            settings=settings_of(request),
        )
    except NotFoundError as missing:
        return _missing(request, missing)
    except DenialscopeError as error:
        return _refused_item(request, session, principal, item_id, error)
    what = f"fixes reviewed: {len(approve)} approved, {len(reject)} rejected"
    if result.filename is not None:
        version = max(d.version for d in result.details.documents if d.kind == "corrected_837")
        what += f"; corrected claim version {version} written and read back"
    return _changed(request, session, principal, item_id, what, anchor="corrected")


@router.get(
    "/items/{item_id}/documents/{kind}/{version}",
    summary="Download a stored letter (PDF) or corrected claim (837)",
)
def document_download(
    request: Request,
    item_id: int,
    kind: str,
    version: int,
    principal: Viewer,
    session: DbSession,
) -> Response:
    from denialscope.workqueue.details import get_document

    try:
        _item(session, principal, item_id)
        document = get_document(session=session, item_id=item_id, kind=kind, version=version)
    except NotFoundError as missing:
        return _missing(request, missing)
    what = f"{kind} version {version}: {document.filename}"
    record(
        session,
        request,
        principal,
        action="export",
        subject_type="work_item",
        subject_id=item_id,
        detail=what,
    )
    session.commit()
    stem, dot, suffix = document.filename.rpartition(".")
    name = f"{stem}-v{version}.{suffix}" if dot else f"{document.filename}-v{version}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(document.content, media_type=document.media_type, headers=headers)
