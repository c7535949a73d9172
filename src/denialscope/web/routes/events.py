"""Events and alerts: the timeline of registered changes and detected spikes; register an event.

``GET /events`` (and ``/events.json``) shows every registered change event with every root
cause's rate before and after it (:func:`denialscope.analytics.events.impacts_of_registered`)
and the CUSUM alerts (:func:`denialscope.analytics.monitor.cusum_alerts`), the same services
as ``report events`` and ``report alerts``. ``POST /events`` registers one event
(:func:`denialscope.governance.forms.register_event_form`), audited.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams

from denialscope.analytics.cohort import Filters
from denialscope.analytics.models import EVENT_KINDS
from denialscope.errors import InputError
from denialscope.governance.cache import cached_event_analysis
from denialscope.governance.forms import register_event_form
from denialscope.output.jsonout import dumps, plain
from denialscope.output.values import display
from denialscope.web.audit import record
from denialscope.web.deps import DbSession, require, settings_of
from denialscope.web.filters import SCOPE_PARAMETERS, read_scope
from denialscope.web.forms import submitted_fields
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond, wants_json

__all__ = ["router"]

router = APIRouter(tags=["events"])

LEVELS = ("stream", "root_cause")
ACROSS = ("payer", "department")
CAUSES_SHOWN = 5  # per event in the table; the JSON twin has every cause


def _filters(query: QueryParams) -> tuple[Filters, dict[str, str]]:
    """The page's scope from the query string: the shared filter bar's contract
    (``web.filters``: period, from/to, payer, payer kind, facility, department, service line,
    stream)."""
    scope = read_scope({name: query.get(name) for name in SCOPE_PARAMETERS})
    return scope.filters, scope.values


def _choice(query: QueryParams, name: str, allowed: tuple[str, ...]) -> str:
    value = query.get(name) or allowed[0]
    if value not in allowed:
        raise InputError(f"{name} {value!r}: use one of {', '.join(allowed)}")
    return value


def _window(query: QueryParams) -> int | None:
    value = (query.get("window_days") or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 3650:
        raise InputError(f"window_days {value!r}: a whole number of days from 1 to 3650")
    return int(value)


def _events_data(session: DbSession, query: QueryParams, database_url: str) -> dict[str, Any]:
    filters, given = _filters(query)
    level = _choice(query, "level", LEVELS)
    across = _choice(query, "across", ACROSS)
    window_days = _window(query)
    analysis = cached_event_analysis(
        session,
        filters=filters,
        level=level,  # type: ignore[arg-type]
        across=across,  # type: ignore[arg-type]
        window_days=window_days,
        database_url=database_url,
    )
    return {
        "filters": given,
        "level": level,
        "across": across,
        "window_days": window_days,
        "events": list(analysis.events),
        "alerts": [alert.to_dict() for alert in analysis.alerts],
    }


def timeline_figure(data: dict[str, Any]) -> str | None:
    """The plotly figure (JSON text) of the timeline: one row per event scope, a diamond on
    the event's date; one row per alert series, a line from the shift's start to the alarm.
    Hover gives the before/after rates; clicking an alert opens its Pareto (drill-down)."""
    import plotly.graph_objects as go  # type: ignore[import-untyped,unused-ignore]

    if not data["events"] and not data["alerts"]:
        return None
    figure = go.Figure()
    events = data["events"]
    if events:
        figure.add_trace(
            go.Scatter(
                name="Registered change",
                x=[e["event_date"] for e in events],
                y=[f"change · {e['scope']}" for e in events],
                mode="markers",
                marker={"symbol": "diamond", "size": 14, "color": "#1d4f85"},
                text=[_event_hover(e) for e in events],
                hovertemplate="%{x}<br>%{text}<extra></extra>",
                customdata=[f"/events#event-{e['event_id']}" for e in events],
            )
        )
    xs: list[str | None] = []
    ys: list[str | None] = []
    texts: list[str | None] = []
    links: list[str | None] = []
    for alert in data["alerts"]:
        hover = (
            f"{alert['series']}: shift began {alert['shift_began']}, alarm "
            f"{alert['alarm_month']}<br>rate {_pct(alert['baseline_rate'])} before, "
            f"{_pct(alert['rate_since_shift'])} since the shift"
        )
        link = _alert_link(alert["series"], data["level"], data["across"])
        row = f"alert · {alert['series']}"
        xs += [f"{alert['shift_began']}-01", f"{alert['alarm_month']}-01", None]
        ys += [row, row, None]
        texts += [hover, hover, None]
        links += [link, link, None]
    if xs:
        figure.add_trace(
            go.Scatter(
                name="Detected spike (CUSUM alert)",
                x=xs,
                y=ys,
                mode="lines+markers",
                line={"color": "#b42318", "width": 4},
                marker={"size": 9, "color": "#b42318"},
                text=texts,
                hovertemplate="%{text}<extra></extra>",
                customdata=links,
                connectgaps=False,
            )
        )
    rows = len({y for y in ys if y}) + len({e["scope"] for e in events})
    figure.update_layout(
        height=max(360, 120 + 32 * rows),  # the .chart box is 360 px high at least
        margin={"l": 20, "r": 20, "t": 60, "b": 40},
        xaxis={"type": "date", "title": "date"},
        yaxis={"automargin": True, "type": "category"},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        hovermode="closest",
    )
    return str(figure.to_json())


def _pct(value: Any) -> str:
    return display("rate", value)


def _event_hover(event: dict[str, Any]) -> str:
    spikes = ", ".join(event["spikes"]) or "none"
    return (
        f"{event['kind']} · {event['scope']}<br>{event['description'] or ''}<br>"
        f"claims {event['claims_before']:,} before, {event['claims_after']:,} after; "
        f"spikes: {spikes}"
    )


def _alert_link(series: str, level: str, across: str) -> str | None:
    """The Pareto of a stream × payer series (the leaders' drill-down); None otherwise."""
    if level != "stream" or across != "payer":
        return None
    stream, _, payer = series.partition(" × ")
    return "/pareto?" + urlencode({"stream": stream, "payer": payer})


def _page(
    request: Request,
    data: dict[str, Any],
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "kinds": EVENT_KINDS,
        "levels": LEVELS,
        "across_options": ACROSS,
        "causes_shown": CAUSES_SHOWN,
        "form": form or {},
        "errors": errors or {},
        "timeline": timeline_figure(plain(data, exact=False)),
        "registered": request.query_params.get("registered"),
    }
    return respond(request, "events/index.html.j2", data, context=context, status_code=status_code)


def _error_data(error: InputError) -> dict[str, Any]:
    return {"error": error.message, "events": [], "alerts": [], "filters": {}}


@page_paths(router, "/events", summary="Change events with before/after rates, and CUSUM alerts")
def events_page(
    request: Request,
    principal: Annotated[Principal, Depends(require("view_aggregates"))],
    session: DbSession,
) -> Response:
    try:
        data = _events_data(session, request.query_params, settings_of(request).database_url)
    except InputError as error:  # a bad filter: say which, keep the page
        return respond(
            request,
            "events/index.html.j2",
            _error_data(error),
            context=_bad_filter_context(),
            status_code=400,
        )
    return _page(request, data)


def _bad_filter_context() -> dict[str, Any]:
    return {
        "kinds": EVENT_KINDS,
        "levels": LEVELS,
        "across_options": ACROSS,
        "causes_shown": CAUSES_SHOWN,
        "form": {},
        "errors": {},
        "timeline": None,
        "registered": None,
    }


@router.post("/events", summary="Register a change event (form or JSON)", status_code=303)
async def register_event(
    request: Request,
    principal: Annotated[Principal, Depends(require("register_events"))],
    session: DbSession,
) -> Response:
    form: dict[str, str] = {}
    try:
        form = await submitted_fields(request)
        event = register_event_form(session, form=form)
    except InputError as error:
        session.rollback()
        fields = dict(error.context.get("fields") or {"form": error.message})
        if wants_json(request):
            return _json_error(error.message, fields)
        data = _events_data(session, request.query_params, settings_of(request).database_url)
        return _page(request, data, form=form, errors=fields, status_code=422)
    record(
        session,
        request,
        principal,
        action="create",
        subject_type="change_event",
        subject_id=event.id,
        detail=f"{event.event_date} {event.kind}",
    )
    session.commit()
    if wants_json(request):
        return Response(dumps(event.to_dict()), media_type="application/json", status_code=201)
    return RedirectResponse(f"/events?registered={event.id}#event-{event.id}", status_code=303)


def _json_error(message: str, fields: dict[str, str]) -> Response:
    return JSONResponse({"error": message, "fields": fields}, status_code=422)
