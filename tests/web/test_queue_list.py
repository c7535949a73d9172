"""/queue: each role's streams, the facts of each row, filters, sorting, pages (both databases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.web.models import AuditEvent
from factories.queue_items import DAY, seed_queue, set_item
from factories.web import WebClients


def _items(client: Any, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/queue.json{query}")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        ("coder", {"coding_small", "coding_big", "coding_mid"}),
        ("access", {"access"}),
        ("clinical", {"clinical"}),
        ("biller", set()),
        ("leader", {"coding_small", "coding_big", "coding_mid", "access", "clinical"}),
    ],
)
def test_each_role_sees_the_items_of_its_own_streams(
    web: WebClients, role: str, labels: set[str]
) -> None:
    ids = seed_queue(web.url)
    seen = {item["id"] for item in _items(web.as_role(role))}
    assert seen == {ids[label] for label in labels}


def test_a_row_has_the_claim_the_denial_both_bases_and_the_priority_basis(
    web: WebClients,
) -> None:
    ids = seed_queue(web.url)
    set_item(web.url, ids["coding_big"], deadline=DAY + dt.timedelta(days=10))
    rows = {item["id"]: item for item in _items(web.as_role("coder"))}
    big = rows[ids["coding_big"]]
    assert big["claim_number"] == big["patient_account"]
    assert big["claim_number"].startswith("SYN")
    assert big["payer"] and big["service_from"] == str(DAY - dt.timedelta(days=30))
    assert big["reason_codes"] == ["CO-50"]
    assert big["root_cause"] == "modifier_missing_invalid"
    # Charges basis: the CAS amount. Net basis: a later adjudication (still denied) paid
    # $300 of the $1,000 charge, so the claim's ratio is 0.3: $1,000 x 0.3.
    assert big["dollars_at_risk"] == "1000.00"
    assert big["dollars_at_risk_net"] == "300.00"
    assert big["net_basis"] == "allowed"
    # No claim was paid clean to estimate from: the charge stands in, marked an estimate.
    small = rows[ids["coding_small"]]
    assert (small["dollars_at_risk_net"], small["net_basis"]) == ("100.00", "estimate")
    assert big["days_left"] == 10 and big["overdue"] is False
    assert big["p_basis"] and big["priority"] and big["recommended_action"]
    assert "last_name" not in big and "member_id" not in big


def test_overdue_items_say_so_in_words_not_only_in_red(web: WebClients) -> None:
    ids = seed_queue(web.url)
    set_item(web.url, ids["coding_mid"], deadline=DAY - dt.timedelta(days=3))
    set_item(web.url, ids["coding_small"], deadline=DAY + dt.timedelta(days=1))
    client = web.as_role("coder")
    overdue = _items(client, "?overdue=true")
    assert [(i["id"], i["days_left"], i["overdue"]) for i in overdue] == [
        (ids["coding_mid"], -3, True)
    ]
    page = client.get("/queue")
    assert page.status_code == 200
    assert 'class="overdue">overdue by 3 days' in page.text
    assert "1 day left" in page.text
    # Sent to the payer already: a passed deadline is no longer the worker's to beat.
    set_item(web.url, ids["coding_mid"], status="submitted")
    assert _items(client, "?overdue=true") == []


def test_filters_by_payer_root_cause_status_and_assignee(web: WebClients) -> None:
    ids = seed_queue(web.url)
    client = web.as_role("coder")
    data = client.get("/queue.json").json()
    payers = {p["name"]: p["id"] for p in data["choices"]["payers"]}
    assert set(data["choices"]["root_causes"]) == {
        "ncci_bundling",
        "modifier_missing_invalid",
        "units_mue",
    }
    payer_b = [i["id"] for i in _items(client, f"?payer={payers[_payer_b_name(data)]}")]
    assert payer_b == [ids["coding_big"]]
    assert [i["id"] for i in _items(client, "?root_cause=units_mue")] == [ids["coding_mid"]]
    set_item(web.url, ids["coding_small"], assigned_to="coder", status="in_review")
    assert [i["id"] for i in _items(client, "?assigned=me")] == [ids["coding_small"]]
    assert {i["id"] for i in _items(client, "?assigned=unassigned")} == {
        ids["coding_big"],
        ids["coding_mid"],
    }
    assert [i["id"] for i in _items(client, "?status=in_review")] == [ids["coding_small"]]
    assert client.get("/queue.json?status=lost").status_code == 400
    bad = client.get("/queue.json?sort=nope")
    assert bad.status_code == 400 and "sort must be one of" in bad.json()["error"]


def _payer_b_name(data: dict[str, Any]) -> str:
    names = [p["name"] for p in data["choices"]["payers"]]
    assert len(names) == 2
    found = [i["payer"] for i in data["items"] if i["root_cause"] == "modifier_missing_invalid"]
    assert found[0] in names
    return str(found[0])


def test_sorting_by_dollars_deadline_and_priority(web: WebClients) -> None:
    ids = seed_queue(web.url)
    set_item(web.url, ids["coding_small"], deadline=DAY + dt.timedelta(days=5))
    set_item(web.url, ids["coding_mid"], deadline=DAY + dt.timedelta(days=20))
    set_item(web.url, ids["coding_big"], deadline=None)
    client = web.as_role("coder")
    by_dollars = [i["id"] for i in _items(client, "?sort=dollars")]
    assert by_dollars == [ids["coding_big"], ids["coding_mid"], ids["coding_small"]]
    by_deadline = [i["id"] for i in _items(client, "?sort=deadline")]
    assert by_deadline == [ids["coding_small"], ids["coding_mid"], ids["coding_big"]]
    by_priority = _items(client)
    scores = [float(i["priority"]) for i in by_priority]
    assert scores == sorted(scores, reverse=True)


def test_pages_of_the_list(web: WebClients) -> None:
    ids = seed_queue(web.url)
    client = web.as_role("leader")
    first = client.get("/queue.json?sort=dollars&per_page=2").json()
    second = client.get("/queue.json?sort=dollars&per_page=2&page=2").json()
    third = client.get("/queue.json?sort=dollars&per_page=2&page=3").json()
    assert (first["total"], first["pages"]) == (5, 3)
    order = [i["id"] for page in (first, second, third) for i in page["items"]]
    # $1,000, $800, $500, $300, $100
    assert order == [
        ids["coding_big"],
        ids["clinical"],
        ids["access"],
        ids["coding_mid"],
        ids["coding_small"],
    ]
    html = client.get("/queue?sort=dollars&per_page=2&page=2").text
    assert 'href="/queue?sort=dollars&amp;per_page=2&amp;page=3" rel="next"' in html
    assert 'rel="prev"' in html


def test_a_leader_narrows_to_one_stream_and_a_worker_cannot_widen(web: WebClients) -> None:
    ids = seed_queue(web.url)
    leader = web.as_role("leader")
    assert [i["id"] for i in _items(leader, "?stream=access")] == [ids["access"]]
    coder = web.as_role("coder")
    assert coder.get("/queue.json?stream=access").status_code == 403
    assert coder.get("/queue?stream=clinical").status_code == 403
    assert coder.get("/queue.json?stream=coding").status_code == 200
    assert coder.get("/queue.json?stream=nonsense").status_code == 400


def test_an_item_of_another_stream_is_forbidden_by_id(web: WebClients) -> None:
    ids = seed_queue(web.url)
    access = web.as_role("access")
    assert access.get(f"/queue/items/{ids['coding_big']}.json").status_code == 403
    assert access.get(f"/queue/items/{ids['coding_big']}").status_code == 403
    own = access.get(f"/queue/items/{ids['access']}.json")
    assert own.status_code == 200 and own.json()["id"] == ids["access"]
    page = access.get(f"/queue/items/{ids['access']}")
    assert page.status_code == 303
    assert page.headers["location"] == f"/claims/{own.json()['claim_id']}?item={ids['access']}"
    assert access.get("/queue/items/999999.json").status_code == 404


def test_views_are_audited(web: WebClients) -> None:
    ids = seed_queue(web.url)
    client = web.as_role("coder")
    client.get("/queue.json?sort=dollars")
    client.get(f"/queue/items/{ids['coding_mid']}.json")
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            rows = session.execute(
                select(AuditEvent.action, AuditEvent.subject_type, AuditEvent.subject_id)
                .where(AuditEvent.username == "coder", AuditEvent.subject_type != "session")
                .order_by(AuditEvent.id)
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [  # signing in is audited too (subject "session")
        ("view", "work_queue", "coding"),
        ("view", "work_item", str(ids["coding_mid"])),
    ]


def test_signed_out_and_roles_without_the_permission(web: WebClients) -> None:
    anonymous = web.anonymous()
    assert anonymous.get("/queue.json").status_code == 401
    assert anonymous.get("/queue").status_code == 303
    assert anonymous.get("/queue/items/1.json").status_code == 401
    analyst = web.as_role("analyst")  # reads aggregates, works no item
    assert analyst.get("/queue.json").status_code == 403
    assert analyst.get("/queue/items/1.json").status_code == 403


def test_the_page_renders_money_and_no_raw_fractions(web: WebClients) -> None:
    seed_queue(web.url)
    html = web.as_role("leader").get("/queue").text
    assert "$1,000.00" in html and "$300.00 net" in html
    assert "Take next" in html and 'name="csrf_token"' in html
    assert "TESTPATIENT" not in html and "SYNMEM" not in html


def test_the_queue_filter_offers_every_queue_of_the_streams_and_follows_a_reroute(
    web: WebClients,
) -> None:
    ids = seed_queue(web.url)
    lead = web.as_role("leader")
    # The seed's items sit in three queues (coding x3, access, ur): all three are offered,
    # in the queues' own order, not only the first one found.
    assert lead.get("/queue.json").json()["choices"]["queues"] == ["ur", "coding", "access"]
    assert web.as_role("coder").get("/queue.json").json()["choices"]["queues"] == ["coding"]
    # An item re-routed to another queue: the choices follow at once (the cached choices
    # are keyed on the newest change of an item).
    set_item(web.url, ids["coding_mid"], queue="profee")
    choices = lead.get("/queue.json").json()["choices"]["queues"]
    assert choices == ["ur", "coding", "access", "profee"]
    assert 'id="f-queue"' in (page := lead.get("/queue").text)
    assert '<option value="profee">profee</option>' in page.split('id="f-queue"')[1]


def test_a_leads_row_choices_select_its_assignee_only(web: WebClients) -> None:
    ids = seed_queue(web.url)
    web.as_user("coder1", "coder")
    set_item(web.url, ids["coding_big"], assigned_to="coder1", status="in_review")
    page = web.as_role("leader").get("/queue").text

    def row(label: str) -> str:
        return page.split(f'id="assign-user-{ids[label]}"')[1].split("</select>")[0]

    assert '<option value="coder1" selected>coder1</option>' in row("coding_big")
    # The unassigned rows of the same stream share one rendering: nobody selected there.
    for label in ("coding_small", "coding_mid"):
        assert '<option value="coder1">coder1</option>' in row(label)
        assert "selected" not in row(label)
    assert "coder1" not in row("access")
