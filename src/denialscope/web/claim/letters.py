"""Appeal letters on the claim page: preview (nothing stored; shown in a sandboxed frame) and
generate (a new PDF version, through the same ``write_letter`` as ``queue letter``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from denialscope.appeals.letter_facts import LetterFacts
from denialscope.appeals.preview import letter_templates, preview_letter
from denialscope.errors import DenialscopeError, InputError, NotFoundError
from denialscope.web.audit import record_view
from denialscope.web.claim.shared import (
    LETTER_FIELDS,
    Fields,
    Worker,
    changed,
    field,
    item_for,
    not_found,
    page_response,
    refused_item,
    ticked,
)
from denialscope.web.deps import DbSession, settings_of
from denialscope.web.render import respond, wants_json

__all__ = ["router"]

router = APIRouter(tags=["claim page"])


def letter_inputs(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's values (to fill the form again) and the letter services' arguments."""
    values = {name: field(form, name) for name in LETTER_FIELDS}
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


def check_template(request: Request, template: str | None) -> None:
    if template is not None and template not in letter_templates(settings=settings_of(request)):
        raise InputError(f"no letter template {template!r}")


@router.post("/items/{item_id}/letter/preview", summary="Preview the appeal letter (not stored)")
def letter_preview(
    request: Request, item_id: int, principal: Worker, session: DbSession, form: Fields
) -> Response:
    values, arguments = letter_inputs(form)
    try:
        details = item_for(session, principal, item_id)
        check_template(request, arguments["template"])
        preview = preview_letter(
            session, item_id=item_id, settings=settings_of(request), **arguments
        )
    except NotFoundError as missing:
        return not_found(request, missing)
    except DenialscopeError as error:
        return refused_item(request, session, principal, item_id, error, letter_form=values)
    if wants_json(request):
        what = f"letter preview {preview.template}"
        record_view(session, request, principal, subject_type="work_item", subject_id=item_id,
                    detail=what)  # fmt: skip
        return respond(request, "claim/page.html.j2", preview)
    return page_response(
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

    values, arguments = letter_inputs(form)
    try:
        item_for(session, principal, item_id)
        check_template(request, arguments["template"])
        document = write_letter(
            session,
            item_id=item_id,
            actor=principal.username,
            force=ticked(form, "force"),
            draft=ticked(form, "draft"),
            settings=settings_of(request),
            **arguments,
        )
    except NotFoundError as missing:
        return not_found(request, missing)
    except DenialscopeError as error:
        return refused_item(request, session, principal, item_id, error, letter_form=values)
    what = f"letter version {document.version} ({document.template})"
    return changed(request, session, principal, item_id, what, anchor="letters")
