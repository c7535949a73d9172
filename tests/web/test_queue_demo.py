"""/queue on the 3,000-claim demo: the same rows as `queue list`, and a coder in Chromium."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from denialscope.analytics.netbasis import net_basis
from denialscope.cli.main import _register, app
from denialscope.db.engine import open_database
from factories.browser import screenshot
from factories.web import WebClients


def _cli_list(web: WebClients) -> list[dict[str, Any]]:
    _register()
    result = CliRunner().invoke(
        app,
        [
            "queue",
            "list",
            "--limit",
            "0",
            "--format",
            "json",
            "--database",
            web.url,
            "--data-dir",
            str(web.settings.data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


@pytest.mark.parametrize(("role", "stream"), [("coder", "coding"), ("clinical", "clinical")])
def test_the_queue_json_is_the_cli_list_of_that_stream(
    demo_web: WebClients, role: str, stream: str
) -> None:
    cli = [row for row in _cli_list(demo_web) if row["stream"] == stream]
    assert len(cli) > 20  # the demo has work in this stream
    client = demo_web.as_role(role)
    first = client.get("/queue.json?per_page=200").json()
    assert first["total"] == len(cli)
    web_rows: list[dict[str, Any]] = []
    for page in range(1, first["pages"] + 1):
        web_rows += client.get(f"/queue.json?per_page=200&page={page}").json()["items"]
    assert [row["id"] for row in web_rows] == [row["id"] for row in cli]
    for ours, theirs in zip(web_rows, cli, strict=True):
        assert {key: ours[key] for key in theirs} == theirs  # every CLI field, same value
        assert ours["days_left"] is None or isinstance(ours["days_left"], int)


def test_the_net_dollars_are_the_net_basis_of_the_kpis(demo_web: WebClients) -> None:
    """One implementation: each row's net dollars are what ``report kpis`` sums per claim."""
    engine, factory = open_database(demo_web.url, migrate=False)
    try:
        with factory() as session:
            per_claim: dict[int, Decimal] = {}
            for group in net_basis(session).values():
                per_claim.update({claim: net for claim, (net, _r) in group.claims.items()})
    finally:
        engine.dispose()
    rows = demo_web.as_role("leader").get("/queue.json?per_page=200").json()["items"]
    assert len(rows) == 200
    assert {r["id"]: Decimal(r["dollars_at_risk_net"]) for r in rows} == {
        r["id"]: per_claim[r["claim_id"]] for r in rows
    }
    assert {r["net_basis"] for r in rows} <= {"allowed", "estimate"}


def test_a_coder_sorts_the_queue_and_takes_the_next_item(page_as: Any) -> None:
    page = page_as("coder")
    page.goto("/queue")
    assert page.locator("h1").inner_text().startswith("Work queue")
    rows = page.locator("#queue-table tbody tr")
    assert 0 < rows.count() <= 50  # one page (the demo's coding queue may be shorter)
    page.click("#queue-table th >> text=At risk")
    page.wait_for_load_state("networkidle")
    assert "sort=dollars" in page.url
    assert page.locator('th a[aria-current="true"]').inner_text() == "At risk"
    details = page.locator("details.basis").first
    details.locator("summary").click()
    assert details.locator("dt >> text=P(recovery)").is_visible()
    screenshot(page, "queue")
    page.click("#take-next")
    page.wait_for_load_state("domcontentloaded")
    assert "/claims/" in page.url and "?item=" in page.url


def test_a_lead_selects_rows_and_assigns_them_in_chromium(page_as: Any) -> None:
    page = page_as("leader")
    page.goto("/queue?stream=access&sort=deadline")
    page.locator("#select-all").check()
    assert page.locator("#selected-count").inner_text() == "50"
    page.locator("input.pick").nth(1).uncheck()
    assert page.locator("#selected-count").inner_text() == "49"
    page.select_option("#bulk-op", "assign")
    page.select_option("#bulk-user", "leader")
    page.click(".bulk button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "stream=access" in page.url
    mine = page.locator("#queue-table .assignee", has_text="leader")
    assert mine.count() == 49
    screenshot(page, "queue-lead")
