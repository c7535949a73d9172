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

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from denialscope.errors import DenialscopeError, InputError, NotFoundError
from denialscope.web.claim import corrected, letters
from denialscope.web.claim.shared import (
    CONFIRM_HINT,
    Viewer,
    Worker,
    changed,
    item_for,
    not_found,
    page_response,
    refused,
    refused_item,
)
from denialscope.web.deps import DbSession, settings_of
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths

__all__ = ["router"]

router = APIRouter(tags=["claim page"])


@page_paths(router, "/claims/{claim_id}", summary="One claim: 837, 835s, acks, work item")
def claim_view(request: Request, claim_id: int, principal: Viewer, session: DbSession) -> Response:
    return page_response(request, session, principal, claim_id)


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
        details = item_for(session, principal, item_id)
    except NotFoundError as missing:
        return not_found(request, missing)
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
        return refused(request, session, principal, details.item.claim_id, error, message)
    except DenialscopeError as error:
        return refused(request, session, principal, details.item.claim_id, error)
    return changed(request, session, principal, item_id, what)


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
        return refused_item(request, session, principal, item_id, error)
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
            return refused_item(request, session, principal, item_id, error)
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


router.include_router(letters.router)
router.include_router(corrected.router)
