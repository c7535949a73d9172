"""The audit trail for administrators: ``/admin/audit`` (+ ``.json``) searches it by user,
action, subject and date range, newest first, a page at a time; ``/admin/audit.csv`` exports
the same search (the export is itself audited)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from denialscope.errors import DenialscopeError
from denialscope.web.audit import AuditQuery, audit_csv_lines, iter_audit, record, search_audit
from denialscope.web.deps import DbSession, require
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond

__all__ = ["router"]

router = APIRouter(tags=["administration"])

Admin = Annotated[Principal, Depends(require("administer"))]


def _day(name: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DenialscopeError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def _query(
    user: str | None,
    action: str | None,
    subject_type: str | None,
    subject_id: str | None,
    since: str | None,
    until: str | None,
) -> AuditQuery:
    return AuditQuery(
        username=(user or "").strip() or None,
        action=(action or "").strip() or None,
        subject_type=(subject_type or "").strip() or None,
        subject_id=(subject_id or "").strip() or None,
        since=_day("from", since),
        until=_day("to", until),
    )


def _search_args(request: Request, **changes: Any) -> str:
    """The page's own query string with ``changes`` (pagination and export links)."""
    keys = ("user", "action", "subject_type", "subject_id", "since", "until", "page_size")
    args = {key: request.query_params[key] for key in keys if request.query_params.get(key)}
    args.update({key: str(value) for key, value in changes.items()})
    return urlencode(args)


@page_paths(router, "/admin/audit", summary="Search the audit trail (newest first, paginated)")
def audit_log(
    request: Request,
    principal: Admin,
    session: DbSession,
    user: str | None = None,
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Response:
    form = {
        "user": user or "",
        "action": action or "",
        "subject_type": subject_type or "",
        "subject_id": subject_id or "",
        "since": since or "",
        "until": until or "",
    }
    try:
        query = _query(user, action, subject_type, subject_id, since, until)
        data = search_audit(session=session, query=query, page=page, page_size=page_size)
    except DenialscopeError as error:
        context = {"form": form, "links": {}}
        return respond(
            request, "admin_audit/index.html.j2", {"error": error.message}, context=context,
            status_code=400,
        )  # fmt: skip
    links = {
        "previous": _search_args(request, page=data.page - 1) if data.page > 1 else None,
        "next": _search_args(request, page=data.page + 1) if data.page < data.pages else None,
        "export": _search_args(request),
    }
    return respond(
        request, "admin_audit/index.html.j2", data, context={"form": form, "links": links}
    )


@router.get(
    "/admin/audit.csv",
    summary="Export the audit search as CSV (audited)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def audit_export(
    request: Request,
    principal: Admin,
    session: DbSession,
    user: str | None = None,
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    try:
        query = _query(user, action, subject_type, subject_id, since, until)
    except DenialscopeError as error:
        return Response(error.message, status_code=400, media_type="text/plain")
    body = "".join(audit_csv_lines(iter_audit(session=session, query=query)))
    record(
        session,
        request,
        principal,
        action="export",
        subject_type="audit",
        detail=_search_args(request) or "everything",
    )
    session.commit()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    headers = {"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
