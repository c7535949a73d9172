"""Load facilities, departments and mappings from a YAML file a user edits::

    facilities:
      - code: MAIN
        name: Main Campus
    departments:
      - code: CARD
        name: Cardiology
        facility: MAIN              # a facility code (optional)
        service_line: Cardiovascular
    mappings:
      - match: npi                  # npi | billing_npi | taxonomy | facility_code
        value: "1234567893"         # quoted: YAML would read 02 as the number 2
        department: CARD            # department and/or facility code, and/or service_line
        priority: 10                # optional, lower wins (default 100)
    payers:
      - payer_id: "87726"           # NM1*PR NM109 (837) / N1*PR N104 (835); or name: when no id
        name: Summit Medicare Advantage
        kind: medicare_advantage    # medicare | medicare_advantage | medicaid |
                                    # managed_medicaid | commercial | other
        appeal_address: "PO Box 1, Town ST 00000"   # optional: printed on appeal letters
        two_midnight: true          # optional: the plan applies the two-midnight rule

The whole file is checked before anything is written, and every problem is reported at
once with its line and key. Loading again updates rows in place: facilities and departments
by code, mappings by (match, value, priority), payers by their identifier (else their name).
References may name rows already stored. A payer's ``kind`` here is the organization's word
and wins over what the claim's filing indicator suggests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.db.change_marks import mark_change
from denialscope.errors import ConfigurationError
from denialscope.orgs.models import (
    MATCH_KINDS,
    PAYER_KINDS,
    Department,
    Facility,
    Payer,
    ProviderMapping,
    normalize_match_value,
    payer_key_for,
)

__all__ = ["OrgLoadResult", "load_org_yaml"]

_DEFAULT_PRIORITY = 100
_SECTIONS = ("facilities", "departments", "mappings", "payers")
_KEYS = {
    "facilities": ({"code", "name"}, set()),
    "departments": ({"code", "name"}, {"facility", "service_line"}),
    "mappings": ({"match", "value"}, {"facility", "department", "service_line", "priority"}),
    "payers": ({"kind"}, {"payer_id", "name", "appeal_address", "two_midnight"}),
}


@dataclass(frozen=True, slots=True)
class OrgLoadResult:
    """How many entries of each section the file held (created or updated)."""

    facilities: int
    departments: int
    mappings: int
    payers: int = 0


class _Located(dict[Any, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_located(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Located:
    loader.flatten_mapping(node)
    result = _Located()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[dict[str, Any]] = []

    def add(self, line: int, key: str, message: str) -> None:
        self.items.append({"line": line, "key": key, "message": message})

    def raise_if_any(self) -> None:
        if not self.items:
            return
        self.items.sort(key=lambda problem: problem["line"])  # stable: same line keeps order
        lines = [f"{self.path}:{p['line']}: {p['key']}: {p['message']}" for p in self.items]
        first = self.items[0]
        raise ConfigurationError(
            f"{self.path}: {len(lines)} problem(s) in the organization file:\n" + "\n".join(lines),
            file=str(self.path),
            line=first["line"],
            key=first["key"],
            problems=self.items,
        )


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot read {path}: {error}", file=str(path)) from error
    try:
        return yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise ConfigurationError(
            f"{path}:{line}: not valid YAML: {error.problem or error.context}",
            file=str(path),
            line=line,
        ) from error
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{path}: not valid YAML: {error}", file=str(path)) from error


def _text(entry: _Located, key: str, where: str, problems: _Problems) -> str | None:
    """The entry's value for ``key`` as text; None (with a problem) when it is not text."""
    value = entry.get(key)
    if value is None:
        return None
    line = entry.key_lines.get(key, entry.line)
    if isinstance(value, bool) or not isinstance(value, str):
        hint = (
            " (put it in quotes: YAML reads 02 as the number 2)" if isinstance(value, int) else ""
        )
        problems.add(line, f"{where}.{key}", f"must be text, got {value!r}{hint}")
        return None
    if not value.strip():
        problems.add(line, f"{where}.{key}", "must not be empty")
        return None
    return value.strip()


def _entries(data: _Located, section: str, problems: _Problems) -> list[tuple[str, _Located]]:
    """The section's entries with their names (``mappings[2]``), after shape checks."""
    items = data.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        problems.add(data.key_lines.get(section, data.line), section, "must be a list")
        return []
    required, optional = _KEYS[section]
    good: list[tuple[str, _Located]] = []
    for position, entry in enumerate(items):
        where = f"{section}[{position}]"
        if not isinstance(entry, _Located):
            line = data.key_lines.get(section, data.line)
            problems.add(line, where, "must be a mapping of keys to values")
            continue
        for key in sorted(set(entry) - required - optional):
            allowed = ", ".join(sorted(required | optional))
            problems.add(entry.key_lines[key], f"{where}.{key}", f"unknown key (use {allowed})")
        for key in sorted(required - set(entry)):
            problems.add(entry.line, f"{where}.{key}", "missing")
        good.append((where, entry))
    return good


def _codes(session: Session, model: type[Facility] | type[Department]) -> set[str]:
    return set(session.scalars(select(model.code)))


def load_org_yaml(session: Session, path: str | Path) -> OrgLoadResult:
    """Validate the file, then create or update its facilities, departments and mappings."""
    path = Path(path)
    data = _read(path)
    problems = _Problems(path)
    if data is None:
        data = _Located()
        data.line, data.key_lines = 1, {}
    if not isinstance(data, _Located):
        raise ConfigurationError(
            f"{path}:1: the file must be a mapping with the keys {', '.join(_SECTIONS)}",
            file=str(path),
            line=1,
        )
    for key in sorted(set(data) - set(_SECTIONS)):
        problems.add(data.key_lines[key], key, f"unknown section (use {', '.join(_SECTIONS)})")

    facilities: dict[str, dict[str, Any]] = {}
    for where, entry in _entries(data, "facilities", problems):
        code, name = _text(entry, "code", where, problems), _text(entry, "name", where, problems)
        if code is not None and code in facilities:
            problems.add(entry.key_lines["code"], f"{where}.code", f"duplicate code {code!r}")
        elif code is not None and name is not None:
            facilities[code] = {"name": name}
    facility_codes = set(facilities) | _codes(session, Facility)

    departments: dict[str, dict[str, Any]] = {}
    for where, entry in _entries(data, "departments", problems):
        code, name = _text(entry, "code", where, problems), _text(entry, "name", where, problems)
        facility = _text(entry, "facility", where, problems)
        service_line = _text(entry, "service_line", where, problems)
        if facility is not None and facility not in facility_codes:
            line = entry.key_lines["facility"]
            problems.add(line, f"{where}.facility", f"no facility with code {facility!r}")
        if code is not None and code in departments:
            problems.add(entry.key_lines["code"], f"{where}.code", f"duplicate code {code!r}")
        elif code is not None and name is not None:
            departments[code] = {"name": name, "facility": facility, "service_line": service_line}
    department_codes = set(departments) | _codes(session, Department)

    mappings: list[dict[str, Any]] = []
    for where, entry in _entries(data, "mappings", problems):
        mapping = _mapping(entry, where, problems, facility_codes, department_codes)
        if mapping is not None:
            mappings.append(mapping)
    payers = _payers(data, problems)
    problems.raise_if_any()

    _store(session, facilities, departments, mappings)
    _store_payers(session, payers)
    mark_change(session, "org")  # names and kinds rewritten in place: kept pages must see it
    return OrgLoadResult(len(facilities), len(departments), len(mappings), len(payers))


def _payers(data: _Located, problems: _Problems) -> dict[str, dict[str, Any]]:
    """Payer entries by payer key; each names its identifier or its name, and a known kind."""
    payers: dict[str, dict[str, Any]] = {}
    for where, entry in _entries(data, "payers", problems):
        payer_id = _text(entry, "payer_id", where, problems)
        name = _text(entry, "name", where, problems)
        kind = _text(entry, "kind", where, problems)
        if kind is not None and kind not in PAYER_KINDS:
            problems.add(
                entry.key_lines["kind"],
                f"{where}.kind",
                f"unknown payer kind {kind!r} (use {', '.join(PAYER_KINDS)})",
            )
            continue
        key = payer_key_for(payer_id, name)
        if key is None:
            problems.add(entry.line, where, "names no payer: give payer_id (or name)")
        elif key in payers:
            problems.add(entry.line, where, f"the payer {payer_id or name!r} is listed twice")
        elif kind is not None:
            payers[key] = {
                "payer_id": payer_id,
                "name": name,
                "kind": kind,
                "appeal_address": _text(entry, "appeal_address", where, problems),
                "two_midnight": _flag(entry, "two_midnight", where, problems),
            }
    return payers


def _flag(entry: _Located, key: str, where: str, problems: _Problems) -> bool | None:
    value = entry.get(key)
    if value is None or isinstance(value, bool):
        return value
    problems.add(entry.key_lines[key], f"{where}.{key}", "must be true or false")
    return None


def _store_payers(session: Session, payers: dict[str, dict[str, Any]]) -> None:
    stored = {p.payer_key: p for p in session.scalars(select(Payer))}
    for key, fields in payers.items():
        payer = stored.get(key)
        if payer is None:
            payer = Payer(payer_key=key, payer_id=fields["payer_id"])
            session.add(payer)
        payer.kind = fields["kind"]
        payer.kind_source = "org"
        payer.appeal_address = fields["appeal_address"]
        payer.two_midnight = fields["two_midnight"]
        if fields["name"]:
            payer.name = fields["name"]
    session.flush()


def _mapping(
    entry: _Located,
    where: str,
    problems: _Problems,
    facility_codes: set[str],
    department_codes: set[str],
) -> dict[str, Any] | None:
    before = len(problems.items)
    kind = _text(entry, "match", where, problems)
    if kind is not None and kind not in MATCH_KINDS:
        problems.add(
            entry.key_lines["match"],
            f"{where}.match",
            f"unknown match kind {kind!r} (use {', '.join(MATCH_KINDS)})",
        )
    value = _text(entry, "value", where, problems)
    facility = _text(entry, "facility", where, problems)
    department = _text(entry, "department", where, problems)
    service_line = _text(entry, "service_line", where, problems)
    if facility is not None and facility not in facility_codes:
        line = entry.key_lines["facility"]
        problems.add(line, f"{where}.facility", f"no facility with code {facility!r}")
    if department is not None and department not in department_codes:
        line = entry.key_lines["department"]
        problems.add(line, f"{where}.department", f"no department with code {department!r}")
    targets = {"facility", "department", "service_line"}
    if all(entry.get(key) is None for key in targets):
        message = "assigns nothing: give facility, department or service_line"
        problems.add(entry.line, where, message)
    priority = entry.get("priority", _DEFAULT_PRIORITY)
    if isinstance(priority, bool) or not isinstance(priority, int):
        line = entry.key_lines.get("priority", entry.line)
        problems.add(line, f"{where}.priority", f"must be a whole number, got {priority!r}")
    if len(problems.items) > before:
        return None
    return {
        "match_kind": kind,
        "match_value": normalize_match_value(value),
        "facility": facility,
        "department": department,
        "service_line": service_line,
        "priority": priority,
    }


def _store(
    session: Session,
    facilities: dict[str, dict[str, Any]],
    departments: dict[str, dict[str, Any]],
    mappings: list[dict[str, Any]],
) -> None:
    stored_facilities = {f.code: f for f in session.scalars(select(Facility))}
    for code, fields in facilities.items():
        facility = stored_facilities.get(code)
        if facility is None:
            facility = stored_facilities[code] = Facility(code=code)
            session.add(facility)
        facility.name = fields["name"]
    session.flush()

    stored_departments = {d.code: d for d in session.scalars(select(Department))}
    for code, fields in departments.items():
        department = stored_departments.get(code)
        if department is None:
            department = stored_departments[code] = Department(code=code)
            session.add(department)
        department.name = fields["name"]
        department.service_line = fields["service_line"]
        facility_code = fields["facility"]
        department.facility_id = stored_facilities[facility_code].id if facility_code else None
    session.flush()

    stored_mappings = {
        (m.match_kind, normalize_match_value(m.match_value), m.priority): m
        for m in session.scalars(select(ProviderMapping))
    }
    for fields in mappings:
        key = (fields["match_kind"], fields["match_value"], fields["priority"])
        mapping = stored_mappings.get(key)
        if mapping is None:
            mapping = stored_mappings[key] = ProviderMapping(
                match_kind=key[0], match_value=key[1], priority=key[2]
            )
            session.add(mapping)
        facility_code, department_code = fields["facility"], fields["department"]
        mapping.facility_id = stored_facilities[facility_code].id if facility_code else None
        mapping.department_id = stored_departments[department_code].id if department_code else None
        mapping.service_line = fields["service_line"]
    session.flush()
