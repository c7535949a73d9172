"""The organization YAML loader: loads, reloads in place, and names line and key of errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.errors import ConfigurationError
from denialscope.orgs.models import Department, Facility, ProviderMapping
from denialscope.orgs.service import OrgResolver, load_org_yaml

GOOD = """\
facilities:
  - code: MAIN
    name: Main campus
departments:
  - code: CARD
    name: Cardiology
    facility: MAIN
    service_line: Heart
mappings:
  - match: npi
    value: "1000000004"
    department: CARD
    priority: 10
  - match: facility_code
    value: "02"
    facility: MAIN
    service_line: Telehealth
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orgs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, fragment: str) -> int:
    """The 1-based line of the only line containing ``fragment``."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(lines) == 1, fragment
    return lines[0]


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_loads_facilities_departments_and_mappings(session: Session, tmp_path: Path) -> None:
    result = load_org_yaml(session, _write(tmp_path, GOOD))
    assert (result.facilities, result.departments, result.mappings) == (1, 1, 2)
    resolver = OrgResolver(session)
    by_npi = resolver.resolve(rendering_npi="1000000004", facility_code="02")
    main = session.scalar(select(Facility).where(Facility.code == "MAIN"))
    assert main is not None
    assert (by_npi.facility_id, by_npi.service_line) == (main.id, "Heart")
    assert resolver.resolve(facility_code="02").service_line == "Telehealth"


def test_loading_again_updates_in_place(session: Session, tmp_path: Path) -> None:
    load_org_yaml(session, _write(tmp_path, GOOD))
    load_org_yaml(session, _write(tmp_path, GOOD.replace("Main campus", "Main hospital")))
    assert _count(session, Facility) == 1
    assert _count(session, Department) == 1
    assert _count(session, ProviderMapping) == 2
    assert session.scalar(select(Facility.name)) == "Main hospital"


def test_references_may_name_rows_already_stored(session: Session, tmp_path: Path) -> None:
    load_org_yaml(session, _write(tmp_path, GOOD))
    extra = "mappings:\n  - match: taxonomy\n    value: 207R00000X\n    department: CARD\n"
    assert load_org_yaml(session, _write(tmp_path, extra)).mappings == 1


BAD = """\
facilities:
  - code: MAIN
    name: Main campus
  - code: MAIN
    name: Duplicate
departments:
  - code: CARD
    name: Cardiology
    facility: SOUTH
mappings:
  - match: nip
    value: "1000000004"
    department: CARD
  - match: facility_code
    value: 02
    facility: MAIN
  - match: taxonomy
    value: 207R00000X
  - match: npi
    value: "1000000012"
    service_line: Heart
    colour: blue
"""


def test_every_problem_is_reported_with_its_line_and_key(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, BAD)
    with pytest.raises(ConfigurationError) as caught:
        load_org_yaml(session, path)
    message = caught.value.message
    expected = {
        "facilities[1].code": _line_of(BAD, "name: Duplicate") - 1,
        "departments[0].facility": _line_of(BAD, "facility: SOUTH"),
        "mappings[0].match": _line_of(BAD, "match: nip"),
        "mappings[1].value": _line_of(BAD, "value: 02"),
        "mappings[2]": _line_of(BAD, "value: 207R00000X") - 1,
        "mappings[3].colour": _line_of(BAD, "colour: blue"),
    }
    for key, line in expected.items():
        assert f"{path}:{line}: {key}: " in message, key
    assert "put it in quotes" in message
    problems = caught.value.context["problems"]
    assert {problem["key"] for problem in problems} == set(expected)
    assert _count(session, Facility) == 0  # nothing written when anything is wrong


def test_missing_required_key_is_reported_at_its_entry(session: Session, tmp_path: Path) -> None:
    text = "departments:\n  - code: CARD\n"
    with pytest.raises(ConfigurationError, match=r"orgs\.yaml:2: departments\[0\]\.name: missing"):
        load_org_yaml(session, _write(tmp_path, text))


def test_unknown_section_is_reported(session: Session, tmp_path: Path) -> None:
    text = "facilities: []\nproviders:\n  - npi: 1\n"
    with pytest.raises(ConfigurationError, match=r"orgs\.yaml:2: providers: unknown section"):
        load_org_yaml(session, _write(tmp_path, text))


def test_yaml_syntax_error_names_its_line(session: Session, tmp_path: Path) -> None:
    text = "facilities:\n  - code: MAIN\n    name: [unclosed\n"
    with pytest.raises(ConfigurationError, match=r"orgs\.yaml:\d+: not valid YAML") as caught:
        load_org_yaml(session, _write(tmp_path, text))
    assert caught.value.context["line"] >= 3


def test_duplicate_key_names_its_line(session: Session, tmp_path: Path) -> None:
    text = "facilities:\n  - code: MAIN\n    code: OTHER\n    name: Main\n"
    with pytest.raises(ConfigurationError, match=r"orgs\.yaml:3: not valid YAML: duplicate key"):
        load_org_yaml(session, _write(tmp_path, text))


def test_a_file_that_is_not_a_mapping_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="must be a mapping"):
        load_org_yaml(session, _write(tmp_path, "- just\n- a list\n"))


def test_a_missing_file_is_a_configuration_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_org_yaml(session, tmp_path / "absent.yaml")


PAYERS = """\
payers:
  - payer_id: "87726"
    name: Summit Medicare Advantage
    kind: medicare_advantage
  - name: County Health Plan
    kind: managed_medicaid
"""


def test_payer_kinds_from_the_file(session: Session, tmp_path: Path) -> None:
    from denialscope.orgs.models import Payer

    session.add(Payer(payer_key="87726", payer_id="87726", name="SUMMIT MA", kind="commercial"))
    session.flush()
    result = load_org_yaml(session, _write(tmp_path, PAYERS))
    assert result.payers == 2
    kinds = {p.payer_key: (p.kind, p.name) for p in session.scalars(select(Payer))}
    assert kinds == {
        "87726": ("medicare_advantage", "Summit Medicare Advantage"),  # the file wins
        "NAME:COUNTY HEALTH PLAN": ("managed_medicaid", "County Health Plan"),
    }


def test_payer_problems_are_named(session: Session, tmp_path: Path) -> None:
    text = "payers:\n  - payer_id: '1'\n    kind: hmo\n  - kind: commercial\n"
    with pytest.raises(ConfigurationError) as caught:
        load_org_yaml(session, _write(tmp_path, text))
    message = caught.value.message
    assert "orgs.yaml:3: payers[0].kind: unknown payer kind 'hmo'" in message
    assert "orgs.yaml:4: payers[1]: names no payer" in message
