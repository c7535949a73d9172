"""What a route asks of the request: a database session, the settings, the signed-in user
with one permission, and (for every state-changing request) a matching CSRF token.

Every data route declares ``principal: Principal = Depends(require("permission"))``. No
session gives 401 (a page redirects to the login form); a role without the permission, 403.
A POST/PUT/PATCH/DELETE must carry the session's CSRF token in the ``X-CSRF-Token`` header or
the ``csrf_token`` form field, else 403.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from denialscope.db.base import utcnow
from denialscope.settings import Settings
from denialscope.web.auth import SESSION_COOKIE, session_principal
from denialscope.web.principal import Principal, permission_matrix

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "DbSession",
    "Forbidden",
    "NotSignedIn",
    "SignedIn",
    "client_address",
    "current_principal",
    "db_session",
    "now_of",
    "require",
    "settings_of",
]

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(Exception):
    """No live session: 401, or a redirect to the login form for a page."""


class Forbidden(Exception):
    """Signed in, but not allowed: 403."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def now_of(request: Request) -> dt.datetime:
    """The application's clock: ``app.state.clock`` when a test set one, else the time now
    (expiry and throttling are tested with an injected clock, never by waiting)."""
    clock: Callable[[], dt.datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def client_address(request: Request) -> str | None:
    """The client's address (behind a proxy, as uvicorn's --forwarded-allow-ips trusts it)."""
    return request.client.host if request.client else None


def db_session(request: Request) -> Iterator[Session]:
    """One database session per request; committed by the route when it writes."""
    with request.app.state.session_factory() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


def current_principal(request: Request, session: DbSession) -> Principal:
    found = session_principal(session, request.cookies.get(SESSION_COOKIE), now=now_of(request))
    session.rollback()  # end the read; session_principal committed any write itself
    if found is None:
        raise NotSignedIn()
    principal, csrf = found
    request.state.principal = principal
    request.state.csrf_token = csrf
    return principal


async def _check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = getattr(request.state, "csrf_token", None)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # Starlette keeps it: the route reads the same form
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")


# Signed in, whatever the role (the front page, one's own session).
SignedIn = Annotated[Principal, Depends(current_principal)]


def require(permission: str) -> Callable[..., Any]:
    """A dependency: the signed-in principal holding ``permission`` (CSRF checked on writes).

    Use it as ``principal: Annotated[Principal, Depends(require("view_claims"))]``.
    """

    if permission not in permission_matrix():
        raise KeyError(f"unknown permission {permission!r} (web/permissions.yaml)")

    async def dependency(request: Request, principal: SignedIn) -> Principal:
        if not principal.can(permission):
            action = permission.replace("_", " ")
            raise Forbidden(f"the {principal.role.value} role may not {action}")
        await _check_csrf(request)
        # No write lock here: a route that runs a service with its own sessions (ingest of an
        # upload, reclassify) would wait for its own request. A route that reads then writes
        # calls db.locks.begin_writing first; audit.record does it for its row.
        return principal

    # The route sweep test reads it: which permission guards a route (tests/web).
    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
