"""Alembic environment: runs the migrations on a connection that denialscope hands over
(``config.attributes["connection"]``, see ``denialscope.db.migrate``), or, when Alembic's
own command line is used, on the URL from ``sqlalchemy.url`` or denialscope's settings.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from denialscope.db.base import load_models
from denialscope.db.engine import make_engine

target_metadata = load_models()


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:  # denialscope's own migrate: no URL to resolve, nothing made
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:  # Alembic's own command line: the edge of the program, like the CLI
        from denialscope.settings import Settings

        url = Settings.resolve().database_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.begin() as own_connection:
            _configure(own_connection)
    finally:
        engine.dispose()


_run()
