"""Signing in and out, the front page, and who is signed in (``/session.json``).

Login errors say the same thing whether the user exists or not, so the form cannot be used
to find user names.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from denialscope.web.auth import SESSION_COOKIE, check_password, close_session, open_session
from denialscope.web.deps import DbSession, SignedIn, require
from denialscope.web.models import WebUser
from denialscope.web.principal import Principal
from denialscope.web.render import page_paths, respond, templates

__all__ = ["router"]

router = APIRouter(tags=["session"])

WRONG_LOGIN = "Unknown user name or wrong password."


def _login_page(request: Request, next: str, error: str | None, status_code: int = 200) -> Response:
    values = {"next": _safe_next(next), "error": error, "principal": None, "csrf_token": ""}
    return templates().TemplateResponse(request, "login.html.j2", values, status_code=status_code)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //host, no scheme): an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _home_of(principal: Principal) -> str:
    return "/dashboard" if principal.can("view_aggregates") else "/queue"


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next, None)


@router.post("/login", response_class=HTMLResponse, summary="Sign in (form)")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    session: DbSession,
    next: Annotated[str, Form()] = "/",
) -> Response:
    user = session.scalars(select(WebUser).where(WebUser.username == username)).one_or_none()
    if user is None or user.disabled or not check_password(password, user.password_hash):
        values = {
            "next": _safe_next(next),
            "error": WRONG_LOGIN,
            "principal": None,
            "csrf_token": "",
        }
        return templates().TemplateResponse(request, "login.html.j2", values, status_code=401)
    opened = open_session(session, user)
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout", summary="Sign out")
def logout(
    request: Request,
    _principal: Annotated[Principal, Depends(require("view_claims"))],
    session: DbSession,
) -> Response:
    close_session(session, request.cookies.get(SESSION_COOKIE))
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", include_in_schema=False)
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
