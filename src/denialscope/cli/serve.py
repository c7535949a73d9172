"""``denialscope serve``: the web application (FastAPI on uvicorn).

Behind a TLS-terminating reverse proxy, ``--forwarded-allow-ips`` names the proxy's address:
uvicorn then trusts its X-Forwarded-Proto/For headers, the application sees https (so its
cookies get the Secure flag) and the real client address (for throttling and the audit).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings

if TYPE_CHECKING:
    import uvicorn

    from denialscope.settings import Settings

__all__ = ["QueryStringFilter", "register", "server"]


class QueryStringFilter(logging.Filter):
    """Drops the query string from uvicorn's access log lines: a search box's text (a
    patient's name typed into a filter) must not reach the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def server(settings: Settings, *, host: str, port: int, forwarded_allow_ips: str) -> uvicorn.Server:
    """The uvicorn server of ``denialscope serve`` (tests run it on a free port)."""
    import uvicorn

    from denialscope.web.app import create_app

    config = uvicorn.Config(
        create_app(settings=settings, warm_figures=True),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )
    # After Config: it installs uvicorn's logging configuration, which this filter joins.
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QueryStringFilter) for f in access.filters):
        access.addFilter(QueryStringFilter())
    return uvicorn.Server(config)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[
            str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
        forwarded_allow_ips: Annotated[
            str,
            typer.Option(
                "--forwarded-allow-ips",
                help="Comma-separated addresses of the reverse proxy whose X-Forwarded-* "
                "headers are trusted (https scheme, client address); '*' trusts any.",
            ),
        ] = "127.0.0.1",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Run the web application (FastAPI on uvicorn) on the configured database.

        Sign in with a user made by `denialscope users add`.
        """
        from denialscope.db.engine import redact_url

        settings = cli_settings(database, data_dir)
        running = server(settings, host=host, port=port, forwarded_allow_ips=forwarded_allow_ips)
        typer.echo(f"denialscope on http://{host}:{port}/ ({redact_url(settings.database_url)})")
        running.run()
