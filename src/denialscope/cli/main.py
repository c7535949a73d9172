"""The ``denialscope`` command: a thin shell over the services.

Each command lives in its own module with a ``register(app)`` function; this file only
assembles them and turns a :class:`DenialscopeError` into a clear message and exit code 1.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import typer

from denialscope.errors import DenialscopeError

__all__ = ["app", "main"]

app = typer.Typer(
    name="denialscope",
    help="Claim denial analytics: read 835/837 files, classify denials, act on them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Commands in the order `--help` lists them.
COMMAND_MODULES = [
    "denialscope.cli.demo",
    "denialscope.cli.parse",
    "denialscope.cli.ingest",
    "denialscope.cli.codes",
    "denialscope.cli.explain",
    "denialscope.cli.report",
    "denialscope.cli.event",
    "denialscope.cli.db",
    "denialscope.cli.queue",
    "denialscope.cli.scrub",
    "denialscope.cli.refdata",
    "denialscope.cli.governance",
    "denialscope.cli.export",
    "denialscope.cli.spark",
]


def _register() -> None:
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(name) is None:  # a command still being built
            continue
        importlib.import_module(name).register(app)


def main() -> None:
    from denialscope import logs

    logs.configure()
    _register()
    try:
        app()
    except DenialscopeError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        sys.exit(1)
    except OSError as exc:
        # A file a command had to write (or read) outside the checked options: a full disk,
        # a permission. Name it and the reason rather than print a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        typer.secho(f"error: {where}{exc.strerror or exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
    except Exception as exc:
        # A bug: its message may quote a segment or a database row, so print the type and
        # place only (the redacted traceback with DENIALSCOPE_DEBUG=1), never raw text.
        if logs.debug_enabled():
            import traceback

            typer.echo(logs.redact("".join(traceback.format_exception(exc))), err=True)
        hint = "" if logs.debug_enabled() else f"; set {logs.DEBUG_ENV}=1 for details"
        typer.secho(f"error: {logs.describe(exc)}{hint}", fg=typer.colors.RED, err=True)
        sys.exit(1)
