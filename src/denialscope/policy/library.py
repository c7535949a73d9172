"""The payer policy library: which services a payer reviews, on what criteria, with what proof.

Data the organization maintains (``payer_policies.yaml`` in the data directory; the package
ships an example with invented payers and policy numbers, see docs/policy.md)::

    version: 1
    payers:                          # payers the policies name; kind is one of PAYER_KINDS
      - {id: MAH21, name: HEARTLAND MEDICARE ADVANTAGE HMO, kind: medicare_advantage}
    policies:
      - id: MAH-RAD-0104             # unique: shown on cards and in findings
        title: Advanced imaging (CT, MRI)
        payers: [MAH21]              # payer ids; and/or payer_kinds: [medicare]; neither = all
        services: ["70450-70498", "72148"]   # CPT/HCPCS codes or ranges of equal length
        settings: [outpatient, office]       # optional: where the service is done (places.yaml)
        prior_authorization: required        # required | notification | not_required
        criteria:                            # public coverage ids, the payer's policy number
          - {type: NCD, id: "220.2"}
          - {type: payer_policy, id: MAH-RAD-0104, url: "https://..."}
        covered_diagnoses: ["M48.06", "M51.16-M51.17"]  # optional; a code covers its children
        documentation: ["Six weeks of conservative treatment"]
        effective_from: 2025-01-01
        effective_to: 2026-12-31             # optional, inclusive
        url: "https://..."                   # optional: the payer's policy page

Every problem is reported with the file and line (:class:`ConfigurationError`); all the
problems of a file are collected, so ``denialscope policy validate`` shows them at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

import yaml

from denialscope.classify.yamlsource import Source, compose_file, compose_text
from denialscope.errors import ConfigurationError
from denialscope.orgs.models import PAYER_KINDS
from denialscope.policy.codes import CodeSet, DiagnosisSet, parse_diagnoses, parse_services

__all__ = [
    "AUTH_RULES",
    "CRITERIA_TYPES",
    "EXAMPLE_FILE",
    "POLICY_FILE",
    "CriteriaRef",
    "PayerEntry",
    "Policy",
    "PolicyLibrary",
    "example_text",
    "load_library",
    "organization_library",
    "parse_library",
    "places",
]

POLICY_FILE: Final = "payer_policies.yaml"  # in the data directory
EXAMPLE_FILE: Final = "example_policies.yaml"  # shipped in this package
AUTH_RULES: Final = ("required", "notification", "not_required")
CRITERIA_TYPES: Final = ("NCD", "LCD", "LCA", "payer_policy", "guideline")
# Public CMS identifiers: LCDs L12345, articles A12345, NCDs section numbers such as 220.2.
_CRITERIA_ID: Final = {
    "LCD": re.compile(r"^L\d{5}$"),
    "LCA": re.compile(r"^A\d{5}$"),
    "NCD": re.compile(r"^\d{1,3}(\.\d+){0,3}$"),
}
_TOP_KEYS: Final = ("version", "payers", "policies")
_PAYER_KEYS: Final = ("id", "name", "kind")
_POLICY_KEYS: Final = (
    "id", "title", "payers", "payer_kinds", "services", "settings", "prior_authorization",
    "criteria", "covered_diagnoses", "documentation", "effective_from", "effective_to", "url",
    "note",
)  # fmt: skip
_CRITERIA_KEYS: Final = ("type", "id", "title", "url")


@cache
def places() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """(setting -> description, place-of-service code -> setting) from ``places.yaml``."""
    text = resources.files("denialscope.policy").joinpath("places.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return dict(data["settings"]), {str(k): v for k, v in data["place_of_service"].items()}


@dataclass(frozen=True, slots=True)
class CriteriaRef:
    """A coverage criteria reference: an NCD/LCD id, the payer's policy number, a guideline."""

    type: str
    id: str
    title: str = ""
    url: str | None = None

    @property
    def label(self) -> str:
        kind = "payer policy" if self.type == "payer_policy" else self.type
        named = f"{kind} {self.id}"
        return f"{named}: {self.title}" if self.title else named

    def to_dict(self) -> dict[str, str | None]:
        return {"type": self.type, "id": self.id, "title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class PayerEntry:
    id: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    title: str
    line: int  # where it starts in its file
    payers: frozenset[str]
    payer_kinds: frozenset[str]
    services: CodeSet
    settings: frozenset[str]  # empty: any setting
    prior_authorization: str  # one of AUTH_RULES
    criteria: tuple[CriteriaRef, ...]
    covered_diagnoses: DiagnosisSet | None
    documentation: tuple[str, ...]
    effective_from: date
    effective_to: date | None
    url: str | None
    note: str

    def applies(
        self, *, payer_id: str | None, payer_kind: str | None, code: str, setting: str | None,
        on: date,
    ) -> bool:  # fmt: skip
        """Does this policy govern ``code`` for this payer, setting and date?"""
        if self.payers or self.payer_kinds:
            named = payer_id is not None and payer_id in self.payers
            kinded = payer_kind is not None and payer_kind in self.payer_kinds
            if not (named or kinded):
                return False
        if self.settings and setting is not None and setting not in self.settings:
            return False
        if on < self.effective_from or (self.effective_to is not None and on > self.effective_to):
            return False
        return code in self.services


@dataclass(frozen=True, slots=True)
class PolicyLibrary:
    source: str  # the file it was read from
    payers: Mapping[str, PayerEntry]  # by id, upper case
    policies: tuple[Policy, ...]
    is_example: bool = False

    def find_payer(self, value: str) -> PayerEntry | None:
        """A declared payer by id or by name (any case)."""
        wanted = value.strip().upper()
        if wanted in self.payers:
            return self.payers[wanted]
        return next((p for p in self.payers.values() if p.name.upper() == wanted), None)


def load_library(path: Path) -> PolicyLibrary:
    """Read and validate a policy library file."""
    return _build(compose_file(path), is_example=False)


def parse_library(text: str, *, name: str = "<text>", is_example: bool = False) -> PolicyLibrary:
    """Validate a policy library given as YAML text (``name`` is used in messages)."""
    return _build(compose_text(text, name), is_example=is_example)


def organization_library(*, data_dir: Path) -> PolicyLibrary:
    """The organization's library (``DATA_DIR/payer_policies.yaml``), else the shipped example.

    The example's payers and policy numbers are invented: callers say so when they use it.
    """
    own = data_dir / POLICY_FILE
    if own.is_file():
        return load_library(own)
    return parse_library(example_text(), name=f"(example) {EXAMPLE_FILE}", is_example=True)


def example_text() -> str:
    """The shipped example library, as text."""
    return resources.files("denialscope.policy").joinpath(EXAMPLE_FILE).read_text("utf-8")


def _build(source: Source, *, is_example: bool) -> PolicyLibrary:
    if source.root is None:
        raise source.error(None, "policies", "the file is empty")
    top = source.mapping(source.root, "", _TOP_KEYS)
    if "version" in top and source.text(top["version"][1], "version") != "1":
        raise source.error(top["version"][1], "version", "only version 1 is known")
    if "policies" not in top:
        raise source.error(source.root, "policies", "missing: the list of policies")
    problems: list[ConfigurationError] = []
    payers: dict[str, PayerEntry] = {}
    if "payers" in top:
        for i, node in enumerate(source.sequence(top["payers"][1], "payers")):
            try:
                entry = _payer(source, node, f"payers[{i}]")
            except ConfigurationError as exc:
                problems.append(exc)
                continue
            if entry.id in payers:
                problems.append(source.error(node, f"payers[{i}].id", "duplicate payer id"))
            payers[entry.id] = entry
    policies: list[Policy] = []
    seen: set[str] = set()
    for i, node in enumerate(source.sequence(top["policies"][1], "policies")):
        try:
            policy = _policy(source, node, f"policies[{i}]", payers)
        except ConfigurationError as exc:
            problems.append(exc)
            continue
        if policy.id in seen:
            problems.append(source.error(node, f"policies[{i}].id", f"duplicate id {policy.id}"))
        seen.add(policy.id)
        policies.append(policy)
    if problems:
        if len(problems) == 1:
            raise problems[0]
        lines = "\n".join(p.message for p in problems)
        raise ConfigurationError(
            f"{source.name}: {len(problems)} problems:\n{lines}",
            file=source.name,
            problems=[p.message for p in problems],
        )
    return PolicyLibrary(source.name, payers, tuple(policies), is_example)


def _payer(source: Source, node: yaml.Node, key: str) -> PayerEntry:
    fields = source.mapping(node, key, _PAYER_KEYS)
    for required in ("id", "kind"):
        if required not in fields:
            raise source.error(node, f"{key}.{required}", "missing")
    kind_node = fields["kind"][1]
    kind = source.text(kind_node, f"{key}.kind")
    if kind not in PAYER_KINDS:
        raise source.error(kind_node, f"{key}.kind", f"use one of {', '.join(PAYER_KINDS)}")
    name = source.text(fields["name"][1], f"{key}.name") if "name" in fields else ""
    return PayerEntry(source.text(fields["id"][1], f"{key}.id").upper(), name, kind)


def _policy(source: Source, node: yaml.Node, key: str, payers: Mapping[str, PayerEntry]) -> Policy:
    fields = source.mapping(node, key, _POLICY_KEYS)
    for required in ("id", "title", "services", "prior_authorization", "effective_from"):
        if required not in fields:
            raise source.error(node, f"{key}.{required}", "missing")

    def value(name: str) -> yaml.Node:
        return fields[name][1]

    def words(name: str) -> list[tuple[str, yaml.Node]]:
        if name not in fields:
            return []
        items = source.sequence(value(name), f"{key}.{name}")
        return [(source.text(item, f"{key}.{name}"), item) for item in items]

    payer_ids = []
    for text, item in words("payers"):
        if text.upper() not in payers:
            raise source.error(item, f"{key}.payers", f"payer {text!r} is not under payers:")
        payer_ids.append(text.upper())
    kinds = []
    for text, item in words("payer_kinds"):
        if text not in PAYER_KINDS:
            raise source.error(item, f"{key}.payer_kinds", f"use one of {', '.join(PAYER_KINDS)}")
        kinds.append(text)
    known_settings = places()[0]
    settings = []
    for text, item in words("settings"):
        if text not in known_settings:
            hint = ", ".join(known_settings)
            raise source.error(item, f"{key}.settings", f"unknown setting {text!r} (use {hint})")
        settings.append(text)
    auth = source.text(value("prior_authorization"), f"{key}.prior_authorization")
    if auth not in AUTH_RULES:
        raise source.error(
            value("prior_authorization"), f"{key}.prior_authorization",
            f"{auth!r}: use one of {', '.join(AUTH_RULES)}",
        )  # fmt: skip
    services = parse_services(source, value("services"), words("services"), f"{key}.services")
    if "covered_diagnoses" in fields:
        covered: DiagnosisSet | None = parse_diagnoses(
            source,
            value("covered_diagnoses"),
            words("covered_diagnoses"),
            f"{key}.covered_diagnoses",
        )
    else:
        covered = None
    start = source.day(value("effective_from"), f"{key}.effective_from")
    end = (
        source.day(value("effective_to"), f"{key}.effective_to")
        if "effective_to" in fields
        else None
    )
    if end is not None and end < start:
        raise source.error(value("effective_to"), f"{key}.effective_to", "before effective_from")
    criteria = tuple(
        _criteria(source, item, f"{key}.criteria[{i}]")
        for i, item in enumerate(source.sequence(value("criteria"), f"{key}.criteria"))
    ) if "criteria" in fields else ()  # fmt: skip
    url = _url(source, value("url"), f"{key}.url") if "url" in fields else None
    return Policy(
        id=source.text(value("id"), f"{key}.id"),
        title=source.text(value("title"), f"{key}.title"),
        line=source.line(node),
        payers=frozenset(payer_ids),
        payer_kinds=frozenset(kinds),
        services=services,
        settings=frozenset(settings),
        prior_authorization=auth,
        criteria=criteria,
        covered_diagnoses=covered,
        documentation=tuple(text for text, _ in words("documentation")),
        effective_from=start,
        effective_to=end,
        url=url,
        note=source.text(value("note"), f"{key}.note") if "note" in fields else "",
    )


def _criteria(source: Source, node: yaml.Node, key: str) -> CriteriaRef:
    fields = source.mapping(node, key, _CRITERIA_KEYS)
    for required in ("type", "id"):
        if required not in fields:
            raise source.error(node, f"{key}.{required}", "missing")
    kind = source.text(fields["type"][1], f"{key}.type")
    if kind not in CRITERIA_TYPES:
        raise source.error(
            fields["type"][1], f"{key}.type", f"use one of {', '.join(CRITERIA_TYPES)}"
        )
    ident = source.text(fields["id"][1], f"{key}.id")
    pattern = _CRITERIA_ID.get(kind)
    if pattern is not None and not pattern.match(ident):
        examples = {"LCD": "L33718", "LCA": "A52464", "NCD": "220.2"}
        raise source.error(
            fields["id"][1], f"{key}.id", f"{ident!r} is not an {kind} id (like {examples[kind]})"
        )
    title = source.text(fields["title"][1], f"{key}.title") if "title" in fields else ""
    url = _url(source, fields["url"][1], f"{key}.url") if "url" in fields else None
    return CriteriaRef(kind, ident, title, url)


def _url(source: Source, node: yaml.Node, key: str) -> str:
    text = source.text(node, key)
    if not text.startswith(("https://", "http://")) or " " in text:
        raise source.error(node, key, f"{text!r} is not a web address (https://...)")
    return text
