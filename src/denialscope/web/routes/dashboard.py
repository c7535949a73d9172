"""The leaders' dashboard: the four streams side by side, the monthly trend, appeal outcomes.

One service call (:func:`denialscope.analytics.dashboard.dashboard`, which is ``report kpis``
plus each stream's rates and appeals and ``report trends``, kept per scope for the data version
by :mod:`denialscope.web.figures`) gives the page and its JSON twin. The KPI tiles carry their
definitions (``web/kpi_definitions.yaml``, from docs/analytics.md) on hover and keyboard focus.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from denialscope.analytics.dashboard import Dashboard
from denialscope.web.charts import stream_figure, trend_figure
from denialscope.web.deps import require
from denialscope.web.figures import figure, page_part
from denialscope.web.filters import ScopeQuery, bar_context, period_dates
from denialscope.web.principal import Principal
from denialscope.web.render import data_json, page_paths, respond, wants_json

__all__ = ["kpi_definitions", "router"]

router = APIRouter(tags=["leaders"])


@cache
def kpi_definitions() -> dict[str, str]:
    """KPI key -> its definition (docs/analytics.md), for the tiles' hover text."""
    text = resources.files("denialscope.web").joinpath("kpi_definitions.yaml").read_text("utf-8")
    found: dict[str, str] = yaml.safe_load(text)["definitions"]
    return found


@page_paths(
    router,
    "/dashboard",
    summary="Denial dashboard: streams side by side, trend by month, appeal outcomes",
)
def dashboard_page(
    request: Request,
    principal: Annotated[Principal, Depends(require("view_aggregates"))],
    scope: ScopeQuery,
) -> Response:
    data: Dashboard = figure(request, "dashboard", scope.filters)
    if wants_json(request):  # the twin: the figure serialized once per data version
        return respond(
            request, "", data, json_body=page_part(request, data, "json", data_json(data))
        )

    def month_link(month: str) -> str:
        first, last = period_dates(month)
        return scope.link("/claims", period=None, from_=first.isoformat(), to=last.isoformat())

    def charts() -> dict[str, str]:
        return {
            "trend_chart": trend_figure(data.trend, month_link),
            "stream_chart": stream_figure(data.streams, lambda s: scope.link("/claims", stream=s)),
        }

    context = {
        **bar_context(request, scope),
        "definitions": kpi_definitions(),
        **page_part(request, data, ("charts", scope.query()), charts),
    }
    return respond(request, "dashboard/index.html.j2", data, context=context)
