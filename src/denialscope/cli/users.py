"""``denialscope users ...``: the web application's local users, for administrators.

A password is never a command-line argument (``ps`` would show it): it is asked for twice at
a hidden prompt, or read from standard input with ``--password-stdin`` (scripts). Every change
is written to the audit trail as ``cli:<os user>``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.options import (
    DatabaseOption,
    DataDirOption,
    JsonOption,
    cli_settings,
    open_session,
)

if TYPE_CHECKING:
    from denialscope.web.users import Actor

__all__ = ["register"]

PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from standard input (its first line)."
    ),
]
UserArgument = Annotated[str, typer.Argument(metavar="USER", help="The user name.")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _actor() -> Actor:
    import getpass

    from denialscope.web.users import Actor

    try:
        who = getpass.getuser()
    except OSError:  # no user name in this environment (a container without passwd entry)
        who = "unknown"
    return Actor(username=f"cli:{who}", role="cli")


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group."""
    users = typer.Typer(
        help="Web application users: add, change password, list, disable, enable.",
        no_args_is_help=True,
    )
    app.add_typer(users, name="users")

    @users.command("add")
    def add_command(
        username: UserArgument,
        role: Annotated[
            str,
            typer.Option(
                "--role", help="admin, leader, analyst, clinical, coder, access or biller."
            ),
        ],
        display_name: Annotated[
            str | None, typer.Option("--display-name", help="The name shown on the pages.")
        ] = None,
        password_stdin: PasswordStdinOption = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Add a user with a role (the password: prompted, or --password-stdin)."""
        from denialscope.web.users import add_user

        password = _password(password_stdin)
        with open_session(cli_settings(database, data_dir)) as session:
            added = add_user(
                session=session,
                actor=_actor(),
                username=username,
                role=role,
                password=password,
                display_name=display_name,
            )
            session.commit()
        typer.echo(f"added {added.username} ({added.role})")

    @users.command("passwd")
    def passwd_command(
        username: UserArgument,
        password_stdin: PasswordStdinOption = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Set a user's password (signs the user out everywhere, lifts a lock)."""
        from denialscope.web.users import set_password

        password = _password(password_stdin)
        with open_session(cli_settings(database, data_dir)) as session:
            ended = set_password(
                session=session, actor=_actor(), username=username, password=password
            )
            session.commit()
        typer.echo(f"password of {username} changed; {ended} session(s) signed out")

    @users.command("list")
    def list_command(
        as_json: JsonOption = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """List the users: role, enabled or not, locked by failed sign-ins."""
        from denialscope.output.jsonout import dumps
        from denialscope.web.users import list_users

        with open_session(cli_settings(database, data_dir)) as session:
            rows = list_users(session=session)
        if as_json:
            typer.echo(dumps(rows))
            return
        if not rows:
            typer.echo("no users yet: denialscope users add USER --role admin")
            return
        width = max(len(row.username) for row in rows)
        for row in rows:
            state = "disabled" if row.disabled else "enabled"
            if row.locked:
                state += ", locked"
            name = f"  {row.display_name}" if row.display_name else ""
            typer.echo(f"{row.username:<{width}}  {row.role:<8}  {state}{name}")

    def _set_disabled(
        username: str, disabled: bool, database: str | None, data_dir: Path | None
    ) -> None:
        from denialscope.web.users import set_disabled

        with open_session(cli_settings(database, data_dir)) as session:
            set_disabled(session=session, actor=_actor(), username=username, disabled=disabled)
            session.commit()

    @users.command("disable")
    def disable_command(
        username: UserArgument, database: DatabaseOption = None, data_dir: DataDirOption = None
    ) -> None:
        """Disable a user (signed out everywhere at once; the audit trail keeps the name)."""
        _set_disabled(username, True, database, data_dir)
        typer.echo(f"{username} disabled")

    @users.command("enable")
    def enable_command(
        username: UserArgument, database: DatabaseOption = None, data_dir: DataDirOption = None
    ) -> None:
        """Enable a disabled user again."""
        _set_disabled(username, False, database, data_dir)
        typer.echo(f"{username} enabled")
