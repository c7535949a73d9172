"""The scrubber, ingest and administration pages in Chromium (Playwright), screenshots kept as
test-artifacts/web/scrubber.png, ingest.png, admin.png and admin-home.png.

The uploads go through tools.js (XMLHttpRequest with its progress bar); the server's page
with the results replaces the page's main part.
"""

from __future__ import annotations

from typing import Any

from denialscope.demo import DemoResult
from factories.browser import screenshot
from factories.tools_uploads import denial_835, truncated_837

BAD_MAPPING = b"""version: 1
rules:
  - id: site-197-referral
    carc: ["197"]
    root_cause: no_such_cause
    reason: Our payers send 197 when the referral is missing.
"""


def _file(name: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/octet-stream", "buffer": content}


def test_an_upload_of_a_bad_file_shows_its_error(page_as: Any) -> None:
    page = page_as("biller")
    page.goto("/ingest")
    page.set_input_files(
        "#files", files=[_file("bad.837", truncated_837(12)), _file("remit.835", denial_835())]
    )
    page.click("form.upload-form button[type=submit]")
    page.wait_for_selector(".file-result.failed")
    failed = page.inner_text(".file-result.failed")
    assert "upload/bad.837: the file is truncated: it ends at segment 12" in failed
    assert "upload/remit.835" in page.inner_text(".file-results")
    assert "upload/remit.835" in page.inner_text(".loaded-files")
    screenshot(page, "ingest")


def test_a_scrub_of_a_demo_837_shows_findings(page_as: Any, demo_files: DemoResult) -> None:
    largest = max(demo_files.files_837, key=lambda p: p.stat().st_size)
    page = page_as("coder")
    page.goto("/scrubber")
    page.set_input_files("#files", files=[_file(largest.name, largest.read_bytes())])
    page.click("form.upload-form button[type=submit]")
    page.wait_for_selector(".claims-table")
    assert page.locator(".claim-row").count() > 1
    assert page.locator("tr.finding").count() > 0
    assert largest.name in page.inner_text("#upload-result h2")
    screenshot(page, "scrubber")
    page.click("text=How each rule did on the claims already adjudicated")
    page.wait_for_selector("table.backtest", timeout=120_000)
    assert page.locator("table.backtest tbody tr").count() > 0
    screenshot(page, "scrubber-backtest")


def test_an_invalid_mapping_shows_its_line_and_the_admin_pages(page_as: Any) -> None:
    page = page_as("admin")
    page.goto("/admin")
    assert page.locator(".admin-pages a").count() == 5
    screenshot(page, "admin-home")
    page.click("text=Classification mapping")
    page.set_input_files("#validate-file", files=[_file("site.yaml", BAD_MAPPING)])
    page.click("text=Validate")
    page.wait_for_selector(".validation")
    text = page.inner_text(".validation")
    assert "Line 5" in text and "unknown root cause 'no_such_cause'" in text
    assert "Nothing was installed" in text
    screenshot(page, "admin")
