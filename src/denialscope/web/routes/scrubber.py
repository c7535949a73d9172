"""The scrubber: check 837 files before they go out, and the rules' record on stored history.

``/scrubber`` takes one or more 837 files (multipart, limited by
``Settings.upload_max_bytes``, kept in a private temporary folder deleted after the
request) and shows each claim's findings with their suggestions, from the same
``scrub.service`` calls as ``denialscope scrub``. ``/scrubber/backtest`` is
``denialscope scrub backtest``: every rule run over the stored claims, ranked by the denials
it would have caught, with its precision and recall. Both have JSON twins.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from denialscope.errors import DenialscopeError
from denialscope.scrub.runner import ClaimResult
from denialscope.scrub.service import ScrubReport, build_context, scrub_files, with_risks
from denialscope.web.audit import record
from denialscope.web.deps import DbSession, settings_of
from denialscope.web.deps import require as require_permission
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

router = APIRouter(tags=["scrubber"])
Scrubber = Annotated[Principal, Depends(require_permission("scrub_claims"))]
_SEVERITY_ORDER = {"reject": 0, "warn": 1, "info": 2}


def _form_context(request: Request) -> dict[str, Any]:
    return {"upload_limit": settings_of(request).upload_max_bytes}


@page_paths(router, "/scrubber", summary="The scrubber: upload 837 files to check")
def scrubber_page(request: Request, _principal: Scrubber) -> Response:
    settings = settings_of(request)
    data = {"upload_limit_bytes": settings.upload_max_bytes, "result": None, "error": None}
    return respond(request, "scrubber/index.html.j2", data, context=_form_context(request))


def _claim(result: ClaimResult, risk: dict[str, object] | None) -> dict[str, Any]:
    findings = sorted(
        result.findings, key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.line or 0, f.rule)
    )
    return {
        "claim_id": result.claim_id,
        "kind": result.claim.kind,
        "payer": result.claim.payer.name or result.claim.payer.identifier,
        "charge": result.claim.total_charge,
        "lines": len(result.claim.lines),
        "clean": result.clean,
        "flagged": result.flagged,
        "rejects": sum(1 for f in findings if f.severity == "reject"),
        "warnings": sum(1 for f in findings if f.severity == "warn"),
        "findings": [f.to_dict() for f in findings],
        "risk": risk,
    }


def _result(report: ScrubReport, files: list[str]) -> dict[str, Any]:
    risks = list(report.risks) if report.risks is not None else [None] * len(report.results)
    claims = [_claim(r, risk) for r, risk in zip(report.results, risks, strict=True)]
    # The claims to act on first: rejections, then warnings, then the clean ones.
    claims.sort(key=lambda c: (-c["rejects"], -c["warnings"], c["claim_id"]))
    return {
        "files": files,
        "summary": report.summary.to_dict() | {"run_id": report.summary.run_id},
        "claims": claims,
    }


def _refused(request: Request, message: str | None, error: DenialscopeError) -> Response:
    data: dict[str, Any] = {
        "upload_limit_bytes": settings_of(request).upload_max_bytes,
        "result": None,
        "error": message,
    }
    status = error.http_status if error.http_status < 500 else 400
    return respond(
        request,
        "scrubber/index.html.j2",
        data,
        context=_form_context(request),
        status_code=status,
    )


@router.post(
    "/scrubber",
    response_class=HTMLResponse,
    summary="Scrub uploaded 837 files (multipart field 'files'; 'store' keeps the run)",
)
async def scrub_upload(
    request: Request,
    _size: Annotated[None, Depends(check_upload_size)],
    principal: Scrubber,
    session: DbSession,
) -> Response:
    settings = settings_of(request)
    async with upload_form(request) as form:
        store = form.get("store") in ("on", "true", "1")
        with upload_folder("scrub") as folder:
            try:
                paths = await read_uploads(request, form, folder)
                context = build_context(settings=settings)
                report = scrub_files(
                    paths=paths, context=context, session=session if store else None
                )
                report = with_risks(report, settings=settings)
            except DenialscopeError as error:
                session.rollback()
                return _refused(request, hide_folder(error.message, folder), error)
            names = [p.name for p in paths]
            result = _result(report, names)
            notes = result["summary"]["notes"]
            result["summary"]["notes"] = [hide_folder(n, folder) for n in notes]
    detail = f"{len(names)} file(s), {report.summary.claims} claim(s), stored={store}"
    record(session, request, principal, action="scrub", subject_type="upload", detail=detail)
    session.commit()
    data = {"upload_limit_bytes": settings.upload_max_bytes, "result": result, "error": None}
    return respond(request, "scrubber/index.html.j2", data, context=_form_context(request))


@page_paths(
    router,
    "/scrubber/backtest",
    summary="Each scrub rule run over the stored claims: denials caught, precision, recall",
)
def backtest_page(
    request: Request,
    _principal: Scrubber,
    session: DbSession,
    min_volume: int = 20,
    min_rate: float = 0.2,
) -> Response:
    from denialscope.scrub.backtest import run_backtest

    context = build_context(settings=settings_of(request))
    report = run_backtest(
        session=session, context=context, min_volume=max(1, min_volume), min_rate=min_rate
    )
    session.rollback()  # nothing is stored: a backtest must not move the clean claim rate
    data = report.to_dict()
    data["min_volume"], data["min_rate"] = max(1, min_volume), min_rate
    return respond(request, "scrubber/backtest.html.j2", data)
