"""docs/web.md's permission matrix is the one in permissions.yaml; the commands and options
of `serve` and `users` are documented there."""

from __future__ import annotations

from pathlib import Path

import typer.main

from denialscope.cli.main import _register, app
from denialscope.web.principal import Role, permission_matrix

DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def _documented_matrix() -> dict[str, frozenset[Role]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- permission-matrix:start -->")[1].split(
        "<!-- permission-matrix:end -->"
    )[0]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    roles = [Role(name) for name in header[1:-1]]
    matrix: dict[str, frozenset[Role]] = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        marks = cells[1 : 1 + len(roles)]
        matrix[cells[0].strip("`")] = frozenset(r for r, m in zip(roles, marks, strict=True) if m)
    return matrix


def test_the_documented_matrix_is_permissions_yaml() -> None:
    documented = _documented_matrix()
    assert documented == permission_matrix()
    assert set(_documented_matrix()["view_claims"]) == set(Role)  # the parser reads marks


def test_serve_and_users_options_are_documented() -> None:
    _register()
    group = typer.main.get_command(app)
    text = DOC.read_text(encoding="utf-8")
    for name in ("serve", "users"):
        command = group.commands[name]  # type: ignore[attr-defined]
        commands = getattr(command, "commands", {name: command})
        for sub_name, sub in commands.items():
            usage = f"denialscope {name}" if sub_name == name else f"denialscope {name} {sub_name}"
            assert usage in text, usage
            for param in sub.params:
                for option in param.opts:
                    if option.startswith("--"):
                        assert option in text, f"{usage} {option}"
