"""The claims list: the end of every drill-down (``/claims?stream=..&root_cause=..&payer=..``).

Filters are the shared bar's (:mod:`denialscope.web.filters`) plus ``root_cause`` and
``carc``; rows link to the claim page ``/claims/{claim_id}``. Workers see the claims of
their own streams only (a coder asking for clinical claims gets 403; without a stream filter
the list holds their streams' denials). Every view is audited (action ``view``, subject
``claim_list``, detail = the filters). The list comes from
:func:`denialscope.analytics.claim_list.claim_list`, page and JSON twin alike.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from denialscope.analytics.claim_list import MAX_LIMIT, claim_list
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.errors import InputError
from denialscope.web import audit
from denialscope.web.deps import DbSession, Forbidden, require
from denialscope.web.filters import ScopeQuery, bar_context
from denialscope.web.principal import ALL_STREAMS, Principal
from denialscope.web.render import page_paths, respond

__all__ = ["router"]

router = APIRouter(tags=["leaders"])
PAGE_SIZE = 50


@page_paths(
    router,
    "/claims",
    summary="Denied claims in scope (drill-down target), filtered by stream, root cause, CARC",
)
def claims_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, Depends(require("view_claims"))],
    scope: ScopeQuery,
    root_cause: Annotated[str | None, Query(description="Root cause id")] = None,
    carc: Annotated[str | None, Query(description="CARC: 50 or CO-50")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Claims per page")] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, description="Claims to skip")] = 0,
) -> Response:
    stream = scope.filters.stream
    if stream is not None and not principal.sees_stream(stream):
        mine = ", ".join(sorted(principal.streams))
        raise Forbidden(f"the {principal.role.value} role sees {mine} claims only, not {stream}")
    visible = None if principal.streams == ALL_STREAMS else principal.streams
    root_cause = (root_cause or "").strip() or None
    carc = (carc or "").strip() or None
    try:
        data = claim_list(
            session=session,
            filters=scope.filters,
            root_cause=root_cause,
            carc=carc,
            streams=visible,
            limit=limit,
            offset=offset,
        )
    except InputError as error:  # a malformed CARC: the reader's input, named
        raise HTTPException(status_code=400, detail=str(error)) from None
    detail = scope.query(root_cause=root_cause, carc=carc) or "(all)"
    audit.record_view(session, request, principal, subject_type="claim_list",
                      detail=f"{detail}; offset={offset}")  # fmt: skip
    extra = {k: v for k, v in (("root_cause", root_cause), ("carc", carc)) if v}

    def page_link(start: int) -> str:
        offset_text = str(start) if start else None
        return scope.link("/claims", root_cause=root_cause, carc=carc, offset=offset_text)

    context = {
        **bar_context(request, scope, streams=True),
        "extra_fields": extra,
        "root_cause": root_cause,
        "carc": carc,
        "visible": sorted(principal.streams),
        # a worker's stream menu offers their own streams only
        "stream_options": [s for s in DENIAL_STREAMS if principal.sees_stream(s)],
        "previous_link": page_link(max(0, offset - limit)) if offset > 0 else None,
        "next_link": page_link(offset + limit) if offset + limit < data.total else None,
        "pareto_link": scope.link("/pareto") if principal.can("view_aggregates") else None,
    }
    return respond(request, "claims/index.html.j2", data, context=context)
