"""The audit trail: searched and exported by admins (the export audited), append-only, and
no patient identifier in the application's log while the pages are used."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable, Iterator

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from test_routes_sweep import PUBLIC, api_routes

from denialscope.claims.models import Claim, Patient
from denialscope.db.engine import open_database
from denialscope.web.audit import record_event
from denialscope.web.models import AuditEvent, AuditTampering
from factories.web import WebClients

DAY = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _session(url: str) -> Iterator[Session]:
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            yield session
    finally:
        engine.dispose()


@pytest.fixture
def audited(web: WebClients) -> WebClients:
    """Seven rows over three days (ids in insertion order), before any sign-in."""
    rows = [
        ("dana", "view", "claim", "101", DAY),
        ("dana", "view", "claim", "102", DAY + dt.timedelta(hours=1)),
        ("sam", "update", "work_item", "7", DAY + dt.timedelta(days=1)),
        ("sam", "view", "claim", "101", DAY + dt.timedelta(days=1, hours=2)),
        ("dana", "export", "report", None, DAY + dt.timedelta(days=2)),
        ("=cmd|' /C calc'!A0", "login_failed", "session", None, DAY + dt.timedelta(days=2)),
        ("dana", "view", "claim", "103", DAY + dt.timedelta(days=2, hours=5)),
    ]
    for session in _session(web.url):
        for username, action, subject_type, subject_id, at in rows:
            record_event(
                session, username=username, role="coder", action=action,
                subject_type=subject_type, subject_id=subject_id, at=at,
            )  # fmt: skip
        session.commit()
    return web


def _ids(body: dict[str, object]) -> list[str]:
    return [f"{r['username']}:{r['subject_id']}" for r in body["rows"]]  # type: ignore[attr-defined]


def test_search_by_user_action_subject_and_dates_newest_first(audited: WebClients) -> None:
    admin = audited.as_role("admin")  # adds its own login row, today
    by_user = admin.get("/admin/audit.json", params={"user": "dana", "action": "view"}).json()
    assert _ids(by_user) == ["dana:103", "dana:102", "dana:101"]
    assert by_user["total"] == 3 and by_user["pages"] == 1
    by_subject = admin.get(
        "/admin/audit.json", params={"subject_type": "claim", "subject_id": "101"}
    ).json()
    assert _ids(by_subject) == ["sam:101", "dana:101"]
    one_day = admin.get(
        "/admin/audit.json", params={"since": "2026-11-03", "until": "2026-11-03"}
    ).json()
    assert _ids(one_day) == ["sam:101", "sam:7"]
    everything = admin.get("/admin/audit.json").json()
    assert everything["total"] == 8 and everything["rows"][0]["action"] == "login"


def test_pages_of_the_search(audited: WebClients) -> None:
    admin = audited.as_role("admin")
    second = admin.get("/admin/audit.json", params={"page": 2, "page_size": 3}).json()
    assert (second["page"], second["pages"], second["total"]) == (2, 3, 8)
    assert [r["subject_id"] for r in second["rows"]] == [None, "101", "7"]
    page = admin.get("/admin/audit", params={"user": "dana", "page_size": 1, "page": 2})
    assert page.status_code == 200
    assert 'href="/admin/audit?user=dana&amp;page_size=1&amp;page=1"' in page.text
    assert 'href="/admin/audit?user=dana&amp;page_size=1&amp;page=3"' in page.text
    assert "4 events · page 2 of 4" in page.text
    assert "<td>2026-11-04 00:30:00</td>" not in page.text  # page 2 is dana's export
    assert "<td>2026-11-04 09:30:00</td>" in page.text


def test_a_bad_date_is_a_clear_error(audited: WebClients) -> None:
    admin = audited.as_role("admin")
    response = admin.get("/admin/audit", params={"since": "2026-13-01"})
    assert response.status_code == 400
    assert "from: &#39;2026-13-01&#39; is not a date (YYYY-MM-DD)" in response.text
    backwards = admin.get(
        "/admin/audit.json", params={"since": "2026-11-04", "until": "2026-11-02"}
    )
    assert backwards.status_code == 400 and "starts" in backwards.json()["error"]


def test_the_csv_export_is_the_search_and_is_itself_audited(audited: WebClients) -> None:
    admin = audited.as_role("admin")
    response = admin.get("/admin/audit.csv", params={"since": "2026-11-04", "until": "2026-11-30"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["username"], r["action"]) for r in rows] == [
        ("dana", "view"),
        ("'=cmd|' /C calc'!A0", "login_failed"),  # never a spreadsheet formula
        ("dana", "export"),
    ]
    assert rows[0]["at"] == "2026-11-04T14:30:00+00:00" and rows[0]["subject_id"] == "103"
    exports = admin.get("/admin/audit.json", params={"action": "export", "user": "admin"}).json()
    assert exports["total"] == 1
    assert exports["rows"][0]["subject_type"] == "audit"
    assert exports["rows"][0]["detail"] == "since=2026-11-04&until=2026-11-30"


def test_audit_rows_cannot_be_changed_or_removed(audited: WebClients) -> None:
    for session in _session(audited.url):
        row = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        assert row is not None
        row.action = "nothing"
        with pytest.raises(AuditTampering):
            session.flush()
        session.rollback()
        session.delete(session.get(AuditEvent, row.id))
        with pytest.raises(AuditTampering):
            session.flush()
        session.rollback()
        with pytest.raises(AuditTampering):
            session.execute(delete(AuditEvent))
        with pytest.raises(AuditTampering):
            session.execute(update(AuditEvent).values(username="x"))
        session.rollback()
        assert len(session.scalars(select(AuditEvent)).all()) == 7


def _identifiers(url: str) -> set[str]:
    identifiers: set[str] = set()
    for session in _session(url):
        for member, last, first in session.execute(
            select(Patient.member_id, Patient.last_name, Patient.first_name)
        ):
            identifiers.update(v for v in (member, last, first) if v and len(v) >= 3)
    return identifiers


def _leaks(records: Iterable[logging.LogRecord], identifiers: set[str]) -> list[str]:
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(i) for i in sorted(identifiers)) + r")\b", re.IGNORECASE
    )
    found = []
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        if match := pattern.search(text):
            found.append(f"{record.name}: {match.group(0)}")
    return found


def _walk(client: object, paths: list[str]) -> int:
    seen = 0
    for path in paths:
        for variant in (path, f"{path}.json" if not path.endswith(".json") else path):
            client.get(variant)  # type: ignore[attr-defined]
            seen += 1
    return seen


def test_no_patient_identifier_reaches_the_log(
    demo_web: WebClients, caplog: pytest.LogCaptureFixture
) -> None:
    identifiers = _identifiers(demo_web.url)
    assert len(identifiers) > 1000  # the demo's names and member ids
    for session in _session(demo_web.url):
        claim_id = session.scalars(select(Claim.id).order_by(Claim.id)).first()
    paths = sorted(
        {
            re.sub(r"\{[^}]+\}", str(claim_id), route.path)
            for route in api_routes(demo_web.app)
            if "GET" in route.methods and not route.path.startswith(PUBLIC)
        }
    )
    caplog.set_level(logging.DEBUG)
    seen = 0
    for role in ("admin", "leader", "coder"):
        seen += _walk(demo_web.as_role(role), paths)
    assert seen >= 3 * 10
    assert _leaks(caplog.records, identifiers) == []
    # The check itself notices a name in a log line.
    name = sorted(identifiers)[0]
    logging.getLogger("denialscope.web").warning("looked at %s", name)
    assert _leaks(caplog.records, identifiers) == [f"denialscope.web: {name}"]
