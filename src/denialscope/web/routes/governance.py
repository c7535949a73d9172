"""Governance: top root causes per stream with their owners, action plans, the payer scorecard,
and the quarterly report as a download.

``GET /governance`` (and ``/governance.json``) is the quarterly governance report of
:func:`denialscope.governance.report.governance_report` (the same document as
``report governance --format json``); ``?quarter=2025Q4`` picks a quarter. Plans are created
and updated through :mod:`denialscope.governance.forms` (audited); ``/governance/report.pdf``
and ``/governance/report.html`` download the report's own renderer's output (audited as
exports).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from denialscope.classify import load_config
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.errors import InputError, NotFoundError
from denialscope.governance.cache import cached_governance_report
from denialscope.governance.forms import register_plan_form, update_plan_form
from denialscope.governance.models import METRICS, PLAN_STATUSES, ActionPlan
from denialscope.governance.report import render_html, render_pdf
from denialscope.governance.report_types import GovernanceReport
from denialscope.output.jsonout import dumps, plain
from denialscope.settings import Settings
from denialscope.web.audit import record
from denialscope.web.deps import DbSession, require, settings_of
from denialscope.web.forms import submitted_fields
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond, wants_json

__all__ = ["router"]

router = APIRouter(tags=["governance"])

STREAM_COLORS = {
    "clinical": "#6941c6",
    "coding": "#0b5cad",
    "access": "#b54708",
    "billing": "#067647",
}


def _quarter(request: Request) -> str | None:
    return (request.query_params.get("quarter") or "").strip() or None


def _report(session: DbSession, settings: Settings, quarter: str | None) -> GovernanceReport:
    # Kept while the data, plans and configuration are unchanged: seconds on a big database.
    return cached_governance_report(session, quarter=quarter, settings=settings)


def top_causes_figure(report: dict[str, Any]) -> str | None:
    """Bars of each stream's top root causes by denied dollars; a click opens the stream's
    Pareto for the quarter (the leaders' drill-down to the claims)."""
    import plotly.graph_objects as go  # type: ignore[import-untyped,unused-ignore]

    figure = go.Figure()
    for stream in DENIAL_STREAMS:
        causes = list(reversed(report["top_root_causes"].get(stream, [])))
        if not causes:
            continue
        query = urlencode({"stream": stream, "from": report["period"]["from"],
                           "to": report["period"]["to"]})  # fmt: skip
        figure.add_trace(
            go.Bar(
                name=stream,
                orientation="h",
                x=[float(c["dollars"]) for c in causes],
                y=[f"{c['root_cause']} ({stream})" for c in causes],
                marker={"color": STREAM_COLORS.get(stream, "#0b5cad")},
                text=[f"${float(c['dollars']):,.0f}" for c in causes],
                textposition="auto",
                customdata=[f"/pareto?{query}" for _ in causes],
                hovertemplate="%{y}<br>%{x:$,.2f} denied<extra></extra>",
            )
        )
    if not figure.data:
        return None
    bars = sum(len(trace.y) for trace in figure.data)
    figure.update_layout(
        height=max(360, 100 + 26 * bars),
        margin={"l": 20, "r": 20, "t": 50, "b": 40},
        xaxis={"title": "denied dollars", "tickprefix": "$", "tickformat": ",.0f"},
        yaxis={"automargin": True},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        barmode="group",
    )
    return str(figure.to_json())


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0  # no override file: the shipped defaults


@lru_cache(maxsize=8)
def _cause_choices(settings: Settings, stamp: int) -> dict[str, list[str]]:
    """The plan form's root causes by stream. Reading the classification configuration takes
    most of a second: kept until its override file changes (``stamp``)."""
    causes: dict[str, list[str]] = {}
    for cause_id, cause in sorted(load_config(settings=settings).root_causes.items()):
        causes.setdefault(str(getattr(cause, "stream", "none")), []).append(cause_id)
    return causes


def _context(
    settings: Settings,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    chart: str | None = None,
    quarter: str | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    return {
        "streams": DENIAL_STREAMS,
        "root_causes": _cause_choices(settings, _stamp(settings.classification_file)),
        "metrics": METRICS,
        "statuses": PLAN_STATUSES,
        "form": form or {},
        "errors": errors or {},
        "chart": chart,
        "quarter": quarter or "",
        "notice": notice,
    }


def _page(
    request: Request,
    session: DbSession,
    settings: Settings,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    quarter = _quarter(request)
    notice = _notice(request)
    try:
        report = _report(session, settings, quarter).to_dict()
    except InputError as error:  # a bad quarter, or too little data for any quarter yet
        data: dict[str, Any] = {"error": error.message, "action_plans": []}
        context = _context(settings, form=form, errors=errors, quarter=quarter, notice=notice)
        # An empty database is not the user's fault: the page opens and says why it is empty.
        code = 400 if quarter and status_code == 200 else status_code
        return respond(request, "governance/index.html.j2", data, context=context, status_code=code)
    chart = None if wants_json(request) else top_causes_figure(plain(report, exact=False))
    context = _context(
        settings, form=form, errors=errors, chart=chart, quarter=quarter, notice=notice
    )
    return respond(
        request, "governance/index.html.j2", report, context=context, status_code=status_code
    )


def _notice(request: Request) -> str | None:
    if created := request.query_params.get("created"):
        return f"Plan {created} created; its baseline was measured from the stored claims."
    if updated := request.query_params.get("updated"):
        return f"Plan {updated} updated."
    return None


@page_paths(router, "/governance", summary="Quarterly governance: top causes, plans, scorecard")
def governance_page(
    request: Request,
    principal: Annotated[Principal, Depends(require("view_aggregates"))],
    session: DbSession,
) -> Response:
    return _page(request, session, settings_of(request))


def _plan_json(plan: ActionPlan, status_code: int) -> Response:
    document = {
        "id": plan.id,
        "root_cause": plan.root_cause,
        "stream": plan.stream,
        "payer": plan.payer,
        "department": plan.department,
        "service_line": plan.service_line,
        "owner_role": plan.owner_role,
        "owner_name": plan.owner_name,
        "metric": plan.metric,
        "change_pct": plan.change_pct,
        "baseline": plan.baseline_value,
        "baseline_from": plan.baseline_from,
        "baseline_to": plan.baseline_to,
        "target": plan.target_value,
        "due_date": plan.due_date,
        "status": plan.status,
        "notes": plan.notes,
    }
    return Response(dumps(document), media_type="application/json", status_code=status_code)


def _refused(
    request: Request, session: DbSession, error: InputError, form: dict[str, str]
) -> Response:
    session.rollback()
    fields = dict(error.context.get("fields") or {"form": error.message})
    if wants_json(request):
        return JSONResponse({"error": error.message, "fields": fields}, status_code=422)
    return _page(request, session, settings_of(request), form=form, errors=fields, status_code=422)


@router.post("/governance/plans", summary="Create an action plan (form or JSON)", status_code=303)
async def create_plan_route(
    request: Request,
    principal: Annotated[Principal, Depends(require("manage_plans"))],
    session: DbSession,
) -> Response:
    form: dict[str, str] = {}
    try:
        form = await submitted_fields(request)
        plan = register_plan_form(session, form=form, settings=settings_of(request))
    except InputError as error:
        return _refused(request, session, error, form)
    record(
        session, request, principal, action="create", subject_type="action_plan",
        subject_id=plan.id, detail=f"{plan.root_cause} {plan.metric} {plan.change_pct:+}%",
    )  # fmt: skip
    session.commit()
    if wants_json(request):
        return _plan_json(plan, 201)
    return RedirectResponse(f"/governance?created={plan.id}#plan-{plan.id}", status_code=303)


@router.post(
    "/governance/plans/{plan_id}",
    summary="Update an action plan's status and/or add a note (form or JSON)",
    status_code=303,
)
async def update_plan_route(
    request: Request,
    plan_id: int,
    principal: Annotated[Principal, Depends(require("manage_plans"))],
    session: DbSession,
) -> Response:
    form: dict[str, str] = {}
    try:
        form = await submitted_fields(request)
        plan = update_plan_form(session, plan_id=plan_id, form=form)
    except NotFoundError as error:
        session.rollback()
        return JSONResponse({"error": error.message}, status_code=404)
    except InputError as error:
        return _refused(request, session, error, {**form, "plan_id": str(plan_id)})
    changed = ", ".join(f"{k} {form[k]!r}" for k in ("status",) if form.get(k))
    record(
        session, request, principal, action="update", subject_type="action_plan",
        subject_id=plan.id, detail=(changed + (" + note" if form.get("note") else "")).strip(),
    )  # fmt: skip
    session.commit()
    if wants_json(request):
        return _plan_json(plan, 200)
    return RedirectResponse(f"/governance?updated={plan.id}#plan-{plan.id}", status_code=303)


def _download(
    request: Request, session: DbSession, principal: Principal, extension: str
) -> Response:
    try:
        report = _report(session, settings_of(request), _quarter(request))
    except InputError as error:
        return JSONResponse({"error": error.message}, status_code=400)
    html = render_html(report)
    body = render_pdf(html) if extension == "pdf" else html.encode("utf-8")
    record(
        session, request, principal, action="export", subject_type="governance_report",
        subject_id=report.quarter, detail=f"{extension}, {len(body):,} bytes",
    )  # fmt: skip
    session.commit()
    media = "application/pdf" if extension == "pdf" else "text/html; charset=utf-8"
    name = f"governance-{report.quarter}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=headers)


@router.get(
    "/governance/report.pdf",
    summary="Download the quarterly governance report as PDF (?quarter=2025Q4)",
    response_class=Response,
)
def governance_pdf(
    request: Request,
    principal: Annotated[Principal, Depends(require("export_reports"))],
    session: DbSession,
) -> Response:
    return _download(request, session, principal, "pdf")


@router.get(
    "/governance/report.html",
    summary="Download the quarterly governance report as one self-contained HTML file",
    response_class=Response,
)
def governance_html(
    request: Request,
    principal: Annotated[Principal, Depends(require("export_reports"))],
    session: DbSession,
) -> Response:
    return _download(request, session, principal, "html")
