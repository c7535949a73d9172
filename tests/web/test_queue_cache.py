"""/queue pages kept per scope and stamp: computed once for every worker asking the same page,
never shown after a change anyone made (another process included), never shared where the
page is one user's own ("assigned to me"). Both databases."""

from __future__ import annotations

from typing import Any

import pytest

from denialscope.db.engine import open_database
from denialscope.workqueue import browse, service
from factories.queue_items import seed_queue, set_item
from factories.web import WebClients


def _page(client: Any, query: str = "") -> dict[str, Any]:
    response = client.get(f"/queue.json{query}")
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _assignees(page: dict[str, Any]) -> dict[int, str | None]:
    return {item["id"]: item["assigned_to"] for item in page["items"]}


def test_two_coders_opening_the_same_page_cost_one_computation(
    web: WebClients, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    now = [1000.0]
    monkeypatch.setattr(browse, "clock", lambda: now[0])  # no age limit reached unasked
    seed_queue(web.url)
    first, second = web.as_user("coder1", "coder"), web.as_user("coder2", "coder")
    before = browse._PAGES.computed
    one, two = _page(first), _page(second)
    assert one["items"] == two["items"] and one["total"] == two["total"] == 3
    assert browse._PAGES.computed == before + 1
    # Another scope (a filter) is its own page.
    _page(second, "?sort=dollars")
    assert browse._PAGES.computed == before + 2
    # Past the age limit it is recomputed on PostgreSQL (commits can land out of id order
    # there); SQLite's stamps are exact: no age limit.
    now[0] += 10.0
    _page(first)
    assert browse._PAGES.computed == before + (3 if backend == "postgresql" else 2)


def test_a_take_by_another_process_shows_on_the_next_view(web: WebClients) -> None:
    ids = seed_queue(web.url)
    coder = web.as_user("coder1", "coder")
    assert set(_assignees(_page(coder)).values()) == {None}
    # As another server process or the CLI would: its own engine, its own commit.
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            taken = service.next_item(
                session=session, queue=None, user="coder2", streams={"coding"}
            )
            assert taken is not None
            taken_id = taken.id
            session.commit()
    finally:
        engine.dispose()
    seen = _assignees(_page(coder))
    assert seen[taken_id] == "coder2"
    assert taken_id in {ids["coding_small"], ids["coding_big"], ids["coding_mid"]}


def test_a_column_rewritten_in_place_shows_on_the_next_view(web: WebClients) -> None:
    ids = seed_queue(web.url)
    coder = web.as_role("coder")
    assert _assignees(_page(coder))[ids["coding_mid"]] is None
    set_item(web.url, ids["coding_mid"], assigned_to="someone")  # a plain UPDATE, no event
    assert _assignees(_page(coder))[ids["coding_mid"]] == "someone"


def test_assigned_to_me_is_each_users_own_page(web: WebClients) -> None:
    ids = seed_queue(web.url)
    set_item(web.url, ids["coding_big"], assigned_to="coder1", status="in_review")
    first, second = web.as_user("coder1", "coder"), web.as_user("coder2", "coder")
    mine = _page(first, "?assigned=me")
    theirs = _page(second, "?assigned=me")
    assert [item["id"] for item in mine["items"]] == [ids["coding_big"]]
    assert theirs["items"] == [] and theirs["total"] == 0
    # The filters echoed are the asker's own, not those of whoever computed the page first.
    assert _page(second)["filters"]["assigned"] is None
