"""Administration: the landing page, and the organization's configuration files.

``/admin`` lists the administration pages (users and the audit log are built in
``admin_users`` and ``admin_audit``). ``/admin/mapping`` (classification mapping),
``/admin/rule-packs`` (scrub rule pack) and ``/admin/workqueue`` (work-queue and rework
configuration) show what is in effect (shipped defaults + the data directory's override),
validate an uploaded new version with line-numbered errors, and install it (the previous
version kept) through ``configfiles.service``. Installing a mapping can re-apply it to the
stored payments at once (``denials.service.reclassify``: counts by old -> new root cause).
Permission ``administer``; validations and changes are audited (subject_type "config").
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from denialscope.configfiles.service import KINDS, config_view, install_config
from denialscope.configfiles.service import validate_config as check_config
from denialscope.errors import ConfigurationError, DenialscopeError
from denialscope.settings import Settings
from denialscope.web.audit import record
from denialscope.web.deps import DbSession, require, settings_of
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond
from denialscope.web.uploads import check_upload_size, upload_form

__all__ = ["router"]

router = APIRouter(tags=["admin"])
Admin = Annotated[Principal, Depends(require("administer"))]

# The landing page: every administration page and what it is for.
ADMIN_PAGES: Final = (
    ("Users and roles", "/admin/users", "Add users, set their role and streams, disable them."),
    ("Audit log", "/admin/audit", "Who viewed or changed which claim, export or setting."),
    (
        "Classification mapping",
        "/admin/mapping",
        "CARC/RARC rules to root cause, stream and owner; reclassify after a change.",
    ),
    ("Scrub rule pack", "/admin/rule-packs", "Payer filing limits, prior-auth and coverage lists."),
    (
        "Work queues and rework",
        "/admin/workqueue",
        "Routing, work cost, recovery odds, payer windows, the decision tree.",
    ),
)


@page_paths(router, "/admin", summary="Administration: users, audit log, configuration files")
def admin_home(request: Request, _principal: Admin) -> Response:
    settings = settings_of(request)
    pages = [{"title": t, "path": p, "about": a} for t, p, a in ADMIN_PAGES]
    effect = {key: config_view(settings=settings, kind=key) for key in KINDS}
    data = {
        "pages": pages,
        "configuration": [
            {
                "kind": key,
                "title": view.title,
                "path": f"/admin/{key}",
                "override_installed": view.override_text is not None,
                "shipped": view.shipped_name is not None,
                "in_effect": view.in_effect.to_dict(),
            }
            for key, view in effect.items()
        ],
    }
    return respond(request, "admin_config/index.html.j2", data)


def _view(
    request: Request,
    kind: str,
    *,
    validation: dict[str, Any] | None = None,
    installed: dict[str, Any] | None = None,
    reclassified: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = config_view(settings=settings_of(request), kind=kind).to_dict()
    data = view | {
        "validation": validation,
        "installed": installed,
        "reclassified": reclassified,
        "error": error,
    }
    return respond(request, "admin_config/config.html.j2", data, status_code=status_code)


def _register_view(kind: str) -> None:
    title = KINDS[kind].title

    def show(request: Request, _principal: Admin) -> Response:
        return _view(request, kind)

    show.__name__ = f"admin_{kind.replace('-', '_')}"
    page_paths(router, f"/admin/{kind}", summary=f"{title}: in effect, previous versions")(show)


for _kind in KINDS:
    _register_view(_kind)


async def _uploaded(form: FormData) -> tuple[str, bytes]:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        raise ConfigurationError("choose a YAML file to upload")
    name = (upload.filename or "upload.yaml").replace("\\", "/").rsplit("/", 1)[-1]
    return name, await upload.read()


def _excerpt(content: bytes, line: object, around: int = 2) -> list[tuple[int, str]]:
    """The lines around ``line`` of the uploaded file, numbered, to show where it is wrong."""
    if not isinstance(line, int) or line < 1:
        return []
    lines = content.decode("utf-8", errors="replace").splitlines()
    first = max(1, line - around)
    return [(n, lines[n - 1]) for n in range(first, min(len(lines), line + around) + 1)]


def _reclassify(session: Session, settings: Settings) -> dict[str, Any]:
    from denialscope.classify.config import load_config
    from denialscope.denials.service import reclassify
    from denialscope.workqueue.config import load_workqueue_config

    report = reclassify(
        session=session,
        config=load_config(settings=settings),
        workqueue=load_workqueue_config(settings=settings),
    )
    return report.to_dict()


def _reclassify_detail(result: dict[str, Any]) -> str:
    return (
        f"reclassify {result['config_version']}: {result['adjustments_changed']} adjustment(s) "
        f"changed root cause or rule, {result['work_items_reclassified']} open item(s) followed"
    )


def _unknown_kind(request: Request, kind: str) -> Response | None:
    """The 404 page of an upload to a configuration that does not exist, else None."""
    if kind in KINDS:
        return None
    error = {"error": f"no configuration {kind!r}"}
    return respond(request, "error.html.j2", error, status_code=404)


@router.post(
    "/admin/{kind}/validate",
    response_class=HTMLResponse,
    summary="Validate an uploaded configuration file (multipart field 'file'); nothing installed",
)
async def validate_upload(
    request: Request,
    kind: str,
    _size: Annotated[None, Depends(check_upload_size)],
    principal: Admin,
    session: DbSession,
) -> Response:
    if (unknown := _unknown_kind(request, kind)) is not None:
        return unknown
    try:
        async with upload_form(request) as form:
            name, content = await _uploaded(form)
        verdict = check_config(settings=settings_of(request), kind=kind, content=content, name=name)
    except DenialscopeError as error:
        return _view(request, kind, error=error.message, status_code=400)
    outcome = "valid" if verdict.valid else f"invalid: {verdict.error}"
    record(
        session,
        request,
        principal,
        action="validate",
        subject_type="config",
        subject_id=kind,
        detail=f"{name}: {outcome}"[:1000],
    )
    session.commit()
    status = 200 if verdict.valid else 400
    shown = verdict.to_dict() | {"excerpt": _excerpt(content, verdict.line)}
    return _view(request, kind, validation=shown, status_code=status)


@router.post(
    "/admin/{kind}/install",
    response_class=HTMLResponse,
    summary="Validate and install an uploaded configuration file (previous version kept); "
    "for the mapping, 'reclassify' re-applies it to the stored payments",
)
async def install_upload(
    request: Request,
    kind: str,
    _size: Annotated[None, Depends(check_upload_size)],
    principal: Admin,
    session: DbSession,
) -> Response:
    if (unknown := _unknown_kind(request, kind)) is not None:
        return unknown
    settings = settings_of(request)
    content = b""
    try:
        async with upload_form(request) as form:
            wants_reclassify = kind == "mapping" and form.get("reclassify") in ("on", "true", "1")
            name, content = await _uploaded(form)
        installed = install_config(settings=settings, kind=kind, content=content, name=name)
    except DenialscopeError as error:
        context = error.context if isinstance(error, ConfigurationError) else {}
        validation = {
            "kind": kind,
            "name": context.get("file"),
            "valid": False,
            "error": error.message,
            "line": context.get("line"),
            "key": context.get("key"),
            "summary": None,
            "excerpt": _excerpt(content, context.get("line")),
        }
        return _view(request, kind, validation=validation, error=error.message, status_code=400)
    detail = f"installed {name} as {KINDS[kind].filename}; previous kept: {installed.previous}"
    record(
        session,
        request,
        principal,
        action="update",
        subject_type="config",
        subject_id=kind,
        detail=detail[:1000],
    )
    session.commit()  # the installation is audited whatever the reclassify does
    reclassified = None
    if wants_reclassify:
        reclassified = _reclassify(session, settings)
        record(
            session,
            request,
            principal,
            action="update",
            subject_type="config",
            subject_id=kind,
            detail=_reclassify_detail(reclassified),
        )
        session.commit()
    return _view(request, kind, installed=installed.to_dict(), reclassified=reclassified)


@router.post(
    "/admin/mapping/reclassify",
    response_class=HTMLResponse,
    summary="Re-apply the mapping in effect to every stored claim payment",
)
def reclassify_now(request: Request, principal: Admin, session: DbSession) -> Response:
    result = _reclassify(session, settings_of(request))
    record(
        session,
        request,
        principal,
        action="update",
        subject_type="config",
        subject_id="mapping",
        detail=_reclassify_detail(result),
    )
    session.commit()
    return _view(request, "mapping", reclassified=result)
