"""docs/policy.md keeps up: every option of `policy` commands and every finding code."""

from __future__ import annotations

import re
from pathlib import Path

import typer
import typer.main

from denialscope.cli import policy as policy_cli
from denialscope.policy import check

DOC = (Path(__file__).resolve().parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")


def test_every_option_is_documented() -> None:
    app = typer.Typer()
    policy_cli.register(app)

    @app.callback()
    def _root() -> None:
        """Keeps `policy` a named group."""

    group = typer.main.get_command(app).commands["policy"]  # type: ignore[attr-defined]
    options = {
        name
        for command in group.commands.values()
        for param in command.params
        for name in param.opts
        if name.startswith("--")
    }
    assert {"--payer", "--dx", "--library", "--include-info", "--port"} <= options
    assert sorted(o for o in options if o not in DOC) == []


def test_every_finding_code_is_documented() -> None:
    codes = set(
        re.findall(r"^    ([a-z]+\.[a-z_]+|criteria|documentation) ", check.__doc__ or "", re.M)
    )
    assert len(codes) == 10
    documented = set(re.findall(r"^\| `([a-z._]+)` \|", DOC, re.M))
    assert codes <= documented
