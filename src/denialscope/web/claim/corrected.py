"""Corrected claims on the claim page (proposals, the reviewer's decisions, the 837 written and
read back before it is stored) and the download of any stored letter or 837 (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from denialscope.errors import DenialscopeError, InputError, NotFoundError
from denialscope.web.audit import record
from denialscope.web.claim.shared import (
    Fields,
    Viewer,
    Worker,
    changed,
    field,
    item_for,
    not_found,
    refused_item,
)
from denialscope.web.deps import DbSession, settings_of

__all__ = ["router"]

router = APIRouter(tags=["claim page"])


# ---- corrected claims ----------------------------------------------------------------------


@router.post("/items/{item_id}/fixes", summary="Propose the coding fixes of a work item")
def fixes_propose(
    request: Request, item_id: int, principal: Worker, session: DbSession
) -> Response:
    from denialscope.appeals.corrected import propose_fixes

    try:
        item_for(session, principal, item_id)
        fixes = propose_fixes(
            session, item_id=item_id, actor=principal.username, settings=settings_of(request)
        )
    except NotFoundError as missing:
        return not_found(request, missing)
    except DenialscopeError as error:
        return refused_item(request, session, principal, item_id, error)
    return changed(
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
        details = item_for(session, principal, item_id)
        approve: list[tuple[int, str | None]] = []
        reject: list[int] = []
        for fix in details.fixes:
            decision = field(form, f"decision-{fix.fix}")
            if decision == "approve":
                approve.append((fix.fix, field(form, f"value-{fix.fix}") or None))
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
        return not_found(request, missing)
    except DenialscopeError as error:
        return refused_item(request, session, principal, item_id, error)
    what = f"fixes reviewed: {len(approve)} approved, {len(reject)} rejected"
    if result.filename is not None:
        version = max(d.version for d in result.details.documents if d.kind == "corrected_837")
        what += f"; corrected claim version {version} written and read back"
    return changed(request, session, principal, item_id, what, anchor="corrected")


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
        item_for(session, principal, item_id)
        document = get_document(session=session, item_id=item_id, kind=kind, version=version)
    except NotFoundError as missing:
        return not_found(request, missing)
    content, media_type, filename = document.content, document.media_type, document.filename
    session.commit()  # the read transaction ends; the audit row writes in its own
    record(
        session,
        request,
        principal,
        action="export",
        subject_type="work_item",
        subject_id=item_id,
        detail=f"{kind} version {version}: {filename}",
    )
    session.commit()
    stem, dot, suffix = filename.rpartition(".")
    name = f"{stem}-v{version}.{suffix}" if dot else f"{filename}-v{version}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=media_type, headers=headers)
