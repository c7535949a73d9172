"""Take next, assign and bulk actions on /queue: one owner per item, leads only, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.web.models import AuditEvent
from denialscope.workqueue.models import WorkItem, WorkItemEvent
from factories.queue_items import seed_queue
from factories.web import WebClients

JSON = {"Accept": "application/json"}


def _state(url: str) -> dict[int, tuple[str | None, str]]:
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            rows = session.execute(select(WorkItem.id, WorkItem.assigned_to, WorkItem.status))
            return {item_id: (user, status) for item_id, user, status in rows}
    finally:
        engine.dispose()


def _audit(url: str) -> list[tuple[str, str, str, str | None, str | None]]:
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            rows = session.execute(
                select(
                    AuditEvent.username,
                    AuditEvent.action,
                    AuditEvent.subject_type,
                    AuditEvent.subject_id,
                    AuditEvent.detail,
                )
                .where(AuditEvent.action == "update")
                .order_by(AuditEvent.id)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def _top_coding(client: Any) -> int:
    items = client.get("/queue.json?assigned=unassigned").json()["items"]
    return int(items[0]["id"])


def test_take_next_hands_the_top_item_and_opens_its_claim_page(web: WebClients) -> None:
    ids = seed_queue(web.url)
    coder = web.as_role("coder")
    top = _top_coding(coder)
    response = coder.post("/queue/next", data={"queue": ""})
    assert response.status_code == 303
    claim_id = coder.get(f"/queue/items/{top}.json").json()["claim_id"]
    assert response.headers["location"] == f"/claims/{claim_id}?item={top}"
    assert _state(web.url)[top] == ("coder", "in_review")
    assert ("coder", "update", "work_item", str(top), "taken") in _audit(web.url)
    assert top in {ids["coding_small"], ids["coding_big"], ids["coding_mid"]}


def test_two_workers_taking_in_turn_never_get_the_same_item(web: WebClients) -> None:
    ids = seed_queue(web.url)
    first = web.as_user("coder1", "coder")
    second = web.as_user("coder2", "coder")
    taken: list[int] = []
    for client in (first, second, first, second):
        response = client.post("/queue/next", headers=JSON)
        assert response.status_code == 200
        got = response.json()["taken"]
        taken.append(got["id"] if got else None)
    # Three coding items, four tries: each item once, the fourth finds nothing.
    assert taken[3] is None
    assert sorted(taken[:3]) == sorted([ids["coding_small"], ids["coding_big"], ids["coding_mid"]])
    owners = _state(web.url)
    assert owners[taken[0]][0] == owners[taken[2]][0] == "coder1"
    assert owners[taken[1]][0] == "coder2"
    empty = first.post("/queue/next")
    assert (empty.status_code, empty.headers["location"]) == (303, "/queue?notice=empty")
    assert "Nothing left to take" in first.get("/queue?notice=empty").text


def test_take_next_stays_in_the_workers_streams(web: WebClients) -> None:
    ids = seed_queue(web.url)
    access = web.as_role("access")
    # A queue that holds no access item gives nothing, never a coding item.
    nothing = access.post("/queue/next", data={"queue": "coding"}, headers=JSON)
    assert nothing.json() == {"taken": None}
    got = access.post("/queue/next", headers=JSON).json()["taken"]
    assert got["id"] == ids["access"] and got["stream"] == "access"
    assert access.post("/queue/next", data={"stream": "coding"}).status_code == 403
    bad = access.post("/queue/next", data={"queue": "nowhere"}, headers=JSON)
    assert bad.status_code == 400 and "queue must be one of" in bad.json()["error"]


def test_a_lead_assigns_and_reassigns_an_item(web: WebClients) -> None:
    ids = seed_queue(web.url)
    web.as_user("coder1", "coder")
    web.as_user("coder2", "coder")
    leader = web.as_role("leader")
    item = ids["coding_mid"]
    response = leader.post(
        f"/queue/items/{item}/assign", data={"user": "coder1", "next": "/queue?sort=dollars"}
    )
    assert (response.status_code, response.headers["location"]) == (303, "/queue?sort=dollars")
    assert _state(web.url)[item] == ("coder1", "in_review")
    leader.post(f"/queue/items/{item}/assign", data={"user": "coder2", "next": "//evil.example"})
    assert _state(web.url)[item][0] == "coder2"
    back = leader.post(f"/queue/items/{item}/assign", data={"user": ""}, headers=JSON)
    assert back.status_code == 200 and back.json()["assigned_to"] is None
    assert [a[4] for a in _audit(web.url)] == [
        "assigned queue -> coder1",
        "assigned coder1 -> coder2",
        "assigned coder2 -> queue",
    ]
    history = _events(web.url, item)
    assert history[-3:] == ["to coder1", "to coder2", "to the queue"]


def _events(url: str, item_id: int) -> list[str | None]:
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            return list(
                session.scalars(
                    select(WorkItemEvent.detail)
                    .where(WorkItemEvent.work_item_id == item_id, WorkItemEvent.kind == "assigned")
                    .order_by(WorkItemEvent.id)
                )
            )
    finally:
        engine.dispose()


def test_assigning_to_someone_who_does_not_work_the_stream_is_refused(web: WebClients) -> None:
    ids = seed_queue(web.url)
    web.as_user("coder1", "coder")
    leader = web.as_role("leader")
    wrong = leader.post(f"/queue/items/{ids['access']}/assign", data={"user": "coder1"})
    assert wrong.status_code == 400
    assert "is not an enabled user who works access items" in wrong.text
    ghost = leader.post(
        f"/queue/items/{ids['access']}/assign", data={"user": "ghost"}, headers=JSON
    )
    assert ghost.status_code == 400
    assert _state(web.url)[ids["access"]] == (None, "new")


def test_bulk_assign_and_status_for_leads(web: WebClients) -> None:
    ids = seed_queue(web.url)
    web.as_user("coder1", "coder")
    leader = web.as_role("leader")
    chosen = [ids["coding_small"], ids["coding_mid"]]
    response = leader.post(
        "/queue/bulk", data={"item_ids": chosen, "op": "assign", "user": "coder1"}
    )
    assert response.status_code == 303
    state = _state(web.url)
    assert [state[i][0] for i in chosen] == ["coder1", "coder1"]
    assert state[ids["coding_big"]][0] is None
    moved = leader.post(
        "/queue/bulk", data={"item_ids": chosen, "op": "status", "status": "awaiting_payer"}
    )
    assert moved.status_code == 303
    assert [_state(web.url)[i][1] for i in chosen] == ["awaiting_payer", "awaiting_payer"]
    leader.post("/queue/bulk", data={"item_ids": chosen, "op": "unassign"})
    assert [_state(web.url)[i][0] for i in chosen] == [None, None]
    audited = [(a[3], a[4]) for a in _audit(web.url)]
    assert audited == [
        (str(chosen[0]), "assigned queue -> coder1"),
        (str(chosen[1]), "assigned queue -> coder1"),
        (str(chosen[0]), "status in_review -> awaiting_payer"),
        (str(chosen[1]), "status in_review -> awaiting_payer"),
        (str(chosen[0]), "assigned coder1 -> queue"),
        (str(chosen[1]), "assigned coder1 -> queue"),
    ]


def test_a_bulk_action_is_all_or_nothing(web: WebClients) -> None:
    ids = seed_queue(web.url)
    leader = web.as_role("leader")
    before = _state(web.url)
    resolved = leader.post(
        "/queue/bulk",
        data={
            "item_ids": [ids["coding_small"], ids["access"]],
            "op": "status",
            "status": "resolved",
        },
        headers=JSON,
    )
    assert (
        resolved.status_code == 400 and "close an item with its outcome" in resolved.json()["error"]
    )
    missing = leader.post(
        "/queue/bulk", data={"item_ids": [ids["coding_small"], 999999], "op": "unassign"}
    )
    assert missing.status_code == 404
    assert leader.post("/queue/bulk", data={"op": "unassign"}).status_code == 400
    assert (
        leader.post("/queue/bulk", data={"item_ids": [ids["access"]], "op": "x"}).status_code == 400
    )
    assert _state(web.url) == before
    assert _audit(web.url) == []


def test_workers_may_not_assign_and_writes_need_the_csrf_token(web: WebClients) -> None:
    ids = seed_queue(web.url)
    coder = web.as_role("coder")
    item = ids["coding_mid"]
    assert coder.post(f"/queue/items/{item}/assign", data={"user": "coder"}).status_code == 403
    assert coder.post("/queue/bulk", data={"item_ids": [item], "op": "unassign"}).status_code == 403
    token = coder.headers.pop("X-CSRF-Token")
    assert coder.post("/queue/next").status_code == 403
    assert coder.post("/queue/next", data={"csrf_token": token}).status_code == 303
    leader = web.as_role("leader")
    leader.headers.pop("X-CSRF-Token")
    assert leader.post(f"/queue/items/{item}/assign", data={"user": ""}).status_code == 403
    assert (
        leader.post("/queue/bulk", data={"item_ids": [item], "op": "unassign"}).status_code == 403
    )
    anonymous = web.anonymous()
    assert anonymous.post("/queue/next").status_code == 401
    assert anonymous.post(f"/queue/items/{item}/assign").status_code == 401
    assert anonymous.post("/queue/bulk").status_code == 401
    analyst = web.as_role("analyst")
    assert analyst.post("/queue/next").status_code == 403


def test_the_leads_page_has_the_assign_and_bulk_forms_and_workers_do_not(
    web: WebClients,
) -> None:
    ids = seed_queue(web.url)
    web.as_user("coder1", "coder")
    lead_page = web.as_role("leader").get("/queue").text
    assert 'action="/queue/bulk"' in lead_page
    assert f'action="/queue/items/{ids["coding_big"]}/assign"' in lead_page
    assert '<option value="coder1">coder1 (coder)</option>' in lead_page  # bulk: anyone
    # One row's choices: who works its stream (the access item offers no coder).
    access_row = lead_page.split(f'id="assign-user-{ids["access"]}"')[1].split("</select>")[0]
    assert "coder1" not in access_row and "leader" in access_row
    coder_page = web.as_role("coder").get("/queue").text
    assert 'action="/queue/bulk"' not in coder_page and "/assign" not in coder_page
