"""Rules (layer 2) and routes (layer 3) as read from YAML, validated node by node.

A rule says: when an adjustment looks like THIS (CARC, group, remarks, claim type, payer,
procedure, adjudication date), its root cause is THAT. A route says: for this root cause in
this department / service line / payer, the process step and owner are THESE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

import yaml

from denialscope.classify.taxonomy import (
    CLAIM_TYPES,
    GROUP_CODES,
    NON_DENIAL_CATEGORIES,
    NOT_A_DENIAL,
)
from denialscope.classify.yamlsource import Source

__all__ = [
    "CARC_PATTERN",
    "RARC_PATTERN",
    "RULE_KEYS",
    "Route",
    "Rule",
    "parse_route",
    "parse_rule",
]

CARC_PATTERN: Final = re.compile(r"^(?:\d{1,3}|[A-LO-Z]\d{1,2})$")
RARC_PATTERN: Final = re.compile(r"^(?:MA|M|N)\d{1,4}$")
_PROCEDURE: Final = re.compile(r"^[A-Z0-9]{5}$")

RULE_KEYS: Final = (
    "id",
    "carc",
    "group",
    "rarc_any",
    "rarc_none",
    "rarc_scope",
    "claim_type",
    "payer",
    "procedure",
    "effective_from",
    "effective_to",
    "root_cause",
    "category",
    "priority",
    "patient_notice",
    "claim_paid_nothing",
    "label",
    "note",
    "reason",
)
ROUTE_KEYS: Final = (
    "id",
    "root_cause",
    "department",
    "service_line",
    "payer",
    "process_step",
    "owner_role",
    "owner_name",
)
RARC_SCOPES: Final = ("any", "claim", "line")

# Weights make a payer-specific rule beat a remark rule, which beats a claim-type rule, ...
_WEIGHT_PAYER, _WEIGHT_RARC, _WEIGHT_PROCEDURE, _WEIGHT_CLAIM_TYPE, _WEIGHT_GROUP = 16, 8, 4, 2, 1
# A line's liability notice (GA/GX/GY) decides as much as its procedure code does.
_WEIGHT_NOTICE = 4
# Whether the payer paid anything on the claim splits a whole-stay refusal from a partial one.
_WEIGHT_PAID = 2


@dataclass(slots=True, frozen=True)
class Rule:
    """One layer-2 rule. ``None`` for a condition means "any"."""

    id: str
    root_cause: str
    category: str
    carcs: frozenset[str] | None = None
    groups: frozenset[str] | None = None
    rarc_any: frozenset[str] | None = None
    rarc_none: frozenset[str] | None = None
    rarc_scope: str = "any"
    claim_types: frozenset[str] | None = None
    payers: frozenset[str] | None = None
    procedures: tuple[tuple[str, str], ...] | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    priority: int = 0
    label: str = ""
    note: str = ""
    origin: str = ""
    # True: only when the line carries a patient liability notice (GA/GX without GZ, or GY);
    # False: only when it does not; None: either way.
    patient_notice: bool | None = None
    # True: only when the payer paid nothing on the whole claim; False: only when it paid
    # something; None: either way (and when the claim's payment is not known).
    claim_paid_nothing: bool | None = None
    # Why this decision: the reviewer's reasoning against the code's official meaning.
    reason: str = ""

    @property
    def specificity(self) -> int:
        return (
            (_WEIGHT_PAYER if self.payers else 0)
            + (_WEIGHT_RARC if self.rarc_any else 0)
            + (_WEIGHT_PROCEDURE if self.procedures else 0)
            + (_WEIGHT_NOTICE if self.patient_notice is not None else 0)
            + (_WEIGHT_PAID if self.claim_paid_nothing is not None else 0)
            + (_WEIGHT_CLAIM_TYPE if self.claim_types else 0)
            + (_WEIGHT_GROUP if self.groups else 0)
        )

    @property
    def is_dated(self) -> bool:
        return self.effective_from is not None or self.effective_to is not None

    def in_effect(self, on: date) -> bool:
        if self.effective_from is not None and on < self.effective_from:
            return False
        return self.effective_to is None or on <= self.effective_to

    def procedure_matches(self, code: str | None) -> bool:
        if self.procedures is None:
            return True
        if not code:
            return False
        return any(len(code) == len(lo) and lo <= code <= hi for lo, hi in self.procedures)

    def canonical(self) -> dict[str, object]:
        """A JSON-able form for the configuration version hash."""
        return {
            "id": self.id,
            "root_cause": self.root_cause,
            "category": self.category,
            "carcs": sorted(self.carcs) if self.carcs else None,
            "groups": sorted(self.groups) if self.groups else None,
            "rarc_any": sorted(self.rarc_any) if self.rarc_any else None,
            "rarc_none": sorted(self.rarc_none) if self.rarc_none else None,
            "rarc_scope": self.rarc_scope,
            "claim_types": sorted(self.claim_types) if self.claim_types else None,
            "payers": sorted(self.payers) if self.payers else None,
            "procedures": list(self.procedures) if self.procedures else None,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "priority": self.priority,
            "label": self.label,
            "note": self.note,
            "patient_notice": self.patient_notice,
            "claim_paid_nothing": self.claim_paid_nothing,
            "reason": self.reason,
        }


@dataclass(slots=True, frozen=True)
class Route:
    """One layer-3 entry: a root cause in a context -> process step and owner."""

    id: str
    root_cause: str
    departments: frozenset[str] | None
    service_lines: frozenset[str] | None
    payers: frozenset[str] | None
    process_step: str
    owner_role: str
    owner_name: str | None
    origin: str = ""

    @property
    def specificity(self) -> int:
        return sum(1 for part in (self.departments, self.service_lines, self.payers) if part)

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "root_cause": self.root_cause,
            "departments": sorted(self.departments) if self.departments else None,
            "service_lines": sorted(self.service_lines) if self.service_lines else None,
            "payers": sorted(self.payers) if self.payers else None,
            "process_step": self.process_step,
            "owner_role": self.owner_role,
            "owner_name": self.owner_name,
        }


def _codes(
    src: Source, node: yaml.Node, key: str, pattern: re.Pattern[str], kind: str
) -> frozenset[str]:
    values = [value.upper() for value in src.texts(node, key)]
    for item, value in zip(_items(node), values, strict=True):
        if not pattern.match(value):
            raise src.error(item, key, f"{value!r} is not a {kind} code")
    if not values:
        raise src.error(node, key, "empty list: leave the key out to match any")
    return frozenset(values)


def _items(node: yaml.Node) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else [node]


def _choices(src: Source, node: yaml.Node, key: str, allowed: tuple[str, ...]) -> frozenset[str]:
    values = src.texts(node, key)
    for item, value in zip(_items(node), values, strict=True):
        if value.lower() not in allowed and value.upper() not in allowed:
            raise src.error(item, key, f"{value!r} is not one of {', '.join(allowed)}")
    if not values:
        raise src.error(node, key, "empty list: leave the key out to match any")
    return frozenset(v.upper() if v.upper() in allowed else v.lower() for v in values)


def _procedures(src: Source, node: yaml.Node, key: str) -> tuple[tuple[str, str], ...]:
    ranges: list[tuple[str, str]] = []
    for item in _items(node):
        value = src.text(item, key).upper()
        lo, _, hi = value.partition("-")
        hi = hi or lo
        if not (_PROCEDURE.match(lo) and _PROCEDURE.match(hi)) or lo > hi:
            raise src.error(
                item, key, f"{value!r} is not a procedure code or range like 99202-99499"
            )
        ranges.append((lo, hi))
    return tuple(ranges)


def parse_rule(src: Source, node: yaml.Node, key: str) -> tuple[Rule, dict[str, yaml.Node]]:
    """One rule; returns it with the value nodes by key (for later reference errors)."""
    fields = src.mapping(node, key, RULE_KEYS)
    nodes = {name: value for name, (_, value) in fields.items()}
    if "id" not in nodes:
        raise src.error(node, key, "every rule needs an id")
    rule_id = src.text(nodes["id"], f"{key}.id")
    where = f"rules[{rule_id}]"
    has_root, has_category = "root_cause" in nodes, "category" in nodes
    if has_root == has_category:
        raise src.error(node, where, "give exactly one of root_cause or category")
    if has_category:
        category = src.text(nodes["category"], f"{where}.category")
        if category not in NON_DENIAL_CATEGORIES:
            allowed = ", ".join(NON_DENIAL_CATEGORIES)
            raise src.error(
                nodes["category"], f"{where}.category", f"{category!r} is not one of {allowed}"
            )
        root_cause = NOT_A_DENIAL
    else:
        root_cause, category = src.text(nodes["root_cause"], f"{where}.root_cause"), ""
    scope = "any"
    if "rarc_scope" in nodes:
        scope = src.text(nodes["rarc_scope"], f"{where}.rarc_scope")
        if scope not in RARC_SCOPES:
            raise src.error(
                nodes["rarc_scope"], f"{where}.rarc_scope", f"must be one of {RARC_SCOPES}"
            )

    def opt_codes(name: str, pattern: re.Pattern[str], kind: str) -> frozenset[str] | None:
        return _codes(src, nodes[name], f"{where}.{name}", pattern, kind) if name in nodes else None

    def opt_day(name: str) -> date | None:
        return src.day(nodes[name], f"{where}.{name}") if name in nodes else None

    rule = Rule(
        id=rule_id,
        root_cause=root_cause,
        category=category,
        carcs=opt_codes("carc", CARC_PATTERN, "CARC"),
        groups=(
            _choices(src, nodes["group"], f"{where}.group", GROUP_CODES)
            if "group" in nodes
            else None
        ),
        rarc_any=opt_codes("rarc_any", RARC_PATTERN, "RARC"),
        rarc_none=opt_codes("rarc_none", RARC_PATTERN, "RARC"),
        rarc_scope=scope,
        claim_types=(
            _choices(src, nodes["claim_type"], f"{where}.claim_type", CLAIM_TYPES)
            if "claim_type" in nodes
            else None
        ),
        payers=frozenset(src.texts(nodes["payer"], f"{where}.payer")) if "payer" in nodes else None,
        procedures=(
            _procedures(src, nodes["procedure"], f"{where}.procedure")
            if "procedure" in nodes
            else None
        ),
        effective_from=opt_day("effective_from"),
        effective_to=opt_day("effective_to"),
        priority=src.integer(nodes["priority"], f"{where}.priority") if "priority" in nodes else 0,
        label=src.text(nodes["label"], f"{where}.label") if "label" in nodes else "",
        note=src.text(nodes["note"], f"{where}.note") if "note" in nodes else "",
        origin=f"{src.name}:{src.line(node)}",
        patient_notice=(
            src.boolean(nodes["patient_notice"], f"{where}.patient_notice")
            if "patient_notice" in nodes
            else None
        ),
        claim_paid_nothing=(
            src.boolean(nodes["claim_paid_nothing"], f"{where}.claim_paid_nothing")
            if "claim_paid_nothing" in nodes
            else None
        ),
        reason=src.text(nodes["reason"], f"{where}.reason") if "reason" in nodes else "",
    )
    if rule.effective_from and rule.effective_to and rule.effective_from > rule.effective_to:
        raise src.error(nodes["effective_to"], f"{where}.effective_to", "before effective_from")
    return rule, nodes


def parse_route(src: Source, node: yaml.Node, key: str) -> tuple[Route, dict[str, yaml.Node]]:
    """One routing entry; returns it with the value nodes by key."""
    fields = src.mapping(node, key, ROUTE_KEYS)
    nodes = {name: value for name, (_, value) in fields.items()}
    for required in ("id", "root_cause", "process_step", "owner_role"):
        if required not in nodes:
            raise src.error(node, f"{key}.{required}", "required key is missing")
    route_id = src.text(nodes["id"], f"{key}.id")
    where = f"routing[{route_id}]"

    def opt_set(name: str) -> frozenset[str] | None:
        if name not in nodes:
            return None
        return frozenset(v.casefold() for v in src.texts(nodes[name], f"{where}.{name}"))

    route = Route(
        id=route_id,
        root_cause=src.text(nodes["root_cause"], f"{where}.root_cause"),
        departments=opt_set("department"),
        service_lines=opt_set("service_line"),
        payers=frozenset(src.texts(nodes["payer"], f"{where}.payer")) if "payer" in nodes else None,
        process_step=src.text(nodes["process_step"], f"{where}.process_step"),
        owner_role=src.text(nodes["owner_role"], f"{where}.owner_role"),
        owner_name=(
            src.text(nodes["owner_name"], f"{where}.owner_name") if "owner_name" in nodes else None
        ),
        origin=f"{src.name}:{src.line(node)}",
    )
    return route, nodes
