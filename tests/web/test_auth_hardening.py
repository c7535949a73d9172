"""Sign-in hardening on both databases: throttling that does not reveal who exists, expiry
with an injected clock, logout everywhere, login CSRF, Secure cookies over https, no session
fixation, and the audit rows of signing in and out."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from denialscope.db.base import utcnow
from denialscope.db.engine import open_database
from denialscope.web.auth import (
    CLIENT_FAILURE_LIMIT,
    LOCKOUT,
    SESSION_COOKIE,
    SESSION_IDLE,
    SESSION_LIFETIME,
    USER_FAILURE_LIMIT,
    AuthError,
    hash_password,
)
from denialscope.web.models import AuditEvent
from denialscope.web.users import Actor, set_disabled, set_password
from factories.web import PASSWORD, WebClients, add_user, login_form


class Clock:
    """The application's clock, moved by the test (never a sleep)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(web: WebClients) -> Clock:
    ticking = Clock()
    web.app.state.clock = ticking
    return ticking


def _sign_in(client: TestClient, username: str, password: str) -> int:
    return client.post("/login", data=login_form(client, username, password)).status_code


def _audit(web: WebClients) -> list[AuditEvent]:
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def test_five_failures_lock_a_name_alike_whether_it_exists_or_not(
    web: WebClients, clock: Clock
) -> None:
    add_user(web.url, "leader", "leader")
    answers: dict[str, list[tuple[int, str]]] = {}
    for name in ("leader", "ghost"):
        client = web.anonymous()
        answers[name] = []
        for _ in range(USER_FAILURE_LIMIT + 1):
            response = client.post("/login", data=login_form(client, name, "wrong password!"))
            answers[name].append((response.status_code, _message(response.text)))
    assert answers["leader"] == answers["ghost"]
    statuses = [status for status, _ in answers["leader"]]
    assert statuses == [401] * (USER_FAILURE_LIMIT - 1) + [429, 429]
    assert "Too many failed sign-ins" in answers["leader"][-1][1]
    # Locked: the right password is refused too, with the same words.
    assert _sign_in(web.anonymous(), "leader", PASSWORD) == 429
    # The lock holds in the database: a second application on the same database sees it.
    other = WebClients(web.url, web.settings.data_dir)
    other.app.state.clock = clock
    try:
        assert _sign_in(other.anonymous(), "leader", PASSWORD) == 429
    finally:
        other.close()
    clock.advance(LOCKOUT + dt.timedelta(seconds=1))
    assert _sign_in(web.anonymous(), "leader", PASSWORD) == 303


def test_a_success_forgets_the_names_failures(web: WebClients, clock: Clock) -> None:
    add_user(web.url, "coder", "coder")
    client = web.anonymous()
    for _ in range(USER_FAILURE_LIMIT - 1):
        assert _sign_in(client, "coder", "wrong password!") == 401
    assert _sign_in(client, "coder", PASSWORD) == 303
    assert _sign_in(web.anonymous(), "coder", "wrong password!") == 401  # counting from 1 again


def test_one_address_trying_many_names_is_locked(web: WebClients, clock: Clock) -> None:
    add_user(web.url, "biller", "biller")
    client = web.anonymous()
    for number in range(CLIENT_FAILURE_LIMIT):
        _sign_in(client, f"guess{number}", "wrong password!")
    assert _sign_in(client, "biller", PASSWORD) == 429  # the address, not the name, is locked
    clock.advance(LOCKOUT + dt.timedelta(seconds=1))
    assert _sign_in(client, "biller", PASSWORD) == 303


def _message(html: str) -> str:
    start = html.index('role="alert">') + len('role="alert">')
    return html[start : html.index("<", start)]


def test_an_idle_session_ends(web: WebClients, clock: Clock) -> None:
    client = web.as_role("analyst")
    clock.advance(SESSION_IDLE - dt.timedelta(seconds=1))
    assert client.get("/session.json").status_code == 200  # used: the idle time restarts
    clock.advance(SESSION_IDLE - dt.timedelta(seconds=1))
    assert client.get("/session.json").status_code == 200
    clock.advance(SESSION_IDLE)
    assert client.get("/session.json").status_code == 401
    clock.advance(dt.timedelta(seconds=-SESSION_IDLE.total_seconds()))
    assert client.get("/session.json").status_code == 401  # removed, not only refused


def test_a_session_ends_after_its_lifetime_however_busy(web: WebClients, clock: Clock) -> None:
    client = web.as_role("analyst")
    step = SESSION_IDLE - dt.timedelta(minutes=1)
    used = dt.timedelta()
    while used + step < SESSION_LIFETIME:
        clock.advance(step)
        used += step
        assert client.get("/session.json").status_code == 200, used
    clock.advance(SESSION_LIFETIME - used)
    assert client.get("/session.json").status_code == 401


@pytest.mark.parametrize("change", ["password", "disable"])
def test_a_new_password_or_disabling_signs_out_everywhere(web: WebClients, change: str) -> None:
    first = web.as_role("coder")
    second = web.as_user("coder", "coder")
    bystander = web.as_role("biller")
    engine, factory = open_database(web.url, migrate=False)
    actor = Actor(username="admin", role="admin")
    try:
        with factory() as session:
            if change == "password":
                assert (
                    set_password(
                        session=session,
                        actor=actor,
                        username="coder",
                        password="a new long password",
                    )
                    == 2
                )
            else:
                set_disabled(session=session, actor=actor, username="coder", disabled=True)
            session.commit()
    finally:
        engine.dispose()
    assert first.get("/session.json").status_code == 401
    assert second.get("/session.json").status_code == 401
    assert bystander.get("/session.json").status_code == 200
    expected = 303 if change == "password" else 401
    password = "a new long password" if change == "password" else PASSWORD
    assert _sign_in(web.anonymous(), "coder", password) == expected


def test_the_login_form_needs_its_own_csrf_token(web: WebClients) -> None:
    add_user(web.url, "leader", "leader")
    client = web.anonymous()
    fields = {"username": "leader", "password": PASSWORD}
    assert client.post("/login", data=fields).status_code == 403  # no cookie, no field
    form = login_form(client, "leader", PASSWORD)
    forged = client.post("/login", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 403 and "expired" in forged.text
    assert SESSION_COOKIE not in client.cookies
    fresh = client.get("/login")
    assert 'name="csrf_token"' in fresh.text and "HttpOnly" in fresh.headers["set-cookie"]
    assert _sign_in(client, "leader", PASSWORD) == 303


def test_cookies_are_secure_over_https_only(web: WebClients) -> None:
    add_user(web.url, "leader", "leader")
    with TestClient(web.app, base_url="https://testserver", follow_redirects=False) as tls:
        signed_in = tls.post("/login", data=login_form(tls, "leader", PASSWORD))
        cookie = signed_in.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    plain = web.anonymous()
    response = plain.post("/login", data=login_form(plain, "leader", PASSWORD))
    assert "Secure" not in response.headers["set-cookie"]


def test_signing_in_replaces_a_planted_session_token(web: WebClients) -> None:
    attacker = web.as_role("analyst")
    planted = attacker.cookies[SESSION_COOKIE]
    add_user(web.url, "leader", "leader")
    victim = web.anonymous()
    victim.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    assert _sign_in(victim, "leader", PASSWORD) == 303
    assert victim.cookies[SESSION_COOKIE] != planted
    assert victim.get("/session.json").json()["username"] == "leader"
    assert attacker.get("/session.json").status_code == 401  # the planted token is dead


def test_sign_in_sign_out_and_failures_are_audited_without_the_password(
    web: WebClients,
) -> None:
    client = web.as_role("leader")
    client.post("/logout")
    _sign_in(web.anonymous(), "leader", "Wrong-Password-42")
    _sign_in(web.anonymous(), "nobody", "Wrong-Password-42")
    rows = _audit(web)
    assert [(r.username, r.role, r.action, r.subject_type) for r in rows] == [
        ("leader", "leader", "login", "session"),
        ("leader", "leader", "logout", "session"),
        ("leader", "-", "login_failed", "session"),
        ("nobody", "-", "login_failed", "session"),
    ]
    for row in rows:
        values = [row.detail, row.path, row.subject_id, row.client]
        assert not any("Wrong-Password-42" in (value or "") for value in values)
        assert row.client == "testclient"


def test_passwords_are_argon2id_and_at_least_12_characters() -> None:
    assert hash_password("twelve chars").startswith("$argon2id$")
    with pytest.raises(AuthError, match="at least 12 characters"):
        hash_password("eleven char")
