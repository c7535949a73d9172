"""Every page has a JSON twin from the same service call.

A route builds its data once (a service result: a dataclass or a dict) and returns
:func:`respond`: the JSON twin when the path ends in ``.json`` or the client asks for
``application/json`` first, else the Jinja2 page with the data. :func:`page_paths` registers
both paths of a page on a router.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from denialscope.output.jsonout import dumps
from denialscope.output.values import display
from denialscope.web.nav import nav_for

__all__ = [
    "JSON_MEDIA_TYPE",
    "data_json",
    "page_paths",
    "respond",
    "templates",
    "wants_json",
]

JSON_MEDIA_TYPE = "application/json"
F = TypeVar("F", bound=Callable[..., Any])


def wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].split(";")[0].strip()
    return first == JSON_MEDIA_TYPE


def _money(value: Any) -> str:
    return display("amount", value)


def _pct(value: Any) -> str:
    return display("rate", value)


def _count(value: Any) -> str:
    return display("count", value)


@cache
def templates() -> Jinja2Templates:
    folder = str(resources.files("denialscope.web").joinpath("templates"))
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money  # $1,234.50
    env.filters["pct"] = _pct  # 0.1234 -> 12.3%
    env.filters["count"] = _count  # 12,345
    env.filters["display"] = lambda value, key: display(key, value)  # by the key's meaning
    env.globals["nav_for"] = nav_for
    return Jinja2Templates(env=env)


def respond(
    request: Request,
    template: str,
    data: Any,
    *,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    json_body: str | None = None,
) -> Response:
    """``data`` as JSON (the twin) or rendered into ``template`` (which sees ``data``,
    and ``context``'s keys: charts come built as figure JSON from ``web/charts.py``)."""
    if wants_json(request):
        body = dumps(data) if json_body is None else json_body  # serialized once, kept
        return Response(body, media_type=JSON_MEDIA_TYPE, status_code=status_code)
    values = {
        "request": request,
        "data": data,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        **(context or {}),
    }
    response: HTMLResponse = templates().TemplateResponse(
        request, template, values, status_code=status_code
    )
    return response


def data_json(data: Any) -> Callable[[], str]:
    """What builds the JSON twin of ``data`` (for :func:`denialscope.web.figures.page_part`)."""
    return lambda: dumps(data)


def page_paths(router: APIRouter, path: str, **options: Any) -> Callable[[F], F]:
    """Register a GET page at ``path`` and its JSON twin at ``path + ".json"``."""

    def decorate(function: F) -> F:
        name = function.__name__
        # The twin first: "/claims/{claim_id}" would otherwise take "/claims/7.json".
        router.get(f"{path}.json", operation_id=f"{name}_json", **options)(function)
        router.get(path, response_class=HTMLResponse, operation_id=f"{name}_page", **options)(
            function
        )
        return function

    return decorate
