"""``denialscope db``: migrate the database, show its revision and where it is."""

from __future__ import annotations

import typer

from denialscope import settings
from denialscope.cli.options import DatabaseOption
from denialscope.db.engine import open_database, redact_url
from denialscope.db.migrate import current_revision, head_revision

__all__ = ["register"]


def upgrade(database: DatabaseOption = None) -> None:
    """Migrate the database to the newest schema (creates it when empty)."""
    engine, _ = open_database(database, migrate=True)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    typer.echo(f"{redact_url(engine.url)}: at revision {revision} (newest)")


def current(database: DatabaseOption = None) -> None:
    """Show the database's schema revision and whether it is the newest."""
    engine, _ = open_database(database, migrate=False)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    if revision == head:
        state = "up to date"
    elif revision is None:
        state = f"empty: run `denialscope db upgrade` to create revision {head}"
    else:
        state = f"behind {head}: run `denialscope db upgrade`"
    typer.echo(f"{redact_url(engine.url)}: revision {revision or '(none)'} ({state})")


def url(database: DatabaseOption = None) -> None:
    """Show which database denialscope uses (password hidden)."""
    typer.echo(redact_url(settings.database_url(database)))


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(
        help="The database: migrate it, show its revision and its URL.", no_args_is_help=True
    )
    db_app.command("upgrade")(upgrade)
    db_app.command("current")(current)
    db_app.command("url")(url)
    app.add_typer(db_app, name="db")
