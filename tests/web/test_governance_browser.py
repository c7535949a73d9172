"""In Chromium on the demo: a leader opens events and governance, registers an event,
creates an action plan and downloads the governance PDF (screenshots events.png and
governance.png under test-artifacts/web/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.governance.service import governance_as_of
from denialscope.orgs.models import Department
from factories.browser import screenshot
from factories.pdf import pdf_pages


def _demo_facts(url: str) -> tuple[str, dt.date]:
    """A department code of the demo and its data's "today" (the newest adjudication)."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            code = session.scalars(select(Department.code).order_by(Department.code)).first()
            assert code is not None
            return code, governance_as_of(session)
    finally:
        engine.dispose()


def _drawn(page: Any, chart: str) -> None:
    page.wait_for_selector(f'[data-chart="{chart}"][data-drawn="true"]')
    assert page.locator(f'[data-chart="{chart}"] .main-svg').count() > 0  # a real plot


def test_a_leader_runs_the_governance_loop_in_the_browser(
    page_as: Any, live_demo: Any, tmp_path: Path
) -> None:
    department, as_of = _demo_facts(live_demo.database_url)
    page = page_as("leader")

    page.goto("/events")
    page.fill("#e-date", (as_of - dt.timedelta(days=120)).isoformat())
    page.select_option("#e-kind", "template")
    page.fill("#e-department", department)
    page.fill("#e-description", "Browser test: new note template")
    page.click("text=Register the change")
    page.wait_for_load_state("networkidle")
    assert "registered." in page.locator("[role=status]").inner_text()
    assert "Browser test: new note template" in page.content()
    _drawn(page, "events-timeline")
    screenshot(page, "events")

    page.goto("/governance")
    _drawn(page, "governance-top-causes")
    document = page.request.get("/governance.json").json()
    cause = document["top_root_causes"]["coding"][0]["root_cause"]
    page.select_option("#p-cause", cause)
    page.fill("#p-owner-name", "Dana Reyes")
    page.fill("#p-owner-role", "Coding manager")
    page.select_option("#p-metric", "dollars")
    page.fill("#p-change", "-30")
    page.fill("#p-due", (as_of + dt.timedelta(days=180)).isoformat())
    page.click("text=Create the plan")
    page.wait_for_load_state("networkidle")
    assert "created" in page.locator("[role=status]").inner_text()
    row = page.locator("tr[id^=plan-]").first
    assert "Dana Reyes (Coding manager)" in row.inner_text()
    assert "$" in row.inner_text()  # dollars shown as currency
    _drawn(page, "governance-top-causes")
    page.evaluate("window.scrollTo(0, 0)")  # the redirect scrolled to the new plan's row
    screenshot(page, "governance")

    with page.expect_download() as download:
        page.click("text=Download PDF")
    saved = tmp_path / "governance.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("governance-")
    content = saved.read_bytes()
    assert content.startswith(b"%PDF") and pdf_pages(content) >= 2
