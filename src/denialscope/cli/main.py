# ruff: noqa: E501 - the command table keeps one command per line, however long its help text
"""The ``denialscope`` command: a thin shell over the services, quick to start.

Each command lives in its own module with a ``register(app)`` function. ``--help`` and the
command lookup read the static table :data:`COMMANDS` below (name, module, one-line help), so
``denialscope --help`` imports no command module, and ``denialscope parse ...`` imports only
``denialscope.cli.parse`` (not SQLAlchemy, WeasyPrint, numpy...): ``--help`` went from about
1.0 s of cpu to about 0.2 s (benchmarks/bench_cli.py; figures in benchmarks/README.md).

To add a command: write ``denialscope/cli/<name>.py`` with ``register(app)`` (typer and the
standard library at module level; heavy imports inside the command function), then add ONE
line to :data:`COMMANDS`, where ``--help`` should list it: the command name, its module, and
the first paragraph of its help exactly as the command declares it (its docstring, or the
``help=`` of its ``typer.Typer`` group). A module that registers two commands (``explain``:
``reclassify`` and ``explain``) has two lines. ``tests/cli/test_lazy_cli.py`` fails when the
table and the modules disagree.

Errors: a :class:`DenialscopeError` becomes a clear message and exit code 1.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NamedTuple

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from denialscope.errors import DenialscopeError

__all__ = ["COMMANDS", "COMMAND_MODULES", "CommandEntry", "app", "main"]


class CommandEntry(NamedTuple):
    name: str  # as typed after `denialscope`
    module: str  # the module whose register(app) defines it
    help: str  # the one line `denialscope --help` shows


# Commands in the order `denialscope --help` lists them. One line per command (fmt: off keeps
# them so, the file-level noqa above lets them be long).
# fmt: off
COMMANDS: tuple[CommandEntry, ...] = (
    CommandEntry("demo", "denialscope.cli.demo", "Generate a year of a demo health system's 837/835 files (with known signals)."),
    CommandEntry("parse", "denialscope.cli.parse", "Read X12 files and report their content counts and every problem found."),
    CommandEntry("ingest", "denialscope.cli.ingest", "Load files, one transaction per file; the same content twice is stored once."),
    CommandEntry("reclassify", "denialscope.cli.explain", "Re-apply the classification rules to every stored claim payment (one transaction)."),
    CommandEntry("explain", "denialscope.cli.explain", "Explain a claim's payments and adjustments in three layers, and the rule behind each."),
    CommandEntry("scrub", "denialscope.cli.scrub", "Check 837 claims with every scrub rule before submission."),
    CommandEntry("codes", "denialscope.cli.codes", "Explain payer reason codes, load the official CARC/RARC lists, check your rules."),
    CommandEntry("report", "denialscope.cli.report", "Denial analytics: KPIs, Pareto, departments, events, alerts."),
    CommandEntry("event", "denialscope.cli.event", "Register change events (template go-lives, payer policies ...)."),
    CommandEntry("db", "denialscope.cli.db", "The database: migrate it, show its revision and its URL."),
    CommandEntry("queue", "denialscope.cli.queue", "Work queues: ranked denials, actions, letters, corrected claims."),
    CommandEntry("refdata", "denialscope.cli.refdata", "Load official reference tables (NCCI PTP, MUE) you downloaded."),
    CommandEntry("predict", "denialscope.cli.predict", "Denial risk before submission: train, evaluate on a time split, score 837s."),
    CommandEntry("plan", "denialscope.cli.governance", "Action plans: owner, measurable target, progress from the KPIs."),
    CommandEntry("policy", "denialscope.cli.policy", "Payer policy library, order check and the CDS Hooks service."),
    CommandEntry("adt", "denialscope.cli.adt", "ADT feed: HL7 v2 and FHIR intake, MLLP listener, census."),
    CommandEntry("ur", "denialscope.cli.ur", "Utilization review: worklist, reviews, physician advisor, KPIs."),
    CommandEntry("export", "denialscope.cli.export", "Export data in columnar formats for other engines."),
    CommandEntry("spark", "denialscope.cli.spark", "Run denialscope on Apache Spark (pip extra: spark)."),
    CommandEntry("serve", "denialscope.cli.serve", "Run the web application (FastAPI on uvicorn) on the configured database."),
    CommandEntry("users", "denialscope.cli.users", "Web application users: add, change password, list, disable, enable."),
)
# fmt: on

# The command modules, each once, in table order (tests register them all eagerly).
COMMAND_MODULES: list[str] = list(dict.fromkeys(entry.module for entry in COMMANDS))


class _NotLoaded(TyperCommand):
    """A table entry whose module is not imported yet: enough for the command list."""

    def __init__(self, entry: CommandEntry) -> None:
        super().__init__(entry.name, help=entry.help, short_help=entry.help)
        self.module = entry.module

    def invoke(self, ctx: Any) -> Any:
        # Only reached when the table names a command its module does not register.
        raise DenialscopeError(f"command {self.name!r} is not defined by {self.module}")


class LazyGroup(TyperGroup):
    """The top-level group: lists every command from the table, imports one when it runs.

    Commands registered on :data:`app` directly (or by :func:`_register`) are used as they are.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        eager = dict(self.commands)
        commands: dict[str, Any] = {e.name: _NotLoaded(e) for e in COMMANDS}
        commands.update(eager)
        self.commands = commands

    def _load(self, module: str) -> None:
        scratch = typer.Typer()
        importlib.import_module(module).register(scratch)
        self.commands.update(typer.main.get_group(scratch).commands)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        found = self.commands.get(args[0]) if args else None
        if isinstance(found, _NotLoaded):
            self._load(found.module)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="denialscope",
    cls=LazyGroup,
    help="Claim denial analytics: read 835/837 files, classify denials, act on them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    # Makes the app a group even before any command is registered on it directly.
    pass


_registered: set[str] = set()


def _register() -> None:
    """Import every command module and register it on :data:`app` (tests, documentation
    checks). The real entry point does not need this: it imports a module when its command
    runs."""
    for name in COMMAND_MODULES:
        if name not in _registered:
            importlib.import_module(name).register(app)
            _registered.add(name)


def main() -> None:
    from denialscope import logs

    logs.configure()
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
