"""Pareto of root causes per stream × payer, with the drill-down to the claims.

"Which 5 root causes are 70% of clinical denials with payer X?": ``/pareto?stream=clinical&
payer=X&target=0.7``. The page and its JSON twin come from
:func:`denialscope.analytics.dashboard.pareto_both_bases` (``report pareto`` plus each cause's
net dollars), kept per scope for the data version by :mod:`denialscope.web.figures`. Each bar
and each table row links to ``/claims`` with the page's filters, the cause's stream and the
root cause.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from denialscope.analytics.dashboard import NetPareto
from denialscope.analytics.pareto import ParetoEntry
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.web.charts import pareto_figure
from denialscope.web.deps import require
from denialscope.web.figures import figure, page_part
from denialscope.web.filters import Scope, ScopeQuery, bar_context
from denialscope.web.principal import Principal
from denialscope.web.render import data_json, page_paths, respond, wants_json

__all__ = ["claims_link", "router"]

router = APIRouter(tags=["leaders"])
DEFAULT_TARGET = "0.7"  # the leaders' question is about 70%


def claims_link(scope: Scope, entry: ParetoEntry) -> str:
    """The claims of one bar: the page's filters, the cause's stream and root cause."""
    stream = entry.stream if entry.stream in DENIAL_STREAMS else None
    return scope.link("/claims", stream=stream, root_cause=entry.root_cause)


def _target(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise HTTPException(400, f"target {text!r} is not a number (a share such as 0.7)") from None
    if not Decimal(0) < value <= Decimal(1):
        raise HTTPException(400, f"target {text}: a share in (0, 1], such as 0.7")
    return value


@page_paths(
    router,
    "/pareto",
    summary="Pareto of root causes per stream and payer, vital few marked, drill-down to claims",
)
def pareto_page(
    request: Request,
    principal: Annotated[Principal, Depends(require("view_aggregates"))],
    scope: ScopeQuery,
    target: Annotated[
        str, Query(description="The share the vital few reach, in (0, 1]")
    ] = DEFAULT_TARGET,
    measure: Annotated[
        Literal["count", "dollars"], Query(description="Rank by claims or denied charges")
    ] = "count",
) -> Response:
    share = _target(target)
    view: NetPareto = figure(request, "pareto", scope.filters, share, measure)
    if wants_json(request):  # the twin: the figure serialized once per data version
        return respond(
            request, "", view, json_body=page_part(request, view, "json", data_json(view))
        )
    links = {(e.root_cause, e.stream): claims_link(scope, e) for e in view.result.entries}
    context = {
        **bar_context(request, scope),
        "extra_fields": {"target": target, "measure": measure},
        "target": target,
        "measure": measure,
        "links": links,
        "chart": page_part(
            request,
            view,
            ("chart", scope.query()),
            lambda: pareto_figure(view, lambda e: links[(e.root_cause, e.stream)]),
        ),
    }
    return respond(request, "pareto/index.html.j2", view, context=context)
