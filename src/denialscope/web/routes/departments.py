"""Departments compared fairly: denials per 1,000 encounters, case-mix adjusted, funnel plot.

The page and its JSON twin come from :func:`denialscope.analytics.departments.department_report`
(``report departments``); a department's point and row link to its claims.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from denialscope.analytics.dashboard import with_fields
from denialscope.analytics.departments import department_report
from denialscope.web.charts import funnel_figure
from denialscope.web.deps import DbSession, require
from denialscope.web.filters import ScopeQuery, bar_context
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond

__all__ = ["router"]

router = APIRouter(tags=["leaders"])


@page_paths(
    router,
    "/departments",
    summary="Case-mix-adjusted denials per 1,000 encounters per department, with the funnel plot",
)
def departments_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, Depends(require("view_aggregates"))],
    scope: ScopeQuery,
) -> Response:
    # A department filter would leave one department to compare: ignored here, as by the CLI.
    filters = with_fields(scope.filters, department=None)
    results = department_report(session, filters=filters)

    def link(code: str) -> str:
        return scope.link("/claims", department=code)

    context = {
        **bar_context(request, scope),
        # claims without a department cannot be asked for by code: no link for "(none)"
        "links": {
            r.department: None if r.department == "(none)" else link(r.department) for r in results
        },
        "chart": funnel_figure([r for r in results if r.department != "(none)"], link),
    }
    return respond(request, "departments/index.html.j2", results, context=context)
