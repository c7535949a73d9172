"""The governance page: top causes with owners, action plans (create/update, audited),
payer scorecard, report downloads (audited exports); 401/403/CSRF; SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.governance.models import ActionPlan
from denialscope.web.models import AuditEvent
from factories.governance import build_governance_data
from factories.pdf import pdf_pages
from factories.web import WebClients

PLAN = {
    "root_cause": "modifier_missing_invalid",
    "owner_role": "Coding manager",
    "owner_name": "Sam",
    "metric": "count",
    "change_pct": "-40",
    "due_date": "2025-12-31",
    "payer": "alpha",
}
JSON = {"Accept": "application/json"}


def _load(web: WebClients) -> None:
    """The hand-built set (tests/factories/governance.py); it has 3-4 claims a month, so the
    app is told a month needs 1 claim (the shipped default, 30, is for real volumes)."""
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            build_governance_data(session)
    finally:
        engine.dispose()
    web.app.state.settings = dataclasses.replace(web.settings, min_claims=1)


def _rows(web: WebClients, model: type) -> list:  # type: ignore[type-arg]
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            return list(session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def _audits(web: WebClients, subject_type: str) -> list[AuditEvent]:
    return [a for a in _rows(web, AuditEvent) if a.subject_type == subject_type]


def test_signed_out_gets_401_everywhere(web: WebClients) -> None:
    client = web.anonymous()
    for path in ("/governance.json", "/governance/report.pdf", "/governance/report.html"):
        assert client.get(path, headers=JSON).status_code == 401, path
    assert client.get("/governance").headers["location"] == "/login?next=/governance"
    assert client.post("/governance/plans", data=PLAN).status_code == 401
    assert client.post("/governance/plans/1", data={"status": "done"}).status_code == 401


@pytest.mark.parametrize("role", ["coder", "biller", "clinical", "access"])
def test_workers_get_403(web: WebClients, role: str) -> None:
    client = web.as_role(role)
    assert client.get("/governance.json").status_code == 403
    assert client.get("/governance").status_code == 403
    assert client.get("/governance/report.pdf").status_code == 403
    assert client.post("/governance/plans", data=PLAN).status_code == 403


def test_analysts_read_and_download_but_do_not_manage_plans(web: WebClients) -> None:
    _load(web)
    client = web.as_role("analyst")
    assert client.get("/governance.json?quarter=2025Q2").status_code == 200
    page = client.get("/governance?quarter=2025Q2")
    assert "New action plan" not in page.text and "Download PDF" in page.text
    assert client.post("/governance/plans", data=PLAN).status_code == 403
    assert client.post("/governance/plans/1", data={"status": "done"}).status_code == 403
    assert client.get("/governance/report.html?quarter=2025Q2").status_code == 200


def test_plan_writes_need_the_csrf_token(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/governance/plans", data=PLAN).status_code == 403
    assert client.post("/governance/plans", data={**PLAN, "csrf_token": "x"}).status_code == 403
    assert _rows(web, ActionPlan) == []
    assert client.post("/governance/plans", data={**PLAN, "csrf_token": token}).status_code == 303
    assert client.post("/governance/plans/1", data={"status": "done"}).status_code == 403
    assert _rows(web, ActionPlan)[0].status == "open"


def test_an_empty_database_says_why_and_still_offers_plans(web: WebClients) -> None:
    client = web.as_role("leader")
    answer = client.get("/governance.json")
    assert answer.status_code == 200
    assert answer.json()["action_plans"] == []
    assert "no" in answer.json()["error"].lower()
    page = client.get("/governance")
    assert page.status_code == 200
    assert "New action plan" in page.text
    assert client.get("/governance.json?quarter=2025Q9").status_code == 400


def test_the_quarter_shows_top_causes_with_owners_and_the_scorecard(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    document = client.get("/governance.json?quarter=2025Q2").json()
    assert document["quarter"] == "2025-Q2"
    # 2025-Q2: 12 claims (10 ALPHA, 2 BETA); 3 + 2 denied for modifier_missing_invalid.
    summary = document["summary"]
    assert (summary["claims_submitted"], summary["initial_denials"]) == (12, 5)
    assert summary["initial_denial_rate"] == "0.416667" and summary["denied_amount"] == "500.00"
    (coding,) = document["top_root_causes"]["coding"]
    assert coding["root_cause"] == "modifier_missing_invalid"
    assert (coding["dollars"], coding["owner_role"]) == ("500.00", "Coding")
    assert document["top_root_causes"]["clinical"] == []
    alpha, beta = document["payer_scorecard"]
    assert (alpha["payer"], alpha["initial_denial_rate_count"]) == ("ALPHA HEALTH", "0.300000")
    assert (beta["payer"], beta["initial_denial_rate_count"]) == ("BETA CARE", "1.000000")

    page = client.get("/governance?quarter=2025Q2").text
    assert "41.7%" in page and "$500.00" in page and "30.0%" in page
    assert "Modifier rules in the scrubber" in page
    assert 'data-chart="governance-top-causes"' in page


def test_a_leader_creates_and_updates_a_plan(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    posted = client.post("/governance/plans", data=PLAN)
    assert posted.status_code == 303
    (plan,) = _rows(web, ActionPlan)
    assert posted.headers["location"] == f"/governance?created={plan.id}#plan-{plan.id}"
    # Baseline: ALPHA, Feb-Apr 2025 (the latest complete 3 months on 2025-06-20 minus the
    # 30-day lag): 3 claims denied for the cause; -40% of 3 = 1.8, a count rounds to 2.
    assert (plan.payer, plan.stream, plan.owner_name) == ("alpha", "coding", "Sam")
    assert (plan.baseline_value, plan.target_value) == (3, 2)
    assert str(plan.baseline_from) == "2025-02-01" and str(plan.baseline_to) == "2025-04-30"

    (row,) = client.get("/governance.json?quarter=2025Q2").json()["action_plans"]
    assert row["owner"] == "Sam (Coding manager)"
    assert row["target"] == "count -40% by 2025-12-31"
    progress = row["progress"]
    assert (Decimal(progress["baseline"]), Decimal(progress["target"])) == (3, 2)
    page = client.get(f"/governance?quarter=2025Q2&created={plan.id}")
    assert f"Plan {plan.id} created" in page.text and f'id="plan-{plan.id}"' in page.text

    updated = client.post(
        f"/governance/plans/{plan.id}",
        json={"status": "at_risk", "note": "coder vacancy"},
        headers=JSON,
    )
    assert updated.status_code == 200
    assert updated.json()["status"] == "at_risk"
    assert updated.json()["notes"].endswith(": coder vacancy")

    created, changed = _audits(web, "action_plan")
    assert (created.action, created.subject_id) == ("create", str(plan.id))
    assert (changed.action, changed.username) == ("update", "leader")
    assert changed.detail == "status 'at_risk' + note"


def test_wrong_plan_fields_are_named_and_nothing_is_stored(web: WebClients) -> None:
    _load(web)
    client = web.as_role("leader")
    wrong = {
        **PLAN,
        "root_cause": "bad_luck",
        "owner_name": " ",
        "metric": "vibes",
        "change_pct": "0",
        "due_date": "2025-06-01",  # before the data's latest adjudication (2025-06-20)
        "payer": "OMEGA",
        "department": "D9",
    }
    answer = client.post("/governance/plans", json=wrong, headers=JSON)
    assert answer.status_code == 422
    fields = answer.json()["fields"]
    assert fields == {
        "root_cause": "unknown root cause 'bad_luck'",
        "owner_name": "required",
        "metric": "choose one of count, dollars, rate",
        "change_pct": "give a non-zero percent change, e.g. -40 for a 40% reduction",
        "due_date": "must be after the data's latest adjudication (2025-06-20)",
        "payer": "no payer's name, key or id matches 'OMEGA'",
        "department": "no department with code 'D9'",
    }
    page = client.post("/governance/plans", data={**PLAN, "change_pct": "lots"})
    assert page.status_code == 422
    assert "&#39;lots&#39; is not a percent between -100 and 1000" in page.text
    assert re.search(r'id="p-change"[^>]*aria-invalid="true"', page.text)
    assert _rows(web, ActionPlan) == [] and _audits(web, "action_plan") == []


def test_updating_a_missing_plan_or_a_wrong_status(web: WebClients) -> None:
    _load(web)
    client = web.as_role("admin")
    assert client.post("/governance/plans/99", data={"status": "done"}).status_code == 404
    assert client.post("/governance/plans", data=PLAN).status_code == 303
    (plan,) = _rows(web, ActionPlan)
    answer = client.post(f"/governance/plans/{plan.id}", json={"status": "won"}, headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["fields"]["status"].startswith("choose one of open, on_track")
    assert _rows(web, ActionPlan)[0].status == "open"


def test_the_report_downloads_are_attachments_and_audited(web: WebClients) -> None:
    _load(web)
    client = web.as_role("analyst")
    html = client.get("/governance/report.html?quarter=2025Q2")
    assert html.status_code == 200
    assert html.headers["content-disposition"] == 'attachment; filename="governance-2025-Q2.html"'
    assert html.headers["content-type"].startswith("text/html")
    assert "2025-Q2" in html.text and "modifier_missing_invalid" in html.text
    pdf = client.get("/governance/report.pdf?quarter=2025Q2")
    assert pdf.status_code == 200
    assert pdf.headers["content-disposition"] == 'attachment; filename="governance-2025-Q2.pdf"'
    assert pdf.content.startswith(b"%PDF")
    assert pdf_pages(pdf.content) >= 2  # the report's sections do not fit on one page
    exports = _audits(web, "governance_report")
    assert [(a.action, a.subject_id, a.username) for a in exports] == [
        ("export", "2025-Q2", "analyst"),
        ("export", "2025-Q2", "analyst"),
    ]
    assert exports[1].detail is not None and exports[1].detail.startswith("pdf, ")
    bad = client.get("/governance/report.pdf?quarter=next", headers=JSON)
    assert bad.status_code == 400
    assert len(_audits(web, "governance_report")) == 2  # a refused download is no export
