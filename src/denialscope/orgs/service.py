"""Which facility, department and service line a claim belongs to.

Mappings say "claims whose <kind> is <value> belong to <facility / department / service
line>". Kinds are tried in precedence order: rendering ``npi`` > ``billing_npi`` >
``taxonomy`` > ``facility_code`` (POS or bill type); within a kind the lowest ``priority``
wins, then the oldest mapping. The winning mapping gives the assignment; what it leaves
empty is taken from its department (the department's facility and service line).

Ingest resolves every claim: build one :class:`OrgResolver` per file (it reads the mapping
tables once) and call :meth:`OrgResolver.resolve` per claim.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.errors import InputError
from denialscope.orgs.loader import OrgLoadResult, load_org_yaml
from denialscope.orgs.models import (
    MATCH_KINDS,
    Department,
    Facility,
    ProviderMapping,
    normalize_match_value,
)

__all__ = [
    "DEFAULT_PRIORITY",
    "OrgAssignment",
    "OrgLoadResult",
    "OrgResolver",
    "create_department",
    "create_facility",
    "create_mapping",
    "list_mappings",
    "load_org_yaml",
    "normalize_match_value",
    "resolve_org",
]

DEFAULT_PRIORITY = 100


@dataclass(frozen=True, slots=True)
class OrgAssignment:
    """Where a claim belongs; all None when no mapping matches."""

    facility_id: int | None
    department_id: int | None
    service_line: str | None
    mapping_id: int | None


@dataclass(frozen=True, slots=True)
class _Rule:
    mapping_id: int
    priority: int
    facility_id: int | None
    department_id: int | None
    service_line: str | None


class OrgResolver:
    """The mapping tables held in memory: resolving a claim costs a few dict lookups."""

    def __init__(self, session: Session) -> None:
        self._rules: dict[tuple[str, str], list[_Rule]] = defaultdict(list)
        mappings = session.scalars(select(ProviderMapping)).all()
        for mapping in mappings:
            key = (mapping.match_kind, normalize_match_value(mapping.match_value))
            self._rules[key].append(
                _Rule(
                    mapping.id,
                    mapping.priority,
                    mapping.facility_id,
                    mapping.department_id,
                    mapping.service_line,
                )
            )
        for rules in self._rules.values():
            rules.sort(key=lambda rule: (rule.priority, rule.mapping_id))
        self._departments: dict[int, tuple[int | None, str | None]] = {
            department_id: (facility_id, service_line)
            for department_id, facility_id, service_line in session.execute(
                select(Department.id, Department.facility_id, Department.service_line)
            )
        }

    def resolve(
        self,
        *,
        rendering_npi: str | None = None,
        billing_npi: str | None = None,
        taxonomy: str | None = None,
        facility_code: str | None = None,
    ) -> OrgAssignment:
        """The assignment of the first matching mapping in precedence order."""
        values = {
            "npi": rendering_npi,
            "billing_npi": billing_npi,
            "taxonomy": taxonomy,
            "facility_code": facility_code,
        }
        for kind in MATCH_KINDS:
            value = normalize_match_value(values[kind])
            if not value:
                continue
            rules = self._rules.get((kind, value))
            if rules:
                return self._assignment(rules[0])
        return OrgAssignment(None, None, None, None)

    def _assignment(self, rule: _Rule) -> OrgAssignment:
        facility_id, service_line = rule.facility_id, rule.service_line
        if rule.department_id is not None:
            department_facility, department_line = self._departments.get(
                rule.department_id, (None, None)
            )
            facility_id = facility_id if facility_id is not None else department_facility
            service_line = service_line or department_line
        return OrgAssignment(facility_id, rule.department_id, service_line, rule.mapping_id)


def resolve_org(
    session: Session,
    *,
    rendering_npi: str | None,
    billing_npi: str | None,
    taxonomy: str | None,
    facility_code: str | None,
) -> OrgAssignment:
    """Resolve one claim (reads the mapping tables: use OrgResolver for many claims)."""
    return OrgResolver(session).resolve(
        rendering_npi=rendering_npi,
        billing_npi=billing_npi,
        taxonomy=taxonomy,
        facility_code=facility_code,
    )


def create_facility(session: Session, *, code: str, name: str) -> Facility:
    """Add a facility."""
    facility = Facility(code=code.strip(), name=name.strip())
    session.add(facility)
    session.flush()
    return facility


def create_department(
    session: Session,
    *,
    code: str,
    name: str,
    service_line: str | None = None,
    facility_id: int | None = None,
) -> Department:
    """Add a department (optionally in a facility, with its service line)."""
    department = Department(
        code=code.strip(), name=name.strip(), service_line=service_line, facility_id=facility_id
    )
    session.add(department)
    session.flush()
    return department


def create_mapping(
    session: Session,
    *,
    match_kind: str,
    match_value: str,
    facility_id: int | None = None,
    department_id: int | None = None,
    service_line: str | None = None,
    priority: int = DEFAULT_PRIORITY,
) -> ProviderMapping:
    """Add a mapping; it must match something and assign something."""
    if match_kind not in MATCH_KINDS:
        raise InputError(
            f"unknown match kind {match_kind!r}: use one of {', '.join(MATCH_KINDS)}",
            match_kind=match_kind,
        )
    value = normalize_match_value(match_value)
    if not value:
        raise InputError("a mapping needs a value to match", match_kind=match_kind)
    if facility_id is None and department_id is None and not service_line:
        raise InputError(
            "a mapping must assign a facility, a department or a service line",
            match_kind=match_kind,
            match_value=value,
        )
    mapping = ProviderMapping(
        match_kind=match_kind,
        match_value=value,
        facility_id=facility_id,
        department_id=department_id,
        service_line=service_line,
        priority=priority,
    )
    session.add(mapping)
    session.flush()
    return mapping


def list_mappings(session: Session) -> list[ProviderMapping]:
    """All mappings in the order they are tried (kind precedence, value, priority)."""
    mappings = session.scalars(select(ProviderMapping)).all()
    rank = {kind: position for position, kind in enumerate(MATCH_KINDS)}
    return sorted(
        mappings,
        key=lambda m: (rank.get(m.match_kind, len(rank)), m.match_value, m.priority, m.id),
    )
