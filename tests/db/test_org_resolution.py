"""Claims map to facility / department / service line by npi > billing_npi > taxonomy >
facility_code, then by priority."""

from __future__ import annotations

import pytest
from sqlalchemy import event, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from denialscope.errors import InputError
from denialscope.orgs.models import ProviderMapping
from denialscope.orgs.service import (
    OrgAssignment,
    OrgResolver,
    create_department,
    create_facility,
    create_mapping,
    list_mappings,
    resolve_org,
)

RENDERING = "1000000004"
BILLING = "1000000012"
TAXONOMY = "207R00000X"
POS = "22"


@pytest.fixture
def orgs(session: Session) -> dict[str, int]:
    """One mapping per kind, each pointing somewhere different; returns the ids."""
    main = create_facility(session, code="MAIN", name="Main campus")
    north = create_facility(session, code="NORTH", name="North clinic")
    cardiology = create_department(
        session, code="CARD", name="Cardiology", service_line="Heart", facility_id=main.id
    )
    by_npi = create_mapping(
        session, match_kind="npi", match_value=RENDERING, department_id=cardiology.id
    )
    by_billing = create_mapping(
        session,
        match_kind="billing_npi",
        match_value=BILLING,
        facility_id=north.id,
        service_line="Primary care",
    )
    by_taxonomy = create_mapping(
        session, match_kind="taxonomy", match_value=TAXONOMY, service_line="Internal medicine"
    )
    by_pos = create_mapping(
        session,
        match_kind="facility_code",
        match_value=POS,
        facility_id=main.id,
        service_line="Outpatient",
    )
    return {
        "main": main.id,
        "north": north.id,
        "cardiology": cardiology.id,
        "npi": by_npi.id,
        "billing_npi": by_billing.id,
        "taxonomy": by_taxonomy.id,
        "facility_code": by_pos.id,
    }


ALL = {"rendering_npi": RENDERING, "billing_npi": BILLING, "taxonomy": TAXONOMY}


@pytest.mark.parametrize(
    ("claim", "winner"),
    [
        ({**ALL, "facility_code": POS}, "npi"),
        ({**ALL, "rendering_npi": None, "facility_code": POS}, "billing_npi"),
        (
            {**ALL, "rendering_npi": "1999999999", "billing_npi": None, "facility_code": POS},
            "taxonomy",
        ),
        (
            {
                "rendering_npi": None,
                "billing_npi": "1999999999",
                "taxonomy": None,
                "facility_code": POS,
            },
            "facility_code",
        ),
    ],
)
def test_precedence_npi_then_billing_then_taxonomy_then_facility_code(
    session: Session, orgs: dict[str, int], claim: dict[str, str | None], winner: str
) -> None:
    assert resolve_org(session, **claim).mapping_id == orgs[winner]


def test_department_mapping_takes_facility_and_service_line_from_the_department(
    session: Session, orgs: dict[str, int]
) -> None:
    assigned = resolve_org(
        session, rendering_npi=RENDERING, billing_npi=None, taxonomy=None, facility_code=None
    )
    assert assigned == OrgAssignment(orgs["main"], orgs["cardiology"], "Heart", orgs["npi"])


def test_no_match_assigns_nothing(session: Session, orgs: dict[str, int]) -> None:
    assigned = resolve_org(
        session, rendering_npi="1999999999", billing_npi=None, taxonomy="", facility_code="11"
    )
    assert assigned == OrgAssignment(None, None, None, None)


def test_lower_priority_wins_within_a_kind_then_the_older_mapping(session: Session) -> None:
    create_mapping(
        session, match_kind="taxonomy", match_value=TAXONOMY, service_line="late", priority=50
    )
    winner = create_mapping(
        session, match_kind="taxonomy", match_value=TAXONOMY, service_line="low", priority=10
    )
    create_mapping(
        session, match_kind="taxonomy", match_value=TAXONOMY, service_line="tie", priority=10
    )
    assigned = OrgResolver(session).resolve(taxonomy=TAXONOMY)
    assert (assigned.mapping_id, assigned.service_line) == (winner.id, "low")


def test_values_match_whatever_their_case_and_spacing(session: Session) -> None:
    mapping = create_mapping(
        session, match_kind="taxonomy", match_value=" 207r00000x ", service_line="IM"
    )
    assert mapping.match_value == TAXONOMY
    assert OrgResolver(session).resolve(taxonomy="207R00000x").mapping_id == mapping.id


def test_resolver_reads_the_tables_once(session: Session, orgs: dict[str, int]) -> None:
    resolver = OrgResolver(session)
    statements: list[str] = []
    connection = session.connection()
    event.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for _ in range(50):
        resolver.resolve(rendering_npi=RENDERING, facility_code=POS)
    assert statements == []


def test_list_mappings_in_the_order_they_are_tried(session: Session, orgs: dict[str, int]) -> None:
    kinds = [mapping.match_kind for mapping in list_mappings(session)]
    assert kinds == ["npi", "billing_npi", "taxonomy", "facility_code"]


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"match_kind": "nip", "match_value": "1", "service_line": "x"}, "unknown match kind"),
        ({"match_kind": "npi", "match_value": "  ", "service_line": "x"}, "needs a value"),
        ({"match_kind": "npi", "match_value": RENDERING}, "must assign"),
    ],
)
def test_create_mapping_rejects_what_cannot_work(
    session: Session, fields: dict[str, str], complaint: str
) -> None:
    with pytest.raises(InputError, match=complaint):
        create_mapping(session, **fields)  # type: ignore[arg-type]


def test_database_refuses_an_unknown_match_kind(session: Session) -> None:
    with pytest.raises(IntegrityError):
        session.execute(
            insert(ProviderMapping).values(match_kind="zip", match_value="1", service_line="x")
        )
