"""What the claim page's routes share: the page itself (built once, audited as a view, refused
to a worker of another stream), the work item behind an action, and the answers to a change:
committed and audited (303 back to the page, or the item as JSON) or refused (the page again
with the reason, nothing changed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from denialscope.appeals.preview import LetterPreview, letter_templates
from denialscope.classify import ClassificationConfig
from denialscope.errors import DenialscopeError, NotFoundError
from denialscope.output.jsonout import dumps
from denialscope.settings import Settings
from denialscope.web.audit import record, record_view
from denialscope.web.deps import Forbidden, require, settings_of
from denialscope.web.figures import page_part
from denialscope.web.principal import Principal
from denialscope.web.render import JSON_MEDIA_TYPE, data_json, respond, wants_json
from denialscope.web.render import templates as templates_env
from denialscope.workqueue.models import ACTIONS, OPEN_STATUSES, OUTCOMES
from denialscope.workqueue.schemas import WorkItemDetails

__all__ = [
    "CONFIRM_HINT",
    "LETTER_FIELDS",
    "Fields",
    "Viewer",
    "Worker",
    "changed",
    "classification_of",
    "field",
    "item_for",
    "letter_choices",
    "not_found",
    "page_inputs",
    "page_response",
    "refused",
    "refused_item",
    "ticked",
    "web_words",
]

_CLASSIFICATIONS: dict[tuple[str, int, int], ClassificationConfig] = {}


def classification_of(settings: Settings) -> ClassificationConfig:
    """The classification the payments are explained under (the data directory's
    classification.yaml over the shipped one), loaded once per version of that file: loading
    takes about a second, a page must not."""
    from denialscope.classify import load_config

    path = settings.classification_file
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(path), -1, -1)  # no file of the organization's: the shipped mapping
    config = _CLASSIFICATIONS.get(key)
    if config is None:
        config = _CLASSIFICATIONS[key] = load_config(settings=settings)
    return config


def page_inputs(settings: Settings) -> dict[str, Any]:
    """What a claim page is built from: the classification, the data directory (official code
    texts) and the files whose versions its stamp holds."""
    from denialscope.classify.codes import official_code_files

    return {
        "config": classification_of(settings),
        "data": settings.data_dir,
        "files": (settings.classification_file, *official_code_files(settings.data_dir)),
    }


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)


_LETTER_CHOICES: dict[tuple[object, ...], tuple[list[str], str | None]] = {}


def letter_choices(settings: Settings, root_cause: str | None) -> tuple[list[str], str | None]:
    """The letter templates one may choose and the one for ``root_cause`` (None: no item),
    read once per version of the template folders and their index.yaml: the claim page
    showed them on every view, parsing the YAML and listing the folders each time."""
    from denialscope.appeals.letters import TEMPLATES_DIR, template_for

    folders = [settings.templates_dir, TEMPLATES_DIR]
    key = (root_cause, *(_stamp(f) for d in folders for f in (d, d / "index.yaml")))
    found = _LETTER_CHOICES.get(key)
    if found is None:
        chosen = template_for(root_cause, settings=settings) if root_cause else None
        found = (letter_templates(settings=settings), chosen)
        if len(_LETTER_CHOICES) > 256:  # root causes x versions of the files
            _LETTER_CHOICES.clear()
        _LETTER_CHOICES[key] = found
    return found


Viewer = Annotated[Principal, Depends(require("view_claims"))]
Worker = Annotated[Principal, Depends(require("work_items"))]
CONFIRM_HINT = (
    "tick “Replace the recorded outcome” to replace it (the old outcome stays in the history)"
)


async def form_of(request: Request) -> FormData:
    return await request.form()


Fields = Annotated[FormData, Depends(form_of)]


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def ticked(form: FormData, name: str) -> bool:
    return field(form, name).lower() in ("on", "true", "1", "yes")


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


def web_words(message: str) -> str:
    for cli, web in _WEB_WORDS:
        message = message.replace(cli, web)
    return message


def error_status(error: DenialscopeError) -> int:
    return error.http_status if error.http_status < 500 else 400


def page_response(
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
    from denialscope.claims.page_cache import cached_claim_page

    settings = settings_of(request)
    try:
        page = cached_claim_page(session=session, claim_id=claim_id, **page_inputs(settings))
    except NotFoundError as missing:
        return respond(request, "error.html.j2", {"error": missing.message}, status_code=404)
    if not principal.sees_stream(page.stream):
        raise Forbidden(f"claim {claim_id} belongs to the {page.stream or 'unclassified'} stream")
    # Audited before it is answered (the read transaction ends first: record_view).
    record_view(session, request, principal, subject_type="claim", subject_id=claim_id)
    if error is not None and wants_json(request):
        return Response(
            dumps({"error": error}), media_type=JSON_MEDIA_TYPE, status_code=status_code
        )
    work = page.work
    templates, default_template = letter_choices(settings, work.item.root_cause if work else None)
    if wants_json(request):  # the twin, serialized once per kept page
        body = page_part(request, page, "json", data_json(page))
        return respond(request, "", page, status_code=status_code, json_body=body)
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
        "templates": templates,
        "default_template": default_template,
    }
    plain = error is None and preview is None and not letter_form
    context["content_html"] = _kept_content(request, page, context) if plain else None
    return respond(request, "claim/page.html.j2", page, context=context, status_code=status_code)


# Stands for the viewer's CSRF token in a kept rendering (letters and digits only, so HTML
# escaping leaves it as it is and no claim text can contain it by chance of the escaping).
_CSRF_SLOT: Final = "csrfslot0denialscope0b1f5e"


def _kept_content(request: Request, page: Any, context: dict[str, Any]) -> Markup:
    """The claim page's content for a plain view, rendered once per kept page (the page
    object lives as long as its stamp), role (``can_work``), day (days left) and letter
    choices: the rendering is most of a view's CPU (measured 15 of 27 ms). Only the CSRF token
    differs between viewers of one kind; it is put in per view."""
    key = (
        "content",
        context["can_work"],
        context["today"],
        tuple(context["templates"]),
        context["default_template"],
    )

    def render() -> str:
        values = {**context, "data": page, "csrf_token": _CSRF_SLOT}
        return str(templates_env().get_template("claim/_content.html.j2").render(values))

    kept = page_part(request, page, key, render)
    token = str(escape(getattr(request.state, "csrf_token", "")))
    return Markup(kept.replace(_CSRF_SLOT, token))


def item_for(session: Session, principal: Principal, item_id: int) -> WorkItemDetails:
    """The work item, if the principal works its stream (404 / 403 otherwise)."""
    from denialscope.workqueue.details import get_details

    details = get_details(session=session, item_id=item_id)
    if not principal.sees_stream(details.item.stream):
        raise Forbidden(f"work item {item_id} belongs to the {details.item.stream} stream")
    return details


def not_found(request: Request, error: NotFoundError) -> Response:
    return respond(request, "error.html.j2", {"error": error.message}, status_code=404)


def changed(
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


def refused(
    request: Request,
    session: Session,
    principal: Principal,
    claim_id: int,
    error: DenialscopeError,
    message: str | None = None,
    **extra: Any,
) -> Response:
    session.rollback()  # nothing of a refused change stays
    return page_response(
        request,
        session,
        principal,
        claim_id,
        error=message or web_words(error.message),
        status_code=error_status(error),
        **extra,
    )


def refused_item(
    request: Request,
    session: Session,
    principal: Principal,
    item_id: int,
    error: DenialscopeError,
    **extra: Any,
) -> Response:
    try:
        details = item_for(session, principal, item_id)
    except NotFoundError as missing:
        return not_found(request, missing)
    return refused(request, session, principal, details.item.claim_id, error, **extra)


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
