"""`denialscope users add|passwd|list|disable|enable`: passwords never as arguments, every
change audited, a new password or a disabled user signed out everywhere (both databases)."""

from __future__ import annotations

import json

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner, Result

from denialscope.cli import users as users_cli
from denialscope.db.engine import open_database
from denialscope.web.auth import AuthError, check_password, open_session
from denialscope.web.models import AuditEvent, WebSession, WebUser

PASSWORD = "a long enough secret"


def _app() -> typer.Typer:
    application = typer.Typer()
    users_cli.register(application)

    @application.callback()
    def _root() -> None:
        """Keeps `users` a named subcommand, as in the real app."""

    return application


def _run(url: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(_app(), ["users", *args, "--database", url], input=stdin)


def _rows(url: str) -> tuple[list[WebUser], list[AuditEvent], int]:
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            users = list(session.scalars(select(WebUser).order_by(WebUser.username)))
            audit = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
            sessions = len(list(session.scalars(select(WebSession))))
            session.expunge_all()
            return users, audit, sessions
    finally:
        engine.dispose()


def test_add_list_and_the_audit_trail(migrated_database_url: str) -> None:
    url = migrated_database_url
    added = _run(url, "add", "dana", "--role", "Leader", "--display-name", "Dana R",
                 "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.output.strip() == "added dana (leader)"
    listed = _run(url, "list", "--json")
    rows = json.loads(listed.output)
    assert [(r["username"], r["role"], r["disabled"], r["locked"]) for r in rows] == [
        ("dana", "leader", False, False)
    ]
    users, audit, _ = _rows(url)
    assert check_password(PASSWORD, users[0].password_hash)
    assert users[0].password_hash.startswith("$argon2id$")
    assert [(a.action, a.subject_type, a.subject_id, a.detail) for a in audit] == [
        ("user_add", "user", "dana", "role leader")
    ]
    assert audit[0].username.startswith("cli:") and PASSWORD not in (audit[0].detail or "")
    text = _run(url, "list").output
    assert text.split() == ["dana", "leader", "enabled", "Dana", "R"]


def test_the_password_prompt_asks_twice_and_hides_it(migrated_database_url: str) -> None:
    url = migrated_database_url
    result = _run(url, "add", "eve", "--role", "coder", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "Repeat for confirmation" in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "chief"], PASSWORD, "unknown role 'chief'"),
        (["--role", "coder"], "short", "at least 12 characters"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    migrated_database_url: str, args: list[str], stdin: str, message: str
) -> None:
    result = _run(migrated_database_url, "add", "sam", *args, "--password-stdin", stdin=stdin)
    assert isinstance(result.exception, AuthError)
    assert message in result.exception.message
    assert _rows(migrated_database_url)[0] == []


def test_a_taken_name_and_an_unknown_user_are_clear_errors(migrated_database_url: str) -> None:
    url = migrated_database_url
    _run(url, "add", "sam", "--role", "coder", "--password-stdin", stdin=PASSWORD)
    again = _run(url, "add", "sam", "--role", "coder", "--password-stdin", stdin=PASSWORD)
    assert isinstance(again.exception, AuthError)
    assert "already exists" in again.exception.message
    ghost = _run(url, "disable", "ghost")
    assert isinstance(ghost.exception, AuthError)
    assert "no user named 'ghost'" in ghost.exception.message


def test_passwd_and_disable_sign_the_user_out_everywhere(migrated_database_url: str) -> None:
    url = migrated_database_url
    _run(url, "add", "sam", "--role", "coder", "--password-stdin", stdin=PASSWORD)
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            user = session.scalars(select(WebUser)).one()
            open_session(session, user)
            open_session(session, user)
            session.commit()
    finally:
        engine.dispose()
    assert _rows(url)[2] == 2
    changed = _run(url, "passwd", "sam", "--password-stdin", stdin="another long secret\n")
    assert changed.output.strip() == "password of sam changed; 2 session(s) signed out"
    users, _, sessions = _rows(url)
    assert sessions == 0 and check_password("another long secret", users[0].password_hash)
    assert _run(url, "disable", "sam").output.strip() == "sam disabled"
    assert _rows(url)[0][0].disabled
    assert _run(url, "enable", "sam").output.strip() == "sam enabled"
    users, audit, _ = _rows(url)
    assert not users[0].disabled
    assert [a.action for a in audit] == ["user_add", "user_password", "user_disable", "user_enable"]


def test_list_without_users_says_how_to_add_one(migrated_database_url: str) -> None:
    result = _run(migrated_database_url, "list")
    assert result.output.strip() == "no users yet: denialscope users add USER --role admin"
