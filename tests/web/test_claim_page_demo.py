"""The claim page on the 3,000-claim demo: a coding item and a clinical item as their
workers (and the others) see them, acknowledgments and versions from real-format files."""

from __future__ import annotations

from sqlalchemy import func, select

from denialscope.claims.models import ClaimVersion
from denialscope.db.engine import open_database
from denialscope.workqueue.models import WorkItem
from factories.web import WebClients


def _claim_of(url: str, stream: str) -> int:
    """The claim of the demo's first work item of ``stream``."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            claim = session.scalar(
                select(WorkItem.claim_id).where(WorkItem.stream == stream).order_by(WorkItem.id)
            )
            assert claim is not None
            return claim
    finally:
        engine.dispose()


def _replaced_claim(url: str) -> int:
    """A demo claim sent twice (an original, then a replacement)."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            claim = session.scalar(
                select(ClaimVersion.claim_id)
                .group_by(ClaimVersion.claim_id)
                .having(func.count() > 1)
                .order_by(ClaimVersion.claim_id)
            )
            assert claim is not None
            return claim
    finally:
        engine.dispose()


def test_a_coder_sees_a_coding_claim_whole_and_not_a_clinical_one(demo_web: WebClients) -> None:
    coding, clinical = _claim_of(demo_web.url, "coding"), _claim_of(demo_web.url, "clinical")
    coder = demo_web.as_role("coder")
    data = coder.get(f"/claims/{coding}.json").json()
    assert data["stream"] == "coding"
    assert data["work_item"]["stream"] == "coding"
    assert data["diagnoses"] and data["lines"] and data["providers"]
    denial = next(p for p in data["payments"] if p["is_denial"])
    denied = [a for a in denial["adjustments"] if a["layer2"]["is_denial"]]
    assert denied and all(a["rule"] for a in denied)  # each decided by a named rule
    assert all(a["layer3"]["process_step"] for a in denied)
    kinds = {a["kind"] for a in data["acknowledgments"]}
    assert kinds == {"999", "277CA"}  # the 999 of its transaction set and its own 277CA
    page = coder.get(f"/claims/{coding}")
    assert page.status_code == 200
    assert 'id="form-propose"' in page.text and 'id="form-letter"' in page.text
    assert coder.get(f"/claims/{clinical}").status_code == 403
    assert coder.get(f"/claims/{clinical}.json").status_code == 403
    assert demo_web.as_role("access").get(f"/claims/{coding}.json").status_code == 403


def test_a_clinical_reviewer_opens_a_clinical_claim_and_previews_its_letter(
    demo_web: WebClients,
) -> None:
    clinical = _claim_of(demo_web.url, "clinical")
    reviewer = demo_web.as_role("clinical")
    data = reviewer.get(f"/claims/{clinical}.json").json()
    item = data["work_item"]["id"]
    preview = reviewer.post(f"/items/{item}/letter/preview", data={"signer": "Dr. Example"})
    assert preview.status_code == 200
    assert 'sandbox srcdoc="' in preview.text
    assert "Dr. Example" in preview.text
    as_json = reviewer.post(
        f"/items/{item}/letter/preview",
        data={"signer": "Dr. Example"},
        headers={"Accept": "application/json"},
    ).json()
    assert as_json["template"] and "<html" in as_json["html"].lower()
    assert "contact for questions" in as_json["missing"]


def test_a_replaced_claim_lists_both_submissions(demo_web: WebClients) -> None:
    claim = _replaced_claim(demo_web.url)
    data = demo_web.as_role("leader").get(f"/claims/{claim}.json").json()
    versions = [(v["version_no"], v["frequency_label"]) for v in data["versions"]]
    assert versions[:2] == [(1, "original"), (2, "replacement")]
    assert data["versions"][1]["original_payer_claim_number"]
