"""``cli/`` parses arguments, calls a service and renders: it holds no SQL.

The web calls the same services; a query written in a command would be a feature the web
does not have. Checked on the syntax tree, so a comment or a help text that mentions
``select(`` does not count, and an import only for type checking does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import denialscope.cli

CLI = Path(denialscope.cli.__file__).parent
SQL_CALLS = {"select", "insert", "update", "delete", "text"}
SESSION_METHODS = {"execute", "scalar", "scalars", "query"}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    typing_only = _type_checking_only(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno not in typing_only:
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            if any(n == "sqlalchemy" or n.startswith("sqlalchemy.") for n in names):
                found.append(f"{where}: imports sqlalchemy")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in SQL_CALLS:
                found.append(f"{where}: calls {func.id}(...)")
            if isinstance(func, ast.Attribute) and func.attr in SESSION_METHODS:
                owner = ast.unparse(func.value)
                if "session" in owner or owner in ("factory()", "connection"):
                    found.append(f"{where}: {owner}.{func.attr}(...)")
    return found


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_no_sql_in_cli(path: Path) -> None:
    assert _problems(path) == []


def test_the_check_finds_sql(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from sqlalchemy.orm import Session\n"
        "def f(session):\n"
        "    from sqlalchemy import select\n"
        "    return session.execute(select(1))\n",
        encoding="utf-8",
    )
    assert _problems(bad) == [
        "bad.py:5: imports sqlalchemy",
        "bad.py:6: session.execute(...)",
        "bad.py:6: calls select(...)",
    ]
