"""/admin/users on both databases: add, change role, disable/enable, new password, each a
POST with the CSRF token, audited, with clear refusals; and the same in Chromium (sign in as
admin through the form, add a user, sign in as that user, six wrong passwords lock)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories.browser import screenshot
from factories.web import PASSWORD, WebClients, login_form

NEW_PASSWORD = "a fresh long password"


def _users(admin: TestClient) -> dict[str, dict[str, Any]]:
    return {row["username"]: row for row in admin.get("/admin/users.json").json()["users"]}


def _actions(admin: TestClient) -> list[tuple[str, str | None, str | None]]:
    rows = admin.get("/admin/audit.json", params={"subject_type": "user"}).json()["rows"]
    return [(r["action"], r["subject_id"], r["detail"]) for r in reversed(rows)]


def test_an_admin_adds_a_user_who_can_then_sign_in(web: WebClients) -> None:
    admin = web.as_role("admin")
    form = {"username": "dana", "role": "clinical", "password": NEW_PASSWORD,
            "display_name": "Dana (CDI)"}  # fmt: skip
    added = admin.post("/admin/users", data=form)
    assert added.status_code == 303
    assert added.headers["location"] == "/admin/users?done=added&user=dana"
    page = admin.get(added.headers["location"])
    assert "User dana added." in page.text and "Dana (CDI)" in page.text
    assert _users(admin)["dana"]["role"] == "clinical"
    dana = web.anonymous()
    assert dana.post("/login", data=login_form(dana, "dana", NEW_PASSWORD)).status_code == 303
    assert dana.get("/session.json").json()["streams"] == ["clinical"]
    assert _actions(admin) == [("user_add", "dana", "role clinical")]
    assert _actions(admin)[0][0] == "user_add"


def test_role_disable_enable_and_password_are_audited(web: WebClients) -> None:
    admin = web.as_role("admin")
    coder = web.as_role("coder")
    assert admin.post("/admin/users/coder/role", data={"role": "biller"}).status_code == 303
    assert coder.get("/session.json").json()["streams"] == ["billing"]  # at once
    assert admin.post("/admin/users/coder/disable").status_code == 303
    assert coder.get("/session.json").status_code == 401
    assert _users(admin)["coder"]["disabled"] is True
    assert admin.post("/admin/users/coder/enable").status_code == 303
    new = {"password": NEW_PASSWORD}
    assert admin.post("/admin/users/coder/password", data=new).status_code == 303
    client = web.anonymous()
    assert client.post("/login", data=login_form(client, "coder", PASSWORD)).status_code == 401
    assert client.post("/login", data=login_form(client, "coder", NEW_PASSWORD)).status_code == 303
    assert _actions(admin) == [
        ("user_role", "coder", "role coder -> biller"),
        ("user_disable", "coder", "1 session(s) ended"),
        ("user_enable", "coder", None),
        ("user_password", "coder", "0 session(s) ended"),
    ]


def test_refusals_are_clear_and_store_nothing(web: WebClients) -> None:
    admin = web.as_role("admin")
    short = admin.post(
        "/admin/users", data={"username": "eve", "role": "coder", "password": "short"}
    )
    assert short.status_code == 400 and "at least 12 characters" in short.text
    taken = admin.post(
        "/admin/users", data={"username": "admin", "role": "coder", "password": NEW_PASSWORD}
    )
    assert taken.status_code == 400 and "already exists" in taken.text
    bad_role = admin.post("/admin/users/admin/role", data={"role": "owner"})
    assert bad_role.status_code == 400 and "unknown role" in bad_role.text
    ghost = admin.post("/admin/users/ghost/disable")
    assert ghost.status_code == 400 and "no user named" in ghost.text
    own = admin.post("/admin/users/admin/disable")
    assert own.status_code == 400 and "your own account" in own.text
    assert set(_users(admin)) == {"admin"}
    assert _actions(admin) == []


def test_user_administration_in_chromium(page_as: Any, browser: Any, live_demo: Any) -> None:
    admin = page_as("admin")
    admin.goto("/admin/users")
    admin.fill("#new-username", "ursula")
    admin.fill("#new-display", "Ursula (UR)")
    admin.select_option("#new-role", "clinical")
    admin.fill("#new-password", NEW_PASSWORD)
    admin.click("text=Add user")
    admin.wait_for_load_state("networkidle")
    assert "User ursula added." in admin.content()
    screenshot(admin, "admin-users")

    context = browser.new_context(base_url=live_demo.base_url)
    try:
        page = context.new_page()
        page.goto("/session")
        assert "/login" in page.url  # signed out: the form
        page.fill("#username", "ursula")
        page.fill("#password", NEW_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Signed in as Ursula (UR)" in page.content()
        page.click("text=Sign out")
        page.wait_for_load_state("networkidle")
        for _ in range(6):
            page.fill("#username", "ursula")
            page.fill("#password", "not the password")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
        assert "Too many failed sign-ins" in page.content()
        page.fill("#username", "ursula")
        page.fill("#password", NEW_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Too many failed sign-ins" in page.content()  # locked, even the right one
        screenshot(page, "login-locked")
    finally:
        context.close()
    admin.goto("/admin/users")
    assert "locked (failed sign-ins)" in admin.content()
    admin.goto("/admin/audit?user=ursula")
    assert "login_failed" in admin.content()
    screenshot(admin, "admin-audit")
