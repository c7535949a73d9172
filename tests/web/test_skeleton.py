"""The application's frame: sign in, the JSON twin, 401/403, CSRF, no other host."""

from __future__ import annotations

import re
from typing import Any

from factories.browser import screenshot
from factories.web import WebClients, login_form


def test_signed_out_data_is_refused_and_pages_redirect_to_login(web: WebClients) -> None:
    client = web.anonymous()
    assert client.get("/session.json").status_code == 401
    page = client.get("/session")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/session"


def test_sign_in_gives_the_role_and_a_csrf_token(web: WebClients) -> None:
    client = web.as_role("coder")
    me = client.get("/session.json").json()
    assert me["role"] == "coder"
    assert me["streams"] == ["coding"]
    assert len(me["csrf_token"]) > 20


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    web: WebClients,
) -> None:
    web.as_role("leader")
    client = web.anonymous()
    wrong = client.post("/login", data=login_form(client, "leader", "nope nope nope"))
    unknown = client.post("/login", data=login_form(client, "ghost", "nope nope nope"))
    assert wrong.status_code == unknown.status_code == 401
    assert "Unknown user name or wrong password." in wrong.text
    assert "Unknown user name or wrong password." in unknown.text


def test_a_post_without_the_csrf_token_is_refused(web: WebClients) -> None:
    client = web.as_role("leader")
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/session.json").status_code == 401  # signed out for real


def test_pages_load_nothing_from_another_host(web: WebClients) -> None:
    client = web.as_role("leader")
    page = client.get("/session")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    assert client.get("/vendor/plotly.min.js").status_code == 200


def test_the_login_page_in_chromium(page_as: Any) -> None:
    page = page_as("analyst")
    page.goto("/session")
    assert "Signed in as analyst" in page.content()
    screenshot(page, "session")


def test_a_browser_gets_a_page_for_a_bad_request_and_json_clients_get_json(
    web: WebClients,
) -> None:
    client = web.as_role("leader")
    page = client.get("/dashboard?period=2025-13")
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "Cannot show this" in page.text and "period" in page.text
    twin = client.get("/dashboard.json?period=2025-13")
    assert twin.status_code == 400 and "period" in twin.json()["detail"]
    missing = client.get("/claims/999999")
    assert missing.status_code == 404 and "Not found" in missing.text
