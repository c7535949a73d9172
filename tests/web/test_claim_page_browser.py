"""The claim page in Chromium on the demo: a coder proposes, approves and downloads a
corrected claim (read back by our reader); a clinical reviewer previews, generates and
downloads a letter PDF; an access user cannot open a coding claim. Screenshots: claim.png,
letter.png (test-artifacts/web/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.web.models import AuditEvent
from denialscope.workqueue.models import WorkItem
from denialscope.x12.claim837.records import Claim as ClaimRecord
from denialscope.x12.reader import open_x12
from factories.browser import screenshot


def _submit_and_audit(page: Any, url: str, item: int, claim: int, user: str) -> list[str]:
    """Mark the item submitted on its page; the item's status and the user's audit trail."""
    page.select_option("#status", "submitted")
    page.click("#form-status button[type=submit]")
    page.wait_for_load_state("networkidle")
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            status = session.scalar(select(WorkItem.status).where(WorkItem.id == item))
            assert status == "submitted"
            rows = session.execute(
                select(AuditEvent.action, AuditEvent.subject_type, AuditEvent.subject_id)
                .where(AuditEvent.username == user)
                .order_by(AuditEvent.id)
            ).tuples()
            # Signing in lands a worker on their queue (its view is audited too): the trail
            # checked here is the claim's.
            return [f"{a} {t} {i}" for a, t, i in rows if t not in ("session", "work_queue")]
    finally:
        engine.dispose()


def _first_item(url: str, root_cause: str) -> tuple[int, int]:
    """(work item id, claim id) of the demo's first item of ``root_cause``."""
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            row = session.execute(
                select(WorkItem.id, WorkItem.claim_id)
                .where(WorkItem.root_cause == root_cause)
                .order_by(WorkItem.id)
                .limit(1)
            ).one()
            return row[0], row[1]
    finally:
        engine.dispose()


def test_a_coder_proposes_approves_and_downloads_a_corrected_claim(
    page_as: Any, live_demo: Any, tmp_path: Path
) -> None:
    item, claim = _first_item(live_demo.database_url, "invalid_diagnosis_code")
    page = page_as("coder")
    page.goto(f"/claims/{claim}")
    assert page.locator("h1").inner_text().startswith("Claim ")
    assert page.locator("#payments table.adjustments").count() >= 1
    page.click("#fixes-propose")
    page.wait_for_load_state("networkidle")
    approve = page.locator("#form-fixes input[type=radio][value=approve]").first
    fix = (approve.get_attribute("name") or "").removeprefix("decision-")
    approve.check()
    page.fill(f"#value-{fix}", "E11.9")
    page.click("#fixes-review")
    page.wait_for_load_state("networkidle")
    assert page.locator("#corrected-versions tbody tr").count() == 1
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "claim")
    with page.expect_download() as download:
        page.click("#corrected-versions a")
    target = tmp_path / "corrected.837"
    download.value.save_as(str(target))
    with open_x12(target) as reader:
        (record,) = [r for r in reader if isinstance(r, ClaimRecord)]
    assert record.frequency == "7"
    assert record.codes[0].code == "E119"
    assert f"/items/{item}/documents/corrected_837/1" in page.content()
    trail = _submit_and_audit(page, live_demo.database_url, item, claim, "coder")
    # Every step in the audit trail: each view of the page, each change, the download.
    assert trail == [
        f"view claim {claim}",
        f"update work_item {item}",  # fixes proposed
        f"view claim {claim}",
        f"update work_item {item}",  # decision recorded, 837 written and read back
        f"view claim {claim}",
        f"export work_item {item}",  # the 837 downloaded
        f"update work_item {item}",  # submitted
        f"view claim {claim}",
    ]


def test_a_clinical_reviewer_previews_generates_and_downloads_a_letter(
    page_as: Any, live_demo: Any, tmp_path: Path
) -> None:
    item, claim = _first_item(live_demo.database_url, "medical_necessity")
    page = page_as("clinical")
    page.goto(f"/claims/{claim}#letters")
    page.fill("#signer", "Dr. Example Reviewer")
    page.fill("#criteria", "MCG")
    page.fill("#argument", "The documented findings meet the criteria.\n\nRecords enclosed.")
    page.fill("#good_cause", "records arrived late from the outside facility")
    page.check("#letter-draft")
    page.check("#letter-force")
    page.click("#letter-preview")
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("iframe.letter-preview")
    assert "Dr. Example Reviewer" in frame.locator("body").inner_text()
    # Full-page captures draw a frame only once it has been on screen.
    page.locator("iframe.letter-preview").scroll_into_view_if_needed()
    screenshot(page, "letter")
    assert page.is_checked("#letter-draft") and page.is_checked("#letter-force")
    page.click("#letter-generate")
    page.wait_for_load_state("networkidle")
    with page.expect_download() as download:
        page.click("#letter-versions a")
    target = tmp_path / "letter.pdf"
    download.value.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")
    trail = _submit_and_audit(page, live_demo.database_url, item, claim, "clinical")
    assert trail == [
        f"view claim {claim}",
        f"view claim {claim}",  # the page again, with the preview
        f"update work_item {item}",  # letter version 1
        f"view claim {claim}",
        f"export work_item {item}",  # the PDF downloaded
        f"update work_item {item}",  # submitted
        f"view claim {claim}",
    ]


def test_an_access_user_cannot_open_a_coding_claim(page_as: Any, live_demo: Any) -> None:
    _item, claim = _first_item(live_demo.database_url, "invalid_diagnosis_code")
    page = page_as("access")
    response = page.goto(f"/claims/{claim}")
    assert response.status == 403
    assert "coding stream" in page.content()
