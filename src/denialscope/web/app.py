"""The web application: ``create_app(settings=...)`` builds it; ``denialscope serve`` runs it.

Layout of this package (a newcomer's map):

* ``app.py`` — this factory: database, routers, static files, error pages, security headers;
* ``auth.py`` — the one place identity is established (local users, sessions);
* ``principal.py`` + ``permissions.yaml`` — roles, streams and the permission matrix;
* ``deps.py`` — what routes ask for: ``require("permission")``, ``db_session``, CSRF;
* ``render.py`` — a page and its JSON twin from one service call;
* ``audit.py`` — the append-only audit trail; ``models.py`` its tables and the users';
* ``routes/`` — one module per page group, each with a ``router``;
* ``templates/`` (Jinja2) and ``static/`` (our CSS and JavaScript). plotly.js is served from
  the installed plotly wheel: nothing is loaded from another host.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from denialscope.db.failures import database_failure
from denialscope.errors import DatabaseError
from denialscope.settings import Settings
from denialscope.web.deps import Forbidden, NotSignedIn
from denialscope.web.figures import FigureWarmer
from denialscope.web.figures import install as install_figures
from denialscope.web.render import respond, wants_json
from denialscope.web.routes import ROUTE_MODULES
from denialscope.web.view_audit import ViewRecorder

__all__ = ["CONTENT_SECURITY_POLICY", "app_from_environment", "create_app"]

log = logging.getLogger(__name__)

# Everything from this origin only; plotly sets inline styles on its SVG, hence 'unsafe-inline'
# for styles (never for scripts). frame-ancestors: no other site may frame a PHI screen.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


# Errors a browser page shows as a page, with their title.
PAGE_ERRORS: Final = {400: "Cannot show this", 404: "Not found", 409: "Conflict", 413: "Too large"}


def _plotly_js() -> bytes:
    return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_bytes()


def create_app(*, settings: Settings, warm_figures: bool = False) -> FastAPI:
    """The application on ``settings.database_url`` (migrated on start). ``warm_figures``
    (``denialscope serve``) keeps the leaders' figures computed in a background thread
    (:mod:`denialscope.web.figures`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from denialscope.db.engine import open_database

        engine, factory = open_database(
            settings.database_url, migrate=True, lock_timeout_s=settings.lock_timeout_s
        )
        app.state.engine = engine
        app.state.session_factory = factory
        # Views audited in groups (one transaction for the views waiting): web.view_audit.
        app.state.view_audit = ViewRecorder(factory, timeout_s=settings.lock_timeout_s)
        app.state.view_audit.start()
        warmer = FigureWarmer(app) if warm_figures else None
        if warmer is not None:
            warmer.start()
        try:
            yield
        finally:
            if warmer is not None:
                warmer.stop()
            app.state.view_audit.stop()
            engine.dispose()

    app = FastAPI(
        title="denialscope",
        description="Claim denial analytics, prevention and appeals. Every page has a JSON "
        "twin (the same path with .json, or Accept: application/json).",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    install_figures(app)
    for name in ROUTE_MODULES:
        module = importlib.import_module(f"denialscope.web.routes.{name}")
        app.include_router(module.router)

    static = resources.files("denialscope.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    plotly_js = _plotly_js()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_script() -> Response:
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(plotly_js, media_type="text/javascript", headers=headers)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _error: NotSignedIn) -> Response:
        if request.method == "GET" and not wants_json(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return JSONResponse({"error": "sign in first"}, status_code=401)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> Response:
        if wants_json(request) or request.method != "GET":
            return JSONResponse({"error": error.reason}, status_code=403)
        return respond(
            request,
            "error.html.j2",
            {"title": "Not allowed", "error": error.reason},
            status_code=403,
        )

    async def database_busy(request: Request, error: Exception) -> Response:
        # A lock not granted in time, a full disk: the transaction was rolled back and
        # nothing was shown or stored. Said plainly (503), never a traceback; any other
        # database failure stays the server error it is.
        failure = (
            error
            if isinstance(error, DatabaseError)
            else database_failure(error, lock_timeout_s=settings.lock_timeout_s)
        )
        if failure is None:
            raise error
        log.warning("request %s refused: %s", request.url.path, failure.message)
        if wants_json(request) or request.method != "GET":
            return JSONResponse({"error": failure.message}, status_code=503)
        data = {"title": "Database busy", "error": failure.message}
        return respond(request, "error.html.j2", data, status_code=503)

    for failure_type in (DatabaseError, sa_exc.DBAPIError, sqlite3.OperationalError):
        app.add_exception_handler(failure_type, database_busy)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        # A page asked by a browser gets a page (a bad filter, an unknown claim); the JSON
        # twin and every other client keep FastAPI's {"detail": ...}.
        if request.method == "GET" and not wants_json(request) and error.status_code in PAGE_ERRORS:
            data = {"title": PAGE_ERRORS[error.status_code], "error": str(error.detail)}
            return respond(request, "error.html.j2", data, status_code=error.status_code)
        return await http_exception_handler(request, error)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.path != "/static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # pages hold PHI: never cached
        return response

    return app


# How long a thread may keep the interpreter before one waiting for it is let in (Python's
# default: 5 ms). SQLite releases the interpreter around every statement, so a request
# running thirty statements beside threads rendering pages waits for it up to thirty times:
# measured with 4 busy threads, 30 indexed reads took 219 ms (median) at 5 ms, 15 ms at 1 ms
# (benchmarks/bench_switch_interval.py). Among them the writer holding the database's write
# lock, which every other writer waits for.
SERVER_SWITCH_INTERVAL_S: Final = 0.001


def tune_server_process() -> None:
    """What a ``denialscope serve`` process sets before it answers (not the tests' apps)."""
    sys.setswitchinterval(SERVER_SWITCH_INTERVAL_S)


def app_from_environment() -> FastAPI:
    """The application of one ``denialscope serve --workers N`` process: the settings from
    the environment the command set, the figures kept warm, the access log filtered."""
    from denialscope.web.access_log import filter_access_log

    filter_access_log()
    tune_server_process()
    return create_app(settings=Settings.resolve(create=False), warm_figures=True)
