"""The events page: timeline of registered changes and spikes, before/after rates, register
an event (validated, audited); 401/403/CSRF; on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from denialscope.analytics.models import ChangeEvent
from denialscope.db.engine import open_database
from denialscope.web.models import AuditEvent
from factories.governance import build_governance_data
from factories.web import WebClients

GOOD_EVENT = {
    "event_date": "2025-04-01",
    "kind": "template",
    "department": "d1",  # codes are stored upper-case
    "description": "New cardiology note template",
}


def _load(web: WebClients) -> None:
    """The hand-built governance set (tests/factories/governance.py) in the app's database."""
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            build_governance_data(session)
    finally:
        engine.dispose()


def _rows(web: WebClients, model: type) -> list:  # type: ignore[type-arg]
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            return list(session.scalars(select(model)))
    finally:
        engine.dispose()


def test_signed_out_gets_401_and_the_page_redirects_to_login(web: WebClients) -> None:
    client = web.anonymous()
    assert client.get("/events.json").status_code == 401
    assert client.get("/events", headers={"Accept": "application/json"}).status_code == 401
    page = client.get("/events")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/events"
    assert client.post("/events", data=GOOD_EVENT).status_code == 401


@pytest.mark.parametrize("role", ["coder", "biller", "clinical", "access"])
def test_workers_may_not_see_or_register_events(web: WebClients, role: str) -> None:
    client = web.as_role(role)
    assert client.get("/events.json").status_code == 403
    assert client.get("/events").status_code == 403
    assert client.post("/events", data=GOOD_EVENT).status_code == 403


def test_registering_needs_the_csrf_token(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/events", data=GOOD_EVENT).status_code == 403
    assert client.post("/events", data={**GOOD_EVENT, "csrf_token": "forged"}).status_code == 403
    assert _rows(web, ChangeEvent) == []
    assert client.post("/events", data={**GOOD_EVENT, "csrf_token": token}).status_code == 303


def test_an_empty_database_shows_an_empty_timeline(web: WebClients) -> None:
    client = web.as_role("analyst")
    document = client.get("/events.json").json()
    assert document["events"] == [] and document["alerts"] == []
    page = client.get("/events")
    assert page.status_code == 200
    assert "No change event registered yet." in page.text
    assert "Register a change" in page.text  # analysts hold register_events


def test_a_registered_event_shows_its_before_and_after_rates(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    posted = client.post("/events", data=GOOD_EVENT)
    assert posted.status_code == 303
    (event,) = _rows(web, ChangeEvent)
    assert posted.headers["location"] == f"/events?registered={event.id}#event-{event.id}"
    assert (event.department, event.kind) == ("D1", "template")

    document = client.get("/events.json").json()
    (shown,) = document["events"]
    # D1 before 2025-04-01: the 10 Q1 claims (4 modifier, 1 medical necessity); after: the
    # 12 Q2 claims (10 ALPHA, 2 BETA; 3 + 2 = 5 modifier denials).
    assert (shown["claims_before"], shown["claims_after"]) == (10, 12)
    assert shown["scope"] == "department=D1"
    assert shown["description"] == "New cardiology note template"
    causes = {c["root_cause"]: c for c in shown["causes"]}
    modifier = causes["modifier_missing_invalid"]
    assert (modifier["denials_before"], modifier["denials_after"]) == (4, 5)
    assert modifier["rate_before"] == 0.4  # 4 / 10
    assert modifier["rate_after"] == 0.41667  # 5 / 12
    necessity = causes["medical_necessity"]
    assert (necessity["rate_before"], necessity["rate_after"]) == (0.1, 0.0)

    page = client.get("/events")
    assert page.status_code == 200
    assert f'id="event-{event.id}"' in page.text
    assert "40.0%" in page.text and "41.7%" in page.text  # finance formatting, not 0.4
    assert 'data-chart="events-timeline"' in page.text
    assert "New cardiology note template" in page.text

    (audit,) = [a for a in _rows(web, AuditEvent) if a.subject_type == "change_event"]
    assert (audit.action, audit.subject_id, audit.username) == ("create", str(event.id), "leader")


def test_a_payer_filter_narrows_the_before_after_analysis(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    assert client.post("/events", data=GOOD_EVENT).status_code == 303
    (shown,) = client.get("/events.json?payer=BETA").json()["events"]
    assert (shown["claims_before"], shown["claims_after"]) == (0, 2)  # BETA: 2 claims in Q2
    assert client.get("/events.json?payer=BETA").json()["filters"] == {"payer": "BETA"}


def test_wrong_fields_are_named_and_nothing_is_stored(web: WebClients) -> None:
    _load(web)
    client = web.as_role("analyst")
    wrong = {"event_date": "2025-02-30", "kind": "rumour", "department": "NOPE", "description": ""}
    answer = client.post("/events", json=wrong, headers={"Accept": "application/json"})
    assert answer.status_code == 422
    fields = answer.json()["fields"]
    assert fields["event_date"] == "'2025-02-30' is not a date (YYYY-MM-DD)"
    assert fields["kind"].startswith("choose one of order_set, template")
    assert fields["department"] == "no department with code 'NOPE'"

    page = client.post("/events", data={"event_date": "", "kind": "template"})
    assert page.status_code == 422
    assert "required (YYYY-MM-DD)" in page.text
    assert "give a department or a service line" in page.text
    assert re.search(r'id="e-date"[^>]*aria-invalid="true"', page.text)
    assert _rows(web, ChangeEvent) == []
    assert [a for a in _rows(web, AuditEvent) if a.subject_type == "change_event"] == []


def test_a_service_line_scope_is_accepted(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    answer = client.post(
        "/events",
        json={"event_date": "2025-04-01", "kind": "order_set", "service_line": "Cardiology"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 201
    assert answer.json()["service_line"] == "cardiology"
    unknown = client.post(
        "/events",
        json={"event_date": "2025-04-01", "kind": "order_set", "service_line": "astrology"},
        headers={"Accept": "application/json"},
    )
    assert unknown.status_code == 422
    assert "astrology" in unknown.json()["fields"]["service_line"]


def test_a_bad_filter_is_a_clear_400(web: WebClients) -> None:
    client = web.as_role("leader")
    answer = client.get("/events.json?from=2025-13-01")
    assert answer.status_code == 400
    assert answer.json()["error"] == "--from '2025-13-01' is not a date (YYYY-MM-DD)"
    page = client.get("/events?level=galaxy")
    assert page.status_code == 400
    assert "level &#39;galaxy&#39;: use one of stream, root_cause" in page.text
