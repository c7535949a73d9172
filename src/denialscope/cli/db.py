"""``denialscope db``: migrate the database, show its revision and where it is."""

from __future__ import annotations

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings

__all__ = ["register"]


def upgrade(database: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Migrate the database to the newest schema (creates it when empty)."""
    from denialscope.db.engine import open_database, redact_url
    from denialscope.db.migrate import current_revision

    settings = cli_settings(database, data_dir)
    engine, _ = open_database(
        settings.database_url, migrate=True, lock_timeout_s=settings.lock_timeout_s
    )
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    typer.echo(f"{redact_url(engine.url)}: at revision {revision} (newest)")


def current(database: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Show the database's schema revision and whether it is the newest."""
    from denialscope.db.engine import open_database, redact_url
    from denialscope.db.migrate import current_revision, head_revision

    settings = cli_settings(database, data_dir)
    engine, _ = open_database(
        settings.database_url, migrate=False, lock_timeout_s=settings.lock_timeout_s
    )
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


def url(database: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Show which database denialscope uses (password hidden); creates nothing."""
    from denialscope.db.engine import redact_url

    typer.echo(redact_url(cli_settings(database, data_dir, create=False).database_url))


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(
        help="The database: migrate it, show its revision and its URL.", no_args_is_help=True
    )
    db_app.command("upgrade")(upgrade)
    db_app.command("current")(current)
    db_app.command("url")(url)
    app.add_typer(db_app, name="db")
