"""Every command the CLI offers is documented in the README (a new command cannot ship
undocumented)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from denialscope.cli.main import _register, app

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands() -> list[str]:
    _register()
    group = typer.main.get_command(app)
    names: list[str] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            names.extend(f"{name} {sub}" for sub in subcommands)
        else:
            names.append(name)
    return sorted(names)


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = []
    for name in _commands():
        group, _, sub = name.partition(" ")
        documented = f"denialscope {name}" in text or (
            # "denialscope report kpis|pareto|..." lists a group's subcommands at once
            sub
            and any(
                sub in line.split(f"denialscope {group} ", 1)[1].split("`")[0].split("|")
                for line in text.splitlines()
                if f"denialscope {group} " in line
            )
        )
        if not documented:
            missing.append(name)
    assert not missing, f"commands not documented in README.md: {missing}"
    assert len(_commands()) > 20
