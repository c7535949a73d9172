"""``denialscope serve``: the web application (FastAPI on uvicorn).

Behind a TLS-terminating reverse proxy, ``--forwarded-allow-ips`` names the proxy's address:
uvicorn then trusts its X-Forwarded-Proto/For headers, the application sees https (so its
cookies get the Secure flag) and the real client address (for throttling and the audit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings
from denialscope.web.access_log import QueryStringFilter, filter_access_log

if TYPE_CHECKING:
    import uvicorn

    from denialscope.settings import Settings

__all__ = ["QueryStringFilter", "default_workers", "register", "run_workers", "server"]


def server(settings: Settings, *, host: str, port: int, forwarded_allow_ips: str) -> uvicorn.Server:
    """The uvicorn server of ``denialscope serve`` (tests run it on a free port)."""
    import uvicorn

    from denialscope.web.app import create_app, tune_server_process

    tune_server_process()
    config = uvicorn.Config(
        create_app(settings=settings, warm_figures=True),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )
    filter_access_log()  # after Config: it installs uvicorn's logging, which this joins
    return uvicorn.Server(config)


def default_workers() -> int:
    """One server process per core, at most 4: twenty users at once on two cores wait half
    as long with two (docs/web.md "Latency"); past four, memory grows faster than speed."""
    import os

    return max(1, min(os.cpu_count() or 1, 4))


def run_workers(
    settings: Settings, *, host: str, port: int, forwarded_allow_ips: str, workers: int
) -> None:
    """``workers`` server processes on one socket (uvicorn's supervisor). Each builds the
    application from the environment (:func:`denialscope.web.app.app_from_environment`), so the
    settings travel as the two variables every command reads; the database is migrated here,
    once, before they start (two processes must not migrate at the same time)."""
    import os

    import uvicorn

    from denialscope.db.engine import open_database
    from denialscope.settings import DATA_DIR_ENV, DATABASE_URL_ENV

    engine, _factory = open_database(
        settings.database_url, migrate=True, lock_timeout_s=settings.lock_timeout_s
    )
    engine.dispose()
    os.environ[DATABASE_URL_ENV] = settings.database_url
    os.environ[DATA_DIR_ENV] = str(settings.data_dir)
    uvicorn.run(
        "denialscope.web.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )


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
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers",
                min=1,
                max=64,
                help="Server processes (default: one per core, at most 4; each keeps its own "
                "leaders' figures). 1 runs a single process.",
            ),
        ] = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Run the web application (FastAPI on uvicorn) on the configured database.

        Sign in with a user made by `denialscope users add`.
        """
        from denialscope.db.engine import redact_url

        settings = cli_settings(database, data_dir)
        typer.echo(f"denialscope on http://{host}:{port}/ ({redact_url(settings.database_url)})")
        if workers is None:
            workers = default_workers()
        if workers > 1:
            run_workers(
                settings,
                host=host,
                port=port,
                forwarded_allow_ips=forwarded_allow_ips,
                workers=workers,
            )
            return
        running = server(settings, host=host, port=port, forwarded_allow_ips=forwarded_allow_ips)
        running.run()
