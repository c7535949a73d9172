"""Rule packs: an organization's or a payer's scrub data in YAML (data, not code).

A pack holds payer filing limits, prior-authorization lists, LCD/NCD-style coverage lists
(procedure -> covered diagnoses, with effective dates), named code lists and thresholds::

    version: 1
    thresholds:
      default_filing_limit_days: 365   # when a payer has no limit of its own
      filing_warn_days: 14             # warn this many days before the limit
    payers:
      "12345": {name: ACME HEALTH, filing_limit_days: 90}
    prior_auth:
      - {payer: "12345", procedures: ["70551", "72148"], effective_from: 2025-01-01}
    coverage:
      - id: L33252                     # your label for the policy
        payer: "*"                     # "*" or a payer id
        procedures: ["82306"]
        diagnoses: ["E559", "M81*"]    # dots optional; a trailing * matches a prefix
        effective_from: 2025-01-01
        effective_to: 2026-12-31
    code_lists:
      e_m_office: ["99202", "99203"]

Problems raise :class:`~denialscope.errors.ConfigurationError` naming the file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from denialscope.errors import ConfigurationError
from denialscope.reference import normalize_icd

__all__ = [
    "DEFAULT_THRESHOLDS",
    "CoverageEntry",
    "PayerLimits",
    "PriorAuthEntry",
    "RulePack",
    "load_pack",
    "parse_pack",
]

DEFAULT_THRESHOLDS: dict[str, int] = {
    "default_filing_limit_days": 365,
    "filing_warn_days": 14,
}
_TOP_KEYS = {"version", "thresholds", "payers", "prior_auth", "coverage", "code_lists"}


@dataclass(frozen=True, slots=True)
class PayerLimits:
    payer: str
    name: str = ""
    filing_limit_days: int | None = None


@dataclass(frozen=True, slots=True)
class PriorAuthEntry:
    payer: str  # "*" for every payer
    procedures: frozenset[str]
    effective_from: date | None = None
    effective_to: date | None = None

    def matches(self, payer: str, procedure: str, served: date | None) -> bool:
        return (
            self.payer in ("*", payer)
            and procedure in self.procedures
            and _in_dates(served, self.effective_from, self.effective_to)
        )


@dataclass(frozen=True, slots=True)
class CoverageEntry:
    id: str
    payer: str
    procedures: frozenset[str]
    diagnoses: frozenset[str]  # exact codes, normalised
    prefixes: tuple[str, ...]  # from "M81*"
    effective_from: date | None = None
    effective_to: date | None = None

    def applies(self, payer: str, procedure: str, served: date | None) -> bool:
        return (
            self.payer in ("*", payer)
            and procedure in self.procedures
            and _in_dates(served, self.effective_from, self.effective_to)
        )

    def covers(self, diagnosis: str) -> bool:
        return diagnosis in self.diagnoses or diagnosis.startswith(self.prefixes)


@dataclass(frozen=True, slots=True)
class RulePack:
    """Everything the pack-driven rules read; an empty pack disables them."""

    thresholds: dict[str, int] = field(default_factory=dict)  # set explicitly in a pack
    payers: dict[str, PayerLimits] = field(default_factory=dict)
    prior_auth: tuple[PriorAuthEntry, ...] = ()
    coverage: tuple[CoverageEntry, ...] = ()
    code_lists: dict[str, frozenset[str]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def threshold(self, name: str) -> int:
        return self.thresholds.get(name, DEFAULT_THRESHOLDS[name])

    def filing_limit(self, payer: str) -> int:
        limits = self.payers.get(payer)
        if limits is not None and limits.filing_limit_days is not None:
            return limits.filing_limit_days
        return self.threshold("default_filing_limit_days")

    def merged(self, other: RulePack) -> RulePack:
        """This pack with ``other`` laid over it (payers and lists by key, entries appended)."""
        return RulePack(
            thresholds={**self.thresholds, **other.thresholds},
            payers={**self.payers, **other.payers},
            prior_auth=self.prior_auth + other.prior_auth,
            coverage=self.coverage + other.coverage,
            code_lists={**self.code_lists, **other.code_lists},
            sources=self.sources + other.sources,
        )


def _in_dates(served: date | None, start: date | None, end: date | None) -> bool:
    if served is None:
        return True
    return (start is None or served >= start) and (end is None or served <= end)


class _Reader:
    """Turns the composed YAML tree into Python values, remembering each key's line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, key: str, problem: str) -> ConfigurationError:
        line = node.start_mark.line + 1
        return ConfigurationError(
            f"{self.source}, line {line}, key {key!r}: {problem}",
            file=self.source,
            line=line,
            key=key,
        )

    def mapping(self, node: yaml.Node, key: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "expected a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.fail(k, key, "keys must be plain text")
            out[str(k.value)] = (k, v)
        return out

    def text(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            raise self.fail(node, key, "expected a non-empty value")
        return str(node.value).strip()

    def integer(self, node: yaml.Node, key: str) -> int:
        value = self.text(node, key)
        if not value.isdigit():
            raise self.fail(node, key, f"expected a whole number of days, got {value!r}")
        return int(value)

    def day(self, node: yaml.Node, key: str) -> date | None:
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~"):
            return None
        value = self.text(node, key)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(node, key, f"expected a date YYYY-MM-DD, got {value!r}") from None

    def codes(self, node: yaml.Node, key: str) -> list[str]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, key, "expected a non-empty list of codes")
        return [self.text(item, key).upper() for item in node.value]


def parse_pack(text: str, *, source: str = "<pack>") -> RulePack:
    """Validate and build a pack from YAML text; errors name ``source``, line and key."""
    reader = _Reader(source)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigurationError(
            f"{source}, line {line}: not valid YAML ({getattr(exc, 'problem', exc)})",
            file=source,
            line=line,
        ) from None
    if root is None:
        return RulePack(sources=(source,))
    top = reader.mapping(root, "(top)")
    for name, (knode, _) in top.items():
        if name not in _TOP_KEYS:
            raise reader.fail(knode, name, f"unknown key; expected one of {sorted(_TOP_KEYS)}")
    thresholds: dict[str, int] = {}
    if "thresholds" in top:
        for name, (knode, vnode) in reader.mapping(top["thresholds"][1], "thresholds").items():
            if name not in DEFAULT_THRESHOLDS:
                raise reader.fail(knode, f"thresholds.{name}", "unknown threshold")
            thresholds[name] = reader.integer(vnode, f"thresholds.{name}")
    payers: dict[str, PayerLimits] = {}
    if "payers" in top:
        for payer, (_, vnode) in reader.mapping(top["payers"][1], "payers").items():
            fields_ = reader.mapping(vnode, f"payers.{payer}")
            for name, (knode, _) in fields_.items():
                if name not in ("name", "filing_limit_days"):
                    raise reader.fail(knode, f"payers.{payer}.{name}", "unknown key")
            limit = fields_.get("filing_limit_days")
            payers[payer] = PayerLimits(
                payer=payer,
                name=reader.text(fields_["name"][1], "name") if "name" in fields_ else "",
                filing_limit_days=(
                    reader.integer(limit[1], f"payers.{payer}.filing_limit_days") if limit else None
                ),
            )
    prior_auth = tuple(_prior_auth(reader, top["prior_auth"][1]) if "prior_auth" in top else ())
    coverage = tuple(_coverage(reader, top["coverage"][1]) if "coverage" in top else ())
    code_lists: dict[str, frozenset[str]] = {}
    if "code_lists" in top:
        for name, (_, vnode) in reader.mapping(top["code_lists"][1], "code_lists").items():
            code_lists[name] = frozenset(reader.codes(vnode, f"code_lists.{name}"))
    return RulePack(thresholds, payers, prior_auth, coverage, code_lists, (source,))


def _entries(reader: _Reader, node: yaml.Node, key: str) -> list[dict[str, Any]]:
    if not isinstance(node, yaml.SequenceNode):
        raise reader.fail(node, key, "expected a list of entries")
    return [
        {"_node": item, **reader.mapping(item, f"{key}[{i}]")} for i, item in enumerate(node.value)
    ]


def _require(reader: _Reader, entry: dict[str, Any], name: str, key: str) -> yaml.Node:
    if name not in entry:
        raise reader.fail(entry["_node"], key, f"missing {name!r}")
    node: yaml.Node = entry[name][1]
    return node


def _check_keys(reader: _Reader, entry: dict[str, Any], allowed: set[str], key: str) -> None:
    for name, value in entry.items():
        if name != "_node" and name not in allowed:
            raise reader.fail(value[0], f"{key}.{name}", f"unknown key; expected {sorted(allowed)}")


def _dates(reader: _Reader, entry: dict[str, Any], key: str) -> tuple[date | None, date | None]:
    start = reader.day(entry["effective_from"][1], key) if "effective_from" in entry else None
    end = reader.day(entry["effective_to"][1], key) if "effective_to" in entry else None
    if start and end and end < start:
        raise reader.fail(entry["effective_to"][1], f"{key}.effective_to", "ends before it starts")
    return start, end


def _prior_auth(reader: _Reader, node: yaml.Node) -> list[PriorAuthEntry]:
    out = []
    for i, entry in enumerate(_entries(reader, node, "prior_auth")):
        key = f"prior_auth[{i}]"
        _check_keys(reader, entry, {"payer", "procedures", "effective_from", "effective_to"}, key)
        payer = reader.text(_require(reader, entry, "payer", key), f"{key}.payer")
        procedures = reader.codes(_require(reader, entry, "procedures", key), f"{key}.procedures")
        start, end = _dates(reader, entry, key)
        out.append(PriorAuthEntry(payer, frozenset(procedures), start, end))
    return out


def _coverage(reader: _Reader, node: yaml.Node) -> list[CoverageEntry]:
    out = []
    allowed = {"id", "payer", "procedures", "diagnoses", "effective_from", "effective_to"}
    for i, entry in enumerate(_entries(reader, node, "coverage")):
        key = f"coverage[{i}]"
        _check_keys(reader, entry, allowed, key)
        label = reader.text(entry["id"][1], f"{key}.id") if "id" in entry else key
        payer = reader.text(entry["payer"][1], f"{key}.payer") if "payer" in entry else "*"
        procedures = reader.codes(_require(reader, entry, "procedures", key), f"{key}.procedures")
        dx = [
            normalize_icd(c)
            for c in reader.codes(_require(reader, entry, "diagnoses", key), f"{key}.diagnoses")
        ]
        exact = frozenset(c for c in dx if not c.endswith("*"))
        prefixes = tuple(c[:-1] for c in dx if c.endswith("*"))
        start, end = _dates(reader, entry, key)
        out.append(CoverageEntry(label, payer, frozenset(procedures), exact, prefixes, start, end))
    return out


def load_pack(*paths: Path) -> RulePack:
    """The packs merged in order (later files win on payers, lists and thresholds)."""
    pack = RulePack()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(
                f"{path}: cannot read the rule pack ({exc.strerror})", file=str(path)
            ) from None
        pack = pack.merged(parse_pack(text, source=str(path)))
    return pack
