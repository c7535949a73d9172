"""The order check in the browser: what the payer's policies ask of an order before it is
signed (prior authorization, covered diagnoses, criteria, documentation). The same service as
``denialscope policy check`` and the CDS Hooks service (:func:`policy.check.check_orders`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from denialscope.errors import InputError
from denialscope.policy.check import Order, check_orders, resolve_payer, resolve_setting
from denialscope.policy.library import organization_library
from denialscope.web.deps import require, settings_of
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond, wants_json

__all__ = ["router"]

router = APIRouter(tags=["order check"])

_SPLIT = re.compile(r"[\s,;]+")


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(code for code in _SPLIT.split(text or "") if code)


@page_paths(router, "/policy", summary="Order check against the payer policy library")
def order_check(
    request: Request,
    principal: Annotated[Principal, Depends(require("view_claims"))],
    codes: str | None = None,
    payer: str | None = None,
    payer_kind: str | None = None,
    dx: str | None = None,
    setting: str | None = None,
    date: str | None = None,
    auth: str | None = None,
) -> Response:
    library = organization_library(data_dir=settings_of(request).data_dir)
    asked = {"codes": codes, "payer": payer, "payer_kind": payer_kind, "dx": dx,
             "setting": setting, "date": date, "auth": auth}  # fmt: skip
    form = {name: value or "" for name, value in asked.items()}
    data: dict[str, Any] = {"form": form, "error": None, "check": None,
                            "example_library": library.is_example}  # fmt: skip
    if codes:
        try:
            on = dt.date.fromisoformat(date) if date else dt.date.today()
        except ValueError:
            data["error"] = f"date {date!r} is not a date (YYYY-MM-DD)"
            on = None
        try:
            if on is not None:
                who = resolve_payer(library, payer=payer, kind=payer_kind or None)
                place = resolve_setting(setting)
                orders = [Order(c, _codes(dx), place, None, auth or None) for c in _codes(codes)]
                data["check"] = check_orders(library=library, payer=who, orders=orders, on=on)
        except InputError as error:
            data["error"] = str(error)
    status = 400 if data["error"] and wants_json(request) else 200
    return respond(request, "policy/index.html.j2", data, status_code=status)
