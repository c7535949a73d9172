"""Signed-in test clients for the web application, one per role, on a real database.

``WebClients(url, data_dir).as_role("coder")`` creates the user ``coder`` (password
:data:`PASSWORD`) if needed, signs in through the login form like a browser, and returns a
``TestClient`` that sends the session's CSRF token with every request (as the pages' forms
and app.js do). ``anonymous()`` is signed out. ``close()`` ends them all.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.settings import Settings
from denialscope.web.app import create_app
from denialscope.web.auth import LOGIN_CSRF_COOKIE, hash_password
from denialscope.web.models import WebUser
from denialscope.web.principal import Role

__all__ = ["PASSWORD", "ROLES", "WebClients", "add_user", "login_form"]

PASSWORD = "correct horse battery"
ROLES: tuple[str, ...] = tuple(role.value for role in Role)


def add_user(url: str, username: str, role: str, password: str = PASSWORD) -> None:
    """A local user, straight into the database (the users CLI is tested on its own)."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            if session.scalars(select(WebUser).where(WebUser.username == username)).first():
                return
            session.add(
                WebUser(
                    username=username, role=Role(role).value, password_hash=hash_password(password)
                )
            )
            session.commit()
    finally:
        engine.dispose()


def login_form(client: TestClient, username: str, password: str) -> dict[str, str]:
    """The login form's fields as a browser sends them: GET /login first (it sets the login
    CSRF cookie the form's hidden field must match)."""
    client.get("/login")
    token = client.cookies.get(LOGIN_CSRF_COOKIE) or ""
    return {"username": username, "password": password, "csrf_token": token}


class WebClients:
    def __init__(self, url: str, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.settings = Settings(data_dir=data_dir, database_url=url)
        self.app = create_app(settings=self.settings)
        self._open: list[TestClient] = []

    def _client(self) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        client.__enter__()  # runs the lifespan: the app opens its database
        self._open.append(client)
        return client

    def anonymous(self) -> TestClient:
        return self._client()

    def as_user(self, username: str, role: str) -> TestClient:
        add_user(self.url, username, role)
        client = self._client()
        response = client.post("/login", data=login_form(client, username, PASSWORD))
        assert response.status_code == 303, response.text
        token = client.get("/session.json").json()["csrf_token"]
        client.headers["X-CSRF-Token"] = token
        return client

    def as_role(self, role: str) -> TestClient:
        return self.as_user(role, role)

    def close(self) -> None:
        for client in self._open:
            client.__exit__(None, None, None)
        self._open.clear()
