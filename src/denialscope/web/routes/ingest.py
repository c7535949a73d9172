"""The ingest page: upload X12 files or zip archives, see each file's result, and the files
loaded so far.

The upload (multipart field ``files``) is limited by ``Settings.upload_max_bytes`` before it
is read, kept in a private temporary folder deleted after the request, and loaded by
``ingest.service.ingest_paths`` (the same code as ``denialscope ingest``: one transaction per
file, zip limits from ``Settings.zip_limits``). A bad file does not stop the others; its
result names the file, the position and what is wrong. Every upload is audited ("import").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from denialscope.errors import DenialscopeError
from denialscope.ingest.uploads import ingest_uploads, loaded_files
from denialscope.web.audit import record
from denialscope.web.deps import DbSession, require, settings_of
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond
from denialscope.web.uploads import (
    check_upload_size,
    hide_folder,
    read_uploads,
    upload_folder,
    upload_form,
)

__all__ = ["router"]

router = APIRouter(tags=["ingest"])
Uploader = Annotated[Principal, Depends(require("upload_files"))]
LOADED_SHOWN = 50


def _page_data(
    request: Request,
    session: Session,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    settings = settings_of(request)
    total, files = loaded_files(session=session, limit=LOADED_SHOWN)
    limits = settings.zip_limits
    return {
        "upload_limit_bytes": settings.upload_max_bytes,
        "zip_limits": {
            "max_member_bytes": limits.max_member_bytes,
            "max_total_bytes": limits.max_total_bytes,
            "max_ratio": limits.max_ratio,
            "max_members": limits.max_members,
        },
        "result": result,
        "error": error,
        "loaded_total": total,
        "loaded": [f.to_dict() for f in files],
    }


def _context(request: Request) -> dict[str, Any]:
    return {"upload_limit": settings_of(request).upload_max_bytes}


@page_paths(router, "/ingest", summary="Upload X12 files or zips; the files loaded so far")
def ingest_page(request: Request, _principal: Uploader, session: DbSession) -> Response:
    data = _page_data(request, session)
    return respond(request, "ingest/index.html.j2", data, context=_context(request))


@router.post(
    "/ingest",
    response_class=HTMLResponse,
    summary="Ingest uploaded X12 files or zip archives (multipart field 'files')",
)
async def ingest_upload(
    request: Request,
    _size: Annotated[None, Depends(check_upload_size)],
    principal: Uploader,
    session: DbSession,
) -> Response:
    from starlette.concurrency import run_in_threadpool

    settings = settings_of(request)
    factory = request.app.state.session_factory
    async with upload_form(request) as form:
        with upload_folder("ingest") as folder:
            try:
                paths = await read_uploads(request, form, folder)
            except DenialscopeError as error:
                data = _page_data(request, session, error=hide_folder(error.message, folder))
                return respond(
                    request,
                    "ingest/index.html.j2",
                    data,
                    context=_context(request),
                    status_code=error.http_status,
                )
            # Ingest is slow work on a blocking database: off the event loop.
            report = await run_in_threadpool(
                ingest_uploads,
                paths=paths,
                folder=folder,
                session_factory=factory,
                settings=settings,
            )
    result = report.to_dict()
    totals = result["totals"]
    detail = (
        f"{totals['files']} file(s): {totals['ingested']} ingested, "
        f"{totals['already_ingested'] + totals['duplicate']} already stored, "
        f"{totals['failed']} failed"
    )
    record(session, request, principal, action="import", subject_type="file", detail=detail)
    session.commit()
    data = _page_data(request, session, result=result)
    return respond(request, "ingest/index.html.j2", data, context=_context(request))
