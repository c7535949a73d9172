"""Load, merge and validate the classification YAML into a ready-to-evaluate configuration.

Files are applied in order: the shipped defaults, then each override (the files given, or
the ``classification.yaml`` of the data directory of the :class:`Settings` given, when it
exists). In an override a rule or route with the
same id replaces the earlier one, new ids are added, ``carc_defaults`` replace code by code,
``root_causes`` update field by field and ``disable: [ids]`` removes rules or routes.
Every error names the file, line and key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import yaml

from denialscope.classify.rules import CARC_PATTERN, Route, Rule, parse_route, parse_rule
from denialscope.classify.taxonomy import (
    CANONICAL_ROOT_CAUSES,
    NON_DENIAL_CATEGORIES,
    NOT_A_DENIAL,
    STREAMS,
    UNCLASSIFIED,
    RootCause,
)
from denialscope.classify.yamlsource import Source, compose_file
from denialscope.errors import ConfigurationError

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "DEFAULTS_PATH",
    "ClassificationConfig",
    "UnclassifiedGroup",
    "load_config",
]

DEFAULTS_PATH: Final = Path(__file__).with_name("defaults") / "classification.yaml"
ORGANIZATION_FILE: Final = "classification.yaml"

_TOP_KEYS: Final = (
    "version",
    "root_causes",
    "carc_defaults",
    "unclassified",
    "deactivated",
    "rules",
    "routing",
    "disable",
)
# Per-code defaults come after every context rule, whatever its priority.
DEFAULT_RULE_PRIORITY: Final = -1000
_ROOT_CAUSE_KEYS: Final = (
    "stream",
    "label",
    "description",
    "documentation_driven",
    "process_step",
    "owner_role",
    "owner_name",
)


@dataclass(slots=True, frozen=True)
class UnclassifiedGroup:
    """Codes deliberately left without a root cause, and why."""

    codes: tuple[str, ...]
    label: str
    reason: str


@dataclass(slots=True)
class ClassificationConfig:
    """The merged configuration: root causes, rules in evaluation order, routes, version."""

    root_causes: dict[str, RootCause]
    rules: tuple[Rule, ...]
    routes: tuple[Route, ...]
    unclassified: tuple[UnclassifiedGroup, ...]
    deactivated_carcs: frozenset[str]
    deactivated_rarcs: frozenset[str]
    files: tuple[str, ...]
    version: str
    # Indexes for the evaluator, built once (ingest classifies every adjustment).
    rules_by_carc: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    rules_any_carc: tuple[Rule, ...] = ()
    routes_by_root_cause: dict[str, tuple[Route, ...]] = field(default_factory=dict)
    cache: dict[tuple[object, ...], object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wildcard = tuple(rule for rule in self.rules if rule.carcs is None)
        buckets: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for carc in rule.carcs or ():
                buckets.setdefault(carc, []).append(rule)
        order = {rule.id: position for position, rule in enumerate(self.rules)}
        self.rules_any_carc = wildcard
        self.rules_by_carc = {
            carc: tuple(sorted([*bucket, *wildcard], key=lambda r: order[r.id]))
            for carc, bucket in buckets.items()
        }
        routes: dict[str, list[Route]] = {}
        for route in self.routes:  # later files first among equals: overrides win ties
            routes.setdefault(route.root_cause, []).append(route)
        self.routes_by_root_cause = {
            cause: tuple(sorted(reversed(items), key=lambda r: -r.specificity))
            for cause, items in routes.items()
        }

    def default_rule(self, carc: str) -> Rule | None:
        """The unconditional per-code rule ``carc-<code>``, if the code is mapped."""
        for rule in self.rules_by_carc.get(carc, ()):
            if rule.id == f"carc-{carc}":
                return rule
        return None


@dataclass(slots=True)
class _Merged:
    """The state while files are applied one after another."""

    root_causes: dict[str, dict[str, object]] = field(default_factory=dict)
    rules: dict[str, tuple[Rule, int]] = field(default_factory=dict)  # id -> (rule, file no)
    routes: dict[str, Route] = field(default_factory=dict)
    unclassified: dict[str, UnclassifiedGroup] = field(default_factory=dict)  # code -> group
    deactivated_carcs: set[str] = field(default_factory=set)
    deactivated_rarcs: set[str] = field(default_factory=set)
    # Where each rule/route came from, to point reference errors at the right line.
    rule_nodes: dict[str, tuple[Source, dict[str, yaml.Node], yaml.Node]] = field(
        default_factory=dict
    )
    route_nodes: dict[str, tuple[Source, dict[str, yaml.Node]]] = field(default_factory=dict)
    disabled: list[tuple[Source, yaml.Node, str]] = field(default_factory=list)


def load_config(
    paths: Sequence[str | Path] | None = None, *, settings: Settings | None = None
) -> ClassificationConfig:
    """The shipped defaults merged with the given override files; without ``paths``, with
    the data directory's ``classification.yaml`` of ``settings`` when it exists; without
    either, the shipped defaults alone."""
    if paths is not None:
        overrides = [Path(p) for p in paths]
    elif settings is not None and settings.classification_file.is_file():
        overrides = [settings.classification_file]
    else:
        overrides = []
    sources = [compose_file(DEFAULTS_PATH)]
    sources[0].name = "defaults/classification.yaml"
    sources.extend(compose_file(path) for path in overrides)
    merged = _Merged()
    for number, src in enumerate(sources):
        _apply(merged, src, number, is_defaults=number == 0)
    return _compile(merged, tuple(src.name for src in sources))


def _apply(merged: _Merged, src: Source, number: int, *, is_defaults: bool) -> None:
    if src.root is None:  # an empty override file is fine: nothing to change
        return
    top = src.mapping(src.root, "(top)", _TOP_KEYS)
    if "root_causes" in top:
        _apply_root_causes(merged, src, top["root_causes"][1], complete=is_defaults)
    if "carc_defaults" in top:
        _apply_carc_defaults(merged, src, top["carc_defaults"][1], number)
    if "unclassified" in top:
        _apply_unclassified(merged, src, top["unclassified"][1], number)
    if "deactivated" in top:
        parts = src.mapping(top["deactivated"][1], "deactivated", ("carc", "rarc"))
        if "carc" in parts:
            merged.deactivated_carcs.update(
                v.upper() for v in src.texts(parts["carc"][1], "deactivated.carc")
            )
        if "rarc" in parts:
            merged.deactivated_rarcs.update(
                v.upper() for v in src.texts(parts["rarc"][1], "deactivated.rarc")
            )
    if "rules" in top:
        seen: set[str] = set()
        for position, item in enumerate(src.sequence(top["rules"][1], "rules")):
            rule, nodes = parse_rule(src, item, f"rules[{position}]")
            if rule.id in seen:
                raise src.error(nodes["id"], f"rules[{rule.id}]", "duplicate rule id in this file")
            seen.add(rule.id)
            merged.rules[rule.id] = (rule, number)
            merged.rule_nodes[rule.id] = (src, nodes, item)
    if "routing" in top:
        seen = set()
        for position, item in enumerate(src.sequence(top["routing"][1], "routing")):
            route, nodes = parse_route(src, item, f"routing[{position}]")
            if route.id in seen:
                raise src.error(nodes["id"], f"routing[{route.id}]", "duplicate id in this file")
            seen.add(route.id)
            merged.routes[route.id] = route
            merged.route_nodes[route.id] = (src, nodes)
    if "disable" in top:
        node = top["disable"][1]
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            merged.disabled.append((src, item, src.text(item, "disable")))


def _apply_root_causes(merged: _Merged, src: Source, node: yaml.Node, *, complete: bool) -> None:
    for cause_id, (key_node, value) in src.mapping(node, "root_causes").items():
        where = f"root_causes.{cause_id}"
        fields = src.mapping(value, where, _ROOT_CAUSE_KEYS)
        known = merged.root_causes.get(cause_id)
        parsed: dict[str, object] = dict(known) if known else {}
        for name, (_, field_node) in fields.items():
            if name == "documentation_driven":
                parsed[name] = src.boolean(field_node, f"{where}.{name}")
            else:
                parsed[name] = src.text(field_node, f"{where}.{name}")
        stream = parsed.get("stream")
        if stream not in STREAMS:
            at = fields["stream"][1] if "stream" in fields else key_node
            raise src.error(at, f"{where}.stream", f"must be one of {', '.join(STREAMS)}")
        canonical = CANONICAL_ROOT_CAUSES.get(cause_id)
        if canonical is not None and stream != canonical:
            at = fields["stream"][1] if "stream" in fields else key_node
            raise src.error(at, f"{where}.stream", f"{cause_id} belongs to stream {canonical}")
        missing = [k for k in _ROOT_CAUSE_KEYS if k != "owner_name" and k not in parsed]
        if missing and (complete or known is None):
            raise src.error(key_node, where, f"missing {', '.join(missing)}")
        merged.root_causes[cause_id] = parsed


def _carc_key(src: Source, node: yaml.Node, where: str) -> str:
    code = src.text(node, where).upper()
    if not CARC_PATTERN.match(code):
        raise src.error(node, where, f"{code!r} is not a CARC code")
    return code


def _apply_carc_defaults(merged: _Merged, src: Source, node: yaml.Node, number: int) -> None:
    for _, (key_node, value) in src.mapping(node, "carc_defaults").items():
        code = _carc_key(src, key_node, "carc_defaults")
        where = f"carc_defaults.{code}"
        parts = src.texts(value, where)
        if len(parts) not in (2, 3):
            raise src.error(
                value, where, "expected [root cause or category, short label, optional reason]"
            )
        target, label = parts[0], parts[1]
        reason = parts[2] if len(parts) == 3 else ""
        if target in NON_DENIAL_CATEGORIES:
            rule = Rule(id=f"carc-{code}", root_cause=NOT_A_DENIAL, category=target)
        else:
            rule = Rule(id=f"carc-{code}", root_cause=target, category="")
        rule = dataclasses.replace(
            rule,
            carcs=frozenset({code}),
            priority=DEFAULT_RULE_PRIORITY,
            label=label,
            reason=reason,
            origin=f"{src.name}:{src.line(value)}",
        )
        merged.rules[rule.id] = (rule, number)
        merged.rule_nodes[rule.id] = (src, {"root_cause": value}, value)
        merged.unclassified.pop(code, None)


def _apply_unclassified(merged: _Merged, src: Source, node: yaml.Node, number: int) -> None:
    for position, item in enumerate(src.sequence(node, "unclassified")):
        where = f"unclassified[{position}]"
        fields = src.mapping(item, where, ("codes", "label", "reason"))
        for required in ("codes", "label", "reason"):
            if required not in fields:
                raise src.error(item, f"{where}.{required}", "required key is missing")
        code_nodes = fields["codes"][1]
        items = code_nodes.value if isinstance(code_nodes, yaml.SequenceNode) else [code_nodes]
        codes = tuple(_carc_key(src, code_node, f"{where}.codes") for code_node in items)
        group = UnclassifiedGroup(
            codes=codes,
            label=src.text(fields["label"][1], f"{where}.label"),
            reason=src.text(fields["reason"][1], f"{where}.reason"),
        )
        for code in codes:
            rule = Rule(
                id=f"carc-{code}",
                root_cause=UNCLASSIFIED,
                category="denial",
                carcs=frozenset({code}),
                priority=DEFAULT_RULE_PRIORITY,
                label=group.label,
                note=group.reason,
                reason=group.reason,
                origin=f"{src.name}:{src.line(item)}",
            )
            merged.rules[rule.id] = (rule, number)
            merged.rule_nodes[rule.id] = (src, {}, item)
            merged.unclassified[code] = group


def _compile(merged: _Merged, files: tuple[str, ...]) -> ClassificationConfig:
    for src, node, item_id in merged.disabled:
        if merged.rules.pop(item_id, None) is None and merged.routes.pop(item_id, None) is None:
            raise src.error(node, "disable", f"no rule or route with id {item_id!r}")
    root_causes = {
        cause_id: RootCause(
            id=cause_id,
            stream=str(data["stream"]),
            label=str(data["label"]),
            description=str(data["description"]),
            documentation_driven=bool(data["documentation_driven"]),
            process_step=str(data["process_step"]),
            owner_role=str(data["owner_role"]),
            owner_name=str(data["owner_name"]) if data.get("owner_name") else None,
        )
        for cause_id, data in merged.root_causes.items()
    }
    for required in (NOT_A_DENIAL, UNCLASSIFIED):
        if required not in root_causes:
            raise ConfigurationError(
                f"{files[0]}:1: root_causes: the root cause {required!r} must be defined",
                file=files[0],
                line=1,
                key="root_causes",
            )
    compiled: list[tuple[Rule, int, int]] = []
    for position, (rule_id, (rule, number)) in enumerate(merged.rules.items()):
        cause = root_causes.get(rule.root_cause)
        if cause is None:
            src, nodes, item = merged.rule_nodes[rule_id]
            raise src.error(
                nodes.get("root_cause", item),
                f"rules[{rule_id}].root_cause",
                f"unknown root cause {rule.root_cause!r}",
            )
        category = rule.category or cause.category
        compiled.append((dataclasses.replace(rule, category=category), number, position))
    compiled.sort(key=lambda item: (-item[0].priority, -item[0].specificity, -item[1], item[2]))
    for route_id, route in merged.routes.items():
        if route.root_cause not in root_causes:
            src, nodes = merged.route_nodes[route_id]
            raise src.error(
                nodes["root_cause"],
                f"routing[{route_id}].root_cause",
                f"unknown root cause {route.root_cause!r}",
            )
    rules = tuple(rule for rule, _, _ in compiled)
    routes = tuple(merged.routes.values())
    groups = tuple(dict.fromkeys(merged.unclassified.values()))
    return ClassificationConfig(
        root_causes=root_causes,
        rules=rules,
        routes=routes,
        unclassified=groups,
        deactivated_carcs=frozenset(merged.deactivated_carcs),
        deactivated_rarcs=frozenset(merged.deactivated_rarcs),
        files=files,
        version=_version(root_causes.values(), rules, routes, files),
    )


def _version(
    root_causes: Iterable[RootCause],
    rules: Iterable[Rule],
    routes: Iterable[Route],
    files: tuple[str, ...],
) -> str:
    """A short hash of the merged content and the files' names: results carry it."""
    content = {
        "files": [Path(name).name for name in files],
        "root_causes": [dataclasses.asdict(cause) for cause in root_causes],
        "rules": [rule.canonical() for rule in rules],
        "routes": [route.canonical() for route in routes],
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()
    return f"cfg-{digest[:12]}"
