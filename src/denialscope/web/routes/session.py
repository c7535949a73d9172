"""Signing in and out, the front page, and who is signed in (``/session.json``).

Login errors say the same thing whether the user exists or not, so the form cannot be used
to find user names; throttling (auth.authenticate) answers alike for both too. The login form
carries its own CSRF token (double submit: a cookie set with the form and a hidden field), so
another site cannot sign a victim in to an account of its choosing.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from denialscope.web.audit import record, record_event
from denialscope.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    WRONG_LOGIN,
    LoginRefused,
    authenticate,
    close_session,
    new_login_csrf,
    open_session,
)
from denialscope.web.deps import DbSession, SignedIn, client_address, now_of, require
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond, templates

__all__ = ["WRONG_LOGIN", "router"]

router = APIRouter(tags=["session"])

EXPIRED_FORM = "The sign-in form expired: please sign in again."


def _secure(request: Request) -> bool:
    # https directly, or behind a proxy that uvicorn trusts (--forwarded-allow-ips).
    return request.url.scheme == "https"


def _login_page(request: Request, next: str, error: str | None, status_code: int = 200) -> Response:
    """The form with a fresh login CSRF token (in a cookie and in the form)."""
    token = new_login_csrf()
    values = {"next": _safe_next(next), "error": error, "principal": None, "csrf_token": token}
    response: Response = templates().TemplateResponse(
        request, "login.html.j2", values, status_code=status_code
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/login",
        max_age=3600,
    )
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //host, no scheme): an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _home_of(principal: Principal) -> str:
    return "/dashboard" if principal.can("view_aggregates") else "/queue"


@router.get("/login", response_class=HTMLResponse, summary="The sign-in form")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next, None)


@router.post("/login", response_class=HTMLResponse, summary="Sign in (form)")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    session: DbSession,
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not csrf_token or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, next, EXPIRED_FORM, status_code=403)
    now = now_of(request)
    try:
        user = authenticate(
            session, username=username, password=password, client=client_address(request), now=now
        )
    except LoginRefused as refused:
        # The name as typed, never the password; no role (the name may be nobody's).
        record_event(
            session,
            username=username.strip() or "(empty)",
            role="-",
            action="login_failed",
            subject_type="session",
            request=request,
            detail="throttled" if refused.locked else None,
            at=now,
        )
        session.commit()
        status = 429 if refused.locked else 401
        return _login_page(request, next, refused.message, status_code=status)
    opened = open_session(session, user, now=now, replacing=request.cookies.get(SESSION_COOKIE))
    record_event(
        session,
        username=user.username,
        role=user.role,
        action="login",
        subject_type="session",
        request=request,
        at=now,
    )
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", summary="Sign out")
def logout(
    request: Request,
    principal: Annotated[Principal, Depends(require("view_claims"))],
    session: DbSession,
) -> Response:
    close_session(session, request.cookies.get(SESSION_COOKIE))
    record(session, request, principal, action="logout", subject_type="session")
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", summary="The start page of the signed-in user's role (a redirect)")
def home(principal: SignedIn) -> Response:
    return RedirectResponse(_home_of(principal), status_code=303)


@page_paths(router, "/session", summary="The signed-in user, role, streams and CSRF token")
def whoami(request: Request, principal: SignedIn) -> Response:
    data = {
        "username": principal.username,
        "display_name": principal.display_name,
        "role": principal.role.value,
        "streams": sorted(principal.streams),
        "csrf_token": request.state.csrf_token,
    }
    return respond(request, "session.html.j2", data)
