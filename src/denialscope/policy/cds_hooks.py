"""The CDS Hooks 2.0 service: payer criteria at the point of order, for any EHR.

    GET  /cds-services                      discovery: the two services below
    POST /cds-services/{service id}         a hook call; answers {"cards": [...]}

Services: ``denialscope-order-select`` (hook ``order-select``: cards for the orders just
selected) and ``denialscope-order-sign`` (hook ``order-sign``: every draft order). Both ask
the EHR to prefetch the patient's active Coverage (the payer); without it only the policies
for every payer apply. A malformed request is answered 400 with ``{"error", "message",
"path"}``; an unknown service 404.

:func:`create_router` is what the web application mounts; :func:`create_app` serves it alone
(``denialscope policy serve-cds``). Log lines carry the hook, its instance id and counts,
never patient, user or encounter identifiers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any, Final

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from denialscope.errors import DenialscopeError, NotFoundError
from denialscope.policy.cards import cards_for
from denialscope.policy.cds_request import CdsRequestError, parse_request
from denialscope.policy.check import check_orders, resolve_payer
from denialscope.policy.library import PolicyLibrary

__all__ = ["PREFETCH", "SERVICES", "create_app", "create_router"]

log = logging.getLogger("denialscope.policy.cds")

PREFETCH: Final = {
    "coverage": "Coverage?patient={{context.patientId}}&status=active",
}
SERVICES: Final = {
    "denialscope-order-select": {
        "hook": "order-select",
        "title": "Payer criteria for selected orders",
        "description": (
            "Prior authorization, coverage criteria (NCD/LCD, payer policy), covered diagnoses "
            "and the documentation the patient's payer expects, for the orders just selected."
        ),
    },
    "denialscope-order-sign": {
        "hook": "order-sign",
        "title": "Payer criteria before signing",
        "description": (
            "Checks every draft order against the payer's policies before signature: missing "
            "prior authorization, diagnoses the policy does not cover, documentation expected."
        ),
    },
}


def create_router(
    *,
    library: PolicyLibrary,
    include_info: bool = False,
    today: Callable[[], dt.date] = dt.date.today,
) -> APIRouter:
    """The ``/cds-services`` routes over one policy library."""
    router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])

    @router.get("")
    def discovery() -> dict[str, Any]:
        return {
            "services": [
                {**service, "id": service_id, "prefetch": dict(PREFETCH)}
                for service_id, service in SERVICES.items()
            ]
        }

    @router.post("/{service_id}")
    async def call(service_id: str, request: Request) -> JSONResponse:
        try:
            service = SERVICES.get(service_id)
            if service is None:
                raise NotFoundError(f"no CDS service {service_id!r}", service=service_id)
            body = await _json(request)
            parsed = parse_request(body, hook=service["hook"])
            payer = resolve_payer(library, payer=parsed.payer_id, kind=parsed.payer_kind)
            check = check_orders(library=library, payer=payer, orders=parsed.orders, on=today())
            cards = cards_for(check, hook_instance=parsed.hook_instance, include_info=include_info)
        except DenialscopeError as exc:
            log.info("cds %s refused (%s): %s", service_id, exc.http_status, exc.message)
            return JSONResponse(exc.to_dict(), status_code=exc.http_status)
        log.info(
            "cds %s instance=%s orders=%d skipped=%d payer_known=%s cards=%d",
            service_id, parsed.hook_instance, len(parsed.orders), parsed.skipped,
            payer.declared, len(cards),
        )  # fmt: skip
        return JSONResponse({"cards": cards})

    return router


def create_app(*, library: PolicyLibrary, include_info: bool = False) -> FastAPI:
    """A standalone application serving only the CDS Hooks routes."""
    app = FastAPI(title="denialscope CDS Hooks", docs_url=None, redoc_url=None)
    # EHRs running in the browser call CDS services cross-origin (CDS Hooks 2.0, "CORS").
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.include_router(create_router(library=library, include_info=include_info))
    return app


async def _json(request: Request) -> object:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        raise CdsRequestError(f"not JSON{where}", path="request body") from None
