"""The leaders' pages in Chromium: the dashboard draws its charts, the Pareto of a payer's
clinical denials drills from a bar to the claims and to a claim; screenshots are saved
under test-artifacts/web/ (dashboard, pareto, claims, departments)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from factories.browser import screenshot

DRAWN = "[data-chart][data-drawn=true]"
PAYER = "SUMMIT HEALTH PLAN"  # the demo's payer with the injected clinical signal


def _drawn(page: Any, chart: str, marks: str) -> int:
    """Waits until app.js drew ``chart`` and returns how many ``marks`` (plotly's bars or
    points) it holds."""
    page.wait_for_selector(f'[data-chart="{chart}"][data-drawn=true]')
    count: int = page.locator(f'[data-chart="{chart}"] {marks}').count()
    return count


def test_a_leader_reads_the_dashboard(page_as: Any) -> None:
    page = page_as("leader")
    page.goto("/dashboard")
    assert _drawn(page, "trend-chart", ".scatterlayer .point") > 0
    assert _drawn(page, "stream-chart", ".barlayer .point") == 8  # 4 streams × 2 bases
    tile = page.locator(".tile[aria-describedby]").first
    tile.focus()
    definition = page.locator("#" + str(tile.get_attribute("aria-describedby")))
    assert definition.is_visible()  # the definition shows on keyboard focus
    assert "$" in page.locator(".tiles").inner_text()
    screenshot(page, "dashboard")


def test_a_leader_drills_from_the_pareto_of_a_payer_to_a_claim(page_as: Any) -> None:
    page = page_as("leader")
    page.goto(f"/pareto?stream=clinical&payer={PAYER.replace(' ', '+')}")
    assert _drawn(page, "pareto-chart", ".barlayer .point") > 0
    assert page.locator("tr.vital").count() >= 1
    screenshot(page, "pareto")
    bar = page.locator('[data-chart="pareto-chart"] .barlayer .point path').first
    box = bar.bounding_box()
    assert box is not None
    # plotly listens on its drag layer above the bars: click where the bar is drawn
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 3)
    page.wait_for_url(re.compile(r"/claims\?"))
    query = parse_qs(urlparse(page.url).query)
    assert query["stream"] == ["clinical"]
    assert query["payer"] == [PAYER]
    assert query["root_cause"][0]
    rows = page.locator("table.data tbody tr")
    assert rows.count() > 0
    assert PAYER in rows.first.inner_text()
    screenshot(page, "claims")
    link = rows.first.locator("a").first
    link.click()
    page.wait_for_url(re.compile(r"/claims/\d+$"))


def test_a_leader_reads_the_departments_funnel(page_as: Any) -> None:
    page = page_as("leader")
    page.goto("/departments")
    assert _drawn(page, "funnel-chart", ".scatterlayer .point") > 0
    assert page.locator("table.data tbody tr").count() > 3
    screenshot(page, "departments")
