"""User administration: ``/admin/users`` (+ ``.json``) lists the users; forms add one, change
a role, disable or enable, set a new password. Every change is a POST with the CSRF token and
is audited (web.users); a new password or disabling signs the user out everywhere."""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from denialscope.web.auth import AuthError
from denialscope.web.deps import DbSession, require
from denialscope.web.principal import Principal, Role
from denialscope.web.render import page_paths, respond
from denialscope.web.users import (
    Actor,
    add_user,
    list_users,
    set_disabled,
    set_password,
    set_role,
)

__all__ = ["router"]

router = APIRouter(tags=["administration"])

Admin = Annotated[Principal, Depends(require("administer"))]

# What the page says after a change (a code in the redirect, never text from the URL).
NOTICES: Final = {
    "added": "User {user} added.",
    "role": "Role of {user} changed.",
    "disabled": "{user} disabled and signed out everywhere.",
    "enabled": "{user} enabled.",
    "password": "Password of {user} changed; {user} was signed out everywhere.",
}


def _actor(request: Request, principal: Principal) -> Actor:
    return Actor(username=principal.username, role=principal.role.value, request=request)


def _page(
    request: Request, session: DbSession, *, error: str | None = None, notice: str | None = None
) -> Response:
    data = {"users": list_users(session=session)}
    context = {"roles": [role.value for role in Role], "error": error, "notice": notice}
    status = 400 if error else 200
    return respond(request, "admin_users/index.html.j2", data, context=context, status_code=status)


def _done(code: str, user: str) -> Response:
    return RedirectResponse(f"/admin/users?{urlencode({'done': code, 'user': user})}", 303)


@page_paths(router, "/admin/users", summary="The web application's users")
def users_page(
    request: Request,
    principal: Admin,
    session: DbSession,
    done: str | None = None,
    user: str | None = None,
) -> Response:
    template = NOTICES.get(done or "")
    notice = template.format(user=user) if template and user else None
    return _page(request, session, notice=notice)


@router.post("/admin/users", summary="Add a user (form: username, role, display_name, password)")
def add_user_form(
    request: Request,
    principal: Admin,
    session: DbSession,
    username: Annotated[str, Form()],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "",
) -> Response:
    try:
        added = add_user(
            session=session,
            actor=_actor(request, principal),
            username=username,
            role=role,
            password=password,
            display_name=display_name,
        )
    except AuthError as error:
        session.rollback()
        return _page(request, session, error=error.message)
    session.commit()
    return _done("added", added.username)


@router.post("/admin/users/{username}/role", summary="Change a user's role (form: role)")
def change_role(
    request: Request,
    principal: Admin,
    session: DbSession,
    username: str,
    role: Annotated[str, Form()],
) -> Response:
    try:
        set_role(session=session, actor=_actor(request, principal), username=username, role=role)
    except AuthError as error:
        session.rollback()
        return _page(request, session, error=error.message)
    session.commit()
    return _done("role", username)


@router.post("/admin/users/{username}/disable", summary="Disable a user (signed out everywhere)")
def disable_user(request: Request, principal: Admin, session: DbSession, username: str) -> Response:
    return _toggle(request, principal, session, username, disabled=True)


@router.post("/admin/users/{username}/enable", summary="Enable a disabled user")
def enable_user(request: Request, principal: Admin, session: DbSession, username: str) -> Response:
    return _toggle(request, principal, session, username, disabled=False)


def _toggle(
    request: Request, principal: Principal, session: DbSession, username: str, *, disabled: bool
) -> Response:
    try:
        set_disabled(
            session=session, actor=_actor(request, principal), username=username, disabled=disabled
        )
    except AuthError as error:
        session.rollback()
        return _page(request, session, error=error.message)
    session.commit()
    return _done("disabled" if disabled else "enabled", username)


@router.post(
    "/admin/users/{username}/password",
    summary="Set a user's password (form: password; signs the user out everywhere)",
)
def reset_password(
    request: Request,
    principal: Admin,
    session: DbSession,
    username: str,
    password: Annotated[str, Form()],
) -> Response:
    try:
        set_password(
            session=session, actor=_actor(request, principal), username=username, password=password
        )
    except AuthError as error:
        session.rollback()
        return _page(request, session, error=error.message)
    session.commit()
    return _done("password", username)
