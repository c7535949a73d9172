"""The claim page and its actions through HTTP, on SQLite and PostgreSQL: what it shows,
who may see and change what, the confirmation a second outcome needs, letters and corrected
claims, and the audit trail of every view, change and download."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from denialscope.db.engine import open_database
from denialscope.web.models import AuditEvent
from denialscope.workqueue.details import get_details
from denialscope.workqueue.models import WorkItem, WorkItemDocument
from denialscope.workqueue.schemas import HistoryEntry
from denialscope.workqueue.service import sync_work_items
from denialscope.x12.claim837.records import Claim as ClaimRecord
from denialscope.x12.reader import open_x12
from factories.denied import DeniedLine, make_denied_claim
from factories.web import WebClients

# Denied ten days ago: every appeal window is still open on the day the test runs.
DENIED_ON = dt.date.today() - dt.timedelta(days=10)


@dataclass(frozen=True)
class Seeded:
    coding_claim: int
    coding_item: int
    clinical_claim: int
    clinical_item: int


@pytest.fixture
def seeded(web: WebClients) -> Iterator[Seeded]:
    """A coding denial (an unspecified diagnosis: the coder supplies the code) and a clinical
    one (medical necessity), each with its work item."""
    engine, factory = open_database(web.url, migrate=False)
    with factory() as session:
        coding = make_denied_claim(
            session,
            root_cause="unspecified_diagnosis",
            dollars=Decimal("215.00"),
            denied_on=DENIED_ON,
            lines=[DeniedLine("99214", Decimal(200)), DeniedLine("36415", Decimal(15))],
            diagnoses=("R69",),
            carc="16",
        )
        clinical = make_denied_claim(
            session,
            root_cause="medical_necessity",
            dollars=Decimal("4321.50"),
            denied_on=DENIED_ON,
            diagnoses=("I509", "E119"),
        )
        sync_work_items(session=session, as_of=DENIED_ON)
        session.commit()
        items = dict(session.execute(select(WorkItem.claim_id, WorkItem.id)).tuples().all())
        yield Seeded(
            coding.claim_id, items[coding.claim_id], clinical.claim_id, items[clinical.claim_id]
        )
    engine.dispose()


def _audit(web: WebClients, **where: str) -> list[AuditEvent]:
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            query = select(AuditEvent).order_by(AuditEvent.id)
            for name, value in where.items():
                query = query.where(getattr(AuditEvent, name) == value)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def _item(web: WebClients, item_id: int) -> WorkItem:
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            item = session.get(WorkItem, item_id)
            assert item is not None
            session.expunge(item)
            return item
    finally:
        engine.dispose()


def _documents(web: WebClients, item_id: int) -> list[tuple[str, int]]:
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            query = select(WorkItemDocument.kind, WorkItemDocument.version).where(
                WorkItemDocument.work_item_id == item_id
            )
            rows = session.execute(query.order_by(WorkItemDocument.id)).tuples()
            return [(kind, version) for kind, version in rows]
    finally:
        engine.dispose()


def _error(html: str) -> str:
    found = re.search(r'id="page-error">([^<]*)<', html)
    return found.group(1) if found else ""


def test_the_page_and_every_action_need_a_session_a_permission_and_the_stream(
    web: WebClients, seeded: Seeded
) -> None:
    anonymous = web.anonymous()
    claim, item = seeded.clinical_claim, seeded.clinical_item
    assert anonymous.get(f"/claims/{claim}.json").status_code == 401
    assert anonymous.get(f"/claims/{claim}").headers["location"] == f"/login?next=/claims/{claim}"
    assert anonymous.post(f"/items/{item}/note", data={"text": "x"}).status_code == 401
    download = anonymous.get(f"/items/{item}/documents/letter/1")
    assert download.status_code == 303 and download.headers["location"].startswith("/login")

    coder = web.as_role("coder")  # works the coding stream only
    assert coder.get(f"/claims/{claim}").status_code == 403
    assert coder.get(f"/claims/{claim}.json").status_code == 403
    assert coder.post(f"/items/{item}/note", data={"text": "mine?"}).status_code == 403
    assert coder.post(f"/items/{item}/letter/preview", data={}).status_code == 403
    assert coder.get(f"/claims/{seeded.coding_claim}.json").status_code == 200

    analyst = web.as_role("analyst")  # sees every claim, works no item
    assert analyst.get(f"/claims/{claim}.json").status_code == 200
    assert analyst.post(f"/items/{item}/note", data={"text": "x"}).status_code == 403

    clinical = web.as_role("clinical")
    token = clinical.headers.pop("X-CSRF-Token")
    assert clinical.post(f"/items/{item}/note", data={"text": "no token"}).status_code == 403
    assert clinical.post(f"/items/{item}/outcome", data={"outcome": "upheld"}).status_code == 403
    sent = clinical.post(f"/items/{item}/note", data={"text": "with token", "csrf_token": token})
    assert sent.status_code == 303
    assert [h.kind for h in _history(web, item)].count("note") == 1  # only the one with a token
    assert clinical.get("/claims/999999.json").status_code == 404


def _history(web: WebClients, item_id: int) -> list[HistoryEntry]:
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            return list(get_details(session=session, item_id=item_id).history)
    finally:
        engine.dispose()


def test_the_page_shows_the_837_the_payments_in_three_layers_and_the_work_item(
    web: WebClients, seeded: Seeded
) -> None:
    leader = web.as_role("leader")
    data = leader.get(f"/claims/{seeded.clinical_claim}.json").json()
    assert data["stream"] == "clinical"
    assert data["patient"]["name"] == "ALEX TESTPATIENT"
    assert data["patient"]["birth_date"] == "1980-01-15"
    assert [d["code"] for d in data["diagnoses"]] == ["I509", "E119"]
    assert [(ln["line_no"], ln["procedure"], ln["charge"]) for ln in data["lines"]] == [
        (1, "99213", "4321.50")
    ]
    assert [p["role"] for p in data["providers"]] == ["billing"]
    (payment,) = data["payments"]
    assert (payment["seq"], payment["paid"], payment["denied_amount"]) == (1, "0.00", "4321.50")
    (adjustment,) = payment["adjustments"]
    assert (adjustment["layer1"]["group"], adjustment["layer1"]["carc"]) == ("CO", "50")
    assert adjustment["layer2"]["root_cause"] == "medical_necessity"
    assert adjustment["layer2"]["stream"] == "clinical"
    assert "rule" in adjustment
    work = data["work_item"]
    assert work["id"] == seeded.clinical_item
    assert work["dollars_at_risk"] == "4321.50"
    assert work["recommended_action"] and work["recommended_reason"]
    assert [h["kind"] for h in work["history"]] == ["created"]

    page = leader.get(f"/claims/{seeded.clinical_claim}")
    assert page.status_code == 200
    assert "ALEX TESTPATIENT" in page.text
    assert "$4,321.50" in page.text  # money as a finance reader reads it
    assert "4321.5" not in page.text.replace("4321.50", "")  # never a raw number
    assert "Recommended action" in page.text and work["recommended_reason"] in page.text
    views = _audit(web, action="view", subject_type="claim")
    assert [(v.username, v.subject_id) for v in views] == [
        ("leader", str(seeded.clinical_claim)),
        ("leader", str(seeded.clinical_claim)),
    ]


def test_choose_an_action_add_a_note_and_a_second_outcome_needs_a_confirmation(
    web: WebClients, seeded: Seeded
) -> None:
    clinical = web.as_role("clinical")
    item = seeded.clinical_item
    where = f"/claims/{seeded.clinical_claim}#work"
    chosen = clinical.post(
        f"/items/{item}/action", data={"action": "appeal_level_1", "reason": "records support"}
    )
    assert (chosen.status_code, chosen.headers["location"]) == (303, where)
    assert clinical.post(f"/items/{item}/note", data={"text": "called payer"}).status_code == 303
    assert clinical.post(f"/items/{item}/note", data={"text": "  "}).status_code == 400
    bad = clinical.post(f"/items/{item}/action", data={"action": "pray"})
    assert bad.status_code == 400 and "action must be one of" in _error(bad.text)
    submitted = clinical.post(f"/items/{item}/status", data={"status": "submitted"})
    assert submitted.status_code == 303

    overturned = {"outcome": "overturned", "recovered": "$1,200.50"}
    first = clinical.post(f"/items/{item}/outcome", data=overturned)
    assert first.status_code == 303
    stored = _item(web, item)
    assert (stored.status, stored.outcome, stored.recovered_amount) == (
        "resolved",
        "overturned",
        Decimal("1200.50"),
    )
    second = clinical.post(f"/items/{item}/outcome", data={"outcome": "upheld"})
    assert second.status_code == 409
    assert "already resolved as overturned" in _error(second.text)
    assert "Replace the recorded outcome" in _error(second.text)
    assert _item(web, item).outcome == "overturned"  # nothing changed
    as_json = clinical.post(
        f"/items/{item}/outcome",
        data={"outcome": "upheld"},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 409 and "already resolved" in as_json.json()["error"]

    upheld = {"outcome": "upheld", "confirm": "true"}
    confirmed = clinical.post(f"/items/{item}/outcome", data=upheld)
    assert confirmed.status_code == 303
    stored = _item(web, item)
    assert (stored.outcome, stored.recovered_amount) == ("upheld", None)
    history = _history(web, item)
    kinds = [h.kind for h in history]
    assert kinds == ["created", "action", "note", "status", "outcome", "outcome"]
    assert "replaces overturned" in (history[-1].detail or "")
    updates = _audit(web, action="update", subject_type="work_item", subject_id=str(item))
    assert [u.detail for u in updates] == [
        "action appeal_level_1: records support",
        "note added",  # what the note says stays in the item's history, not the audit log
        "status submitted",
        "outcome overturned, recovered 1200.50",
        "outcome upheld (confirmed over the recorded outcome)",
    ]
    assert all(u.username == "clinical" and u.subject_type == "work_item" for u in updates)
    won = {"outcome": "won", "confirm": "true"}
    assert clinical.post(f"/items/{item}/outcome", data=won).status_code == 400


def test_a_letter_is_previewed_generated_as_versions_and_downloaded(
    web: WebClients, seeded: Seeded
) -> None:
    clinical = web.as_role("clinical")
    item = seeded.clinical_item
    preview = clinical.post(f"/items/{item}/letter/preview", data={"signer": "Dr. Example"})
    assert preview.status_code == 200
    assert 'sandbox srcdoc="' in preview.text  # the letter shown in a sandboxed frame
    assert "medical necessity" in preview.text  # the template chosen by the root cause
    missing = re.search(r'id="letter-missing">([^<]*)<', preview.text)
    assert missing and "criteria set used" in missing.group(1)
    assert _documents(web, item) == []  # a preview stores nothing

    refused = clinical.post(f"/items/{item}/letter", data={"signer": "Dr. Example"})
    assert refused.status_code == 400
    assert "cannot be sent without" in _error(refused.text)
    assert "--" not in _error(refused.text)  # the page's words, not the CLI's options
    assert _documents(web, item) == []

    form = {"signer": "Dr. Example", "criteria": "MCG", "argument": "One.\n\nTwo."}
    form["draft"] = "true"
    assert clinical.post(f"/items/{item}/letter", data=form).status_code == 303
    assert clinical.post(f"/items/{item}/letter", data=form).status_code == 303
    assert _documents(web, item) == [("letter", 1), ("letter", 2)]
    page = clinical.get(f"/claims/{seeded.clinical_claim}")
    assert f"/items/{item}/documents/letter/2" in page.text
    pdf = clinical.get(f"/items/{item}/documents/letter/2")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "-v2.pdf" in pdf.headers["content-disposition"]
    exports = _audit(web, action="export")
    assert [(e.username, e.subject_id) for e in exports] == [("clinical", str(item))]
    assert clinical.get(f"/items/{item}/documents/letter/3").status_code == 404
    assert clinical.post(f"/items/{item}/letter", data={"template": "../x"}).status_code == 400


def test_a_corrected_claim_is_proposed_approved_written_read_back_and_downloaded(
    web: WebClients, seeded: Seeded, tmp_path: Path
) -> None:
    coder = web.as_role("coder")
    item = seeded.coding_item
    assert coder.post(f"/items/{item}/fixes").status_code == 303
    fixes = coder.get(f"/claims/{seeded.coding_claim}.json").json()["work_item"]["fixes"]
    (dx,) = [f for f in fixes if f["kind"] == "replace_diagnosis"]
    assert (dx["current"], dx["proposed"], dx["status"]) == ("R69", None, "proposed")

    undecided = coder.post(f"/items/{item}/fixes/review", data={})
    assert undecided.status_code == 400 and "at least one" in _error(undecided.text)
    no_value = coder.post(f"/items/{item}/fixes/review", data={f"decision-{dx['fix']}": "approve"})
    assert no_value.status_code == 400 and "needs a value" in _error(no_value.text)
    assert _documents(web, item) == []

    approved = coder.post(
        f"/items/{item}/fixes/review",
        data={f"decision-{dx['fix']}": "approve", f"value-{dx['fix']}": "E11.9"},
    )
    assert approved.status_code == 303
    assert _documents(web, item) == [("corrected_837", 1)]
    download = coder.get(f"/items/{item}/documents/corrected_837/1")
    assert download.status_code == 200
    path = tmp_path / "corrected.837"
    path.write_bytes(download.content)
    with open_x12(path) as reader:
        (claim,) = [r for r in reader if isinstance(r, ClaimRecord)]
    assert claim.frequency == "7"
    assert [c.code for c in claim.codes] == ["E119"]
    assert claim.total_charge == Decimal(215)
    audit = _audit(web, subject_type="work_item", subject_id=str(item))
    assert [a.action for a in audit] == ["update", "update", "export"]
    assert "corrected claim version 1 written and read back" in (audit[1].detail or "")


def _page_json(client: object, claim_id: int) -> dict[str, Any]:
    response = client.get(f"/claims/{claim_id}.json")  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _history_kinds(page: dict[str, Any]) -> list[str]:
    return [entry["kind"] for entry in page["work_item"]["history"]]


def test_a_claim_page_is_computed_once_then_again_after_each_change(
    web: WebClients, seeded: Seeded, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    from denialscope.claims import page_cache
    from denialscope.workqueue import browse

    now = [1000.0]
    monkeypatch.setattr(browse, "clock", lambda: now[0])  # no age limit reached unasked
    clinical, lead = web.as_role("clinical"), web.as_role("leader")
    claim, item = seeded.clinical_claim, seeded.clinical_item
    before, facts = page_cache._PAGES.computed, page_cache._FACTS.computed
    first = _page_json(clinical, claim)
    assert _page_json(lead, claim) == first  # another viewer: the kept page
    assert page_cache._PAGES.computed == before + 1
    # A change through the page: the next view shows it.
    assert clinical.post(f"/items/{item}/note", data={"text": "called payer"}).status_code == 303
    assert _history_kinds(_page_json(lead, claim)) == ["created", "note"]
    assert page_cache._PAGES.computed == before + 2
    assert page_cache._FACTS.computed == facts + 1  # the 837 and payments were kept
    # Another claim's change leaves this page kept.
    coder = web.as_role("coder")
    assert coder.post(f"/items/{seeded.coding_item}/note", data={"text": "x"}).status_code == 303
    _page_json(lead, claim)
    assert page_cache._PAGES.computed == before + 2
    # Past the age limit a page is computed again on PostgreSQL, changed or not (commits
    # can land out of id order there); SQLite's stamps are exact: no age limit.
    now[0] += 10.0
    _page_json(lead, claim)
    assert page_cache._PAGES.computed == before + (3 if backend == "postgresql" else 2)


def test_a_change_by_another_process_shows_on_the_next_claim_page_view(
    web: WebClients, seeded: Seeded
) -> None:
    from denialscope.workqueue.service import assign

    clinical = web.as_role("clinical")
    claim, item = seeded.clinical_claim, seeded.clinical_item
    assert _page_json(clinical, claim)["work_item"]["assigned_to"] is None
    # As another server process or the CLI would: its own engine, its own commit.
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            assign(session=session, item_id=item, user="someone", actor="lead")
            session.commit()
    finally:
        engine.dispose()
    assert _page_json(clinical, claim)["work_item"]["assigned_to"] == "someone"
    # A plain UPDATE of the item (no history event) moves the stamp too.
    set_assignee = update(WorkItem).where(WorkItem.id == item).values(assigned_to="other")
    engine, factory = open_database(web.url, migrate=False)
    try:
        with factory() as session:
            session.execute(set_assignee)
            session.commit()
    finally:
        engine.dispose()
    assert _page_json(clinical, claim)["work_item"]["assigned_to"] == "other"


def _form_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]*)"', html))


def test_a_kept_claim_page_carries_each_viewers_own_token_and_shows_the_next_change(
    web: WebClients, seeded: Seeded
) -> None:
    # The page's content is rendered once per kept page and kind of viewer; the CSRF token
    # of its forms is each viewer's own, or their posts would be refused (or, worse, accepted
    # with another's token).
    first, second = web.as_user("nurse1", "clinical"), web.as_user("nurse2", "clinical")
    analyst = web.as_role("analyst")
    claim, item = seeded.clinical_claim, seeded.clinical_item
    pages = [client.get(f"/claims/{claim}") for client in (first, second, first)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    mine, theirs = first.headers["X-CSRF-Token"], second.headers["X-CSRF-Token"]
    assert mine != theirs
    assert _form_tokens(pages[0].text) == {mine} == _form_tokens(pages[2].text)
    assert _form_tokens(pages[1].text) == {theirs}
    assert _main(pages[0].text).replace(mine, theirs) == _main(pages[1].text)  # else the same
    assert "csrfslot" not in pages[0].text
    assert 'id="form-note"' in pages[0].text
    read = analyst.get(f"/claims/{claim}").text  # who may not work items: no forms
    assert 'id="form-note"' not in read and "Work item" in read and "csrfslot" not in read
    # A post with the token the page carried (not the header) goes through ...
    form = _note_form_token(pages[1].text)
    del second.headers["X-CSRF-Token"]
    posted = second.post(f"/items/{item}/note", data={"text": "called payer", **form})
    assert posted.status_code == 303
    # ... and the next view of anyone shows it.
    assert "called payer" in first.get(f"/claims/{claim}").text
    assert "called payer" in analyst.get(f"/claims/{claim}").text


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def _note_form_token(html: str) -> dict[str, str]:
    """The hidden CSRF field of the note form of a claim page."""
    note_form = r'id="form-note">\s*<input type="hidden" name="csrf_token" value="([^"]*)"'
    found = re.search(note_form, html)
    assert found, "no note form"
    return {"csrf_token": found.group(1)}


def test_the_claims_at_the_top_of_the_queues_are_computed_before_their_first_view(
    web: WebClients, seeded: Seeded, backend: str
) -> None:
    from denialscope.claims import page_cache
    from denialscope.web.figures import warm_claim_pages

    clinical = web.as_role("clinical")  # the application started
    computed = warm_claim_pages(web.app)
    if backend == "postgresql":  # pages are recomputed after the age limit there anyway
        assert computed == 0
        return
    assert computed == 2  # both seeded claims head their streams' queues
    assert warm_claim_pages(web.app) == 0  # kept: a lookup each
    facts = page_cache._FACTS.computed
    taken = clinical.post("/queue/next")  # the take changes the work item, not the facts
    assert taken.status_code == 303
    assert taken.headers["location"].startswith(f"/claims/{seeded.clinical_claim}")
    page = _page_json(clinical, seeded.clinical_claim)
    assert page_cache._FACTS.computed == facts  # the first view found the facts computed
    assert page["work_item"]["assigned_to"] == "clinical"
    assert page["claim"]["id"] == seeded.clinical_claim and page["payments"]
