"""Reading YAML with line numbers, so every configuration error names the file, line and key.

PyYAML's ``safe_load`` forgets where values came from; composing the node tree keeps each
node's start mark. These helpers read typed values out of nodes and raise
:class:`ConfigurationError` pointing at the offending line.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import yaml

from denialscope.errors import ConfigurationError

__all__ = ["Source", "compose_file", "compose_text"]

_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})


class Source:
    """One YAML document: its name (for messages) and helpers that read its nodes."""

    __slots__ = ("name", "root")

    def __init__(self, name: str, root: yaml.Node | None) -> None:
        self.name = name
        self.root = root

    # -- errors ---------------------------------------------------------------------------
    def error(self, node: yaml.Node | None, key: str, problem: str) -> ConfigurationError:
        line = node.start_mark.line + 1 if node is not None else 1
        return ConfigurationError(
            f"{self.name}:{line}: {key}: {problem}", file=self.name, line=line, key=key
        )

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1

    # -- shapes ---------------------------------------------------------------------------
    def mapping(
        self, node: yaml.Node, key: str, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node); rejects duplicates and, if given, unknown keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key, "expected a mapping (key: value lines)")
        allowed_set = set(allowed) if allowed is not None else None
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, key, "keys must be plain words")
            name = str(key_node.value)
            if name in result:
                raise self.error(key_node, f"{key}.{name}", "duplicate key")
            if allowed_set is not None and name not in allowed_set:
                hint = ", ".join(sorted(allowed_set))
                raise self.error(key_node, f"{key}.{name}", f"unknown key (allowed: {hint})")
            result[name] = (key_node, value_node)
        return result

    def sequence(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list")
        return list(node.value)

    # -- scalars --------------------------------------------------------------------------
    def text(self, node: yaml.Node, key: str, *, allow_empty: bool = False) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, key, "expected a single value")
        value = str(node.value).strip()
        if not value and not allow_empty:
            raise self.error(node, key, "must not be empty")
        return value

    def texts(self, node: yaml.Node, key: str) -> list[str]:
        """A list of values; a single value is accepted as a list of one."""
        if isinstance(node, yaml.ScalarNode):
            return [self.text(node, key)]
        return [self.text(item, key) for item in self.sequence(node, key)]

    def boolean(self, node: yaml.Node, key: str) -> bool:
        value = self.text(node, key).lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.error(node, key, f"expected true or false, got {value!r}")

    def integer(self, node: yaml.Node, key: str) -> int:
        value = self.text(node, key)
        try:
            return int(value)
        except ValueError:
            raise self.error(node, key, f"expected a whole number, got {value!r}") from None

    def day(self, node: yaml.Node, key: str) -> date:
        value = self.text(node, key)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.error(node, key, f"expected a date YYYY-MM-DD, got {value!r}") from None


def compose_text(text: str, name: str) -> Source:
    """Parse YAML text into a node tree; syntax errors name the line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or "invalid YAML"
        raise ConfigurationError(
            f"{name}:{line}: YAML syntax: {problem}", file=name, line=line, key=""
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{name}: YAML: {exc}", file=name, line=1, key="") from exc
    return Source(name, root)


def compose_file(path: Path) -> Source:
    """Read and parse one YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read: {exc}", file=str(path)) from exc
    return compose_text(text, str(path))
