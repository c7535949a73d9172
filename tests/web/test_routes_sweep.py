"""Every route of the application, as found in ``app.routes`` (so a page added later is
covered without touching this file), on both databases:

* signed out: 401 (the JSON twin, a write) or a redirect to the login form (a page);
* a role without the route's permission (read from its ``require(...)`` dependency): 403;
* a POST/PUT/PATCH/DELETE without the CSRF token: 403;
* ``/openapi.json`` documents every route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from denialscope.web.principal import Role, permission_matrix
from factories.web import ROLES, WebClients

# Open to everyone: the sign-in form, static files, plotly.js, the API description.
PUBLIC = ("/login", "/static", "/vendor", "/openapi.json", "/docs")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every APIRoute, including those of included routers (FastAPI keeps an included router
    as one entry of ``app.routes``; the OpenAPI builder walks it the same way)."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield route


def _routes(app: FastAPI) -> Iterator[tuple[APIRoute, str]]:
    for route in api_routes(app):
        if not route.path.startswith(PUBLIC):
            for method in sorted(route.methods - {"HEAD"}):
                yield route, method


def _concrete(path: str) -> str:
    # Any value for a path parameter: the refusal comes before the lookup.
    return re.sub(r"\{[^}]+\}", "1", path)


def _permission(route: APIRoute) -> str | None:
    """The permission of the route's require(...) dependency, searched at any depth."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        found = getattr(dependency.call, "permission", None)
        if isinstance(found, str):
            return found
        pending.extend(dependency.dependencies)
    return None


def _call(client: TestClient, method: str, path: str) -> Any:
    return client.request(method, path)


def signed_out_problems(web: WebClients) -> list[str]:
    client = web.anonymous()
    problems = []
    for route, method in _routes(web.app):
        path = _concrete(route.path)
        response = _call(client, method, path)
        if method == "GET" and not path.endswith(".json"):
            location = response.headers.get("location", "")
            if response.status_code != 303 or not location.startswith("/login"):
                problems.append(f"{method} {route.path}: {response.status_code} {location}")
        elif response.status_code != 401:
            problems.append(f"{method} {route.path}: {response.status_code}, not 401")
    # The JSON twin by Accept header is refused with 401 too.
    for route, method in _routes(web.app):
        if method == "GET" and not route.path.endswith(".json"):
            path = _concrete(route.path)
            status = client.get(path, headers={"Accept": "application/json"}).status_code
            if status != 401:
                problems.append(f"GET {route.path} (Accept: JSON): {status}, not 401")
    return problems


def role_problems(web: WebClients) -> tuple[list[str], int]:
    """Problems, and how many (route, role) refusals were checked."""
    clients = {role: web.as_role(role) for role in ROLES}
    matrix = permission_matrix()
    problems, checked = [], 0
    for route, method in _routes(web.app):
        permission = _permission(route)
        if permission is None:
            continue
        for role in ROLES:
            if Role(role) in matrix[permission]:
                continue
            checked += 1
            status = _call(clients[role], method, _concrete(route.path)).status_code
            if status != 403:
                problems.append(f"{method} {route.path} as {role}: {status}, not 403")
    return problems, checked


def csrf_problems(web: WebClients) -> tuple[list[str], int]:
    admin = web.as_role("admin")  # holds every permission: only the token is missing
    token = admin.headers.pop("X-CSRF-Token")
    problems, checked = [], 0
    for route, method in _routes(web.app):
        if method not in WRITES:
            continue
        checked += 1
        path = _concrete(route.path)
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            status = admin.request(method, path, headers=headers).status_code
            if status != 403:
                problems.append(f"{method} {route.path} {headers or 'no token'}: {status}")
    admin.headers["X-CSRF-Token"] = token
    return problems, checked


def test_signed_out_every_route_is_refused(web: WebClients) -> None:
    assert signed_out_problems(web) == []
    assert len(list(_routes(web.app))) >= 12  # the sweep sees the included routers' routes


def test_a_role_without_the_permission_gets_403_everywhere(web: WebClients) -> None:
    problems, checked = role_problems(web)
    assert problems == []
    assert checked >= 6 * 7  # the admin pages at least; every page added later adds its own


def test_every_write_needs_the_csrf_token(web: WebClients) -> None:
    problems, checked = csrf_problems(web)
    assert problems == []
    assert checked >= 1


def test_admin_holds_every_permission() -> None:
    # The CSRF sweep signs in as admin so that only the token is missing; administration
    # must not be locked out of any route either.
    for permission, roles in permission_matrix().items():
        assert Role.ADMIN in roles, permission


def test_the_sweep_notices_an_unguarded_route(web: WebClients) -> None:
    @web.app.get("/leaky.json")
    def leaky() -> dict[str, str]:
        return {"patient": "nobody"}

    @web.app.post("/leaky-write")
    def leaky_write() -> dict[str, str]:
        return {"changed": "yes"}

    assert "GET /leaky.json: 200, not 401" in signed_out_problems(web)
    assert any(p.startswith("POST /leaky-write") for p in csrf_problems(web)[0])


def test_openapi_documents_every_route(web: WebClients) -> None:
    schema = web.anonymous().get("/openapi.json").json()
    documented = {(path, method.upper()) for path, ops in schema["paths"].items() for method in ops}
    missing = [
        f"{method} {route.path}"
        for route, method in _routes(web.app)
        if (route.path, method) not in documented
    ]
    missing += [
        f"{method} {route.path}"
        for route in api_routes(web.app)
        if route.path == "/login"
        for method in route.methods
        if (route.path, method) not in documented
    ]
    assert missing == []
    assert len(documented) >= 15
