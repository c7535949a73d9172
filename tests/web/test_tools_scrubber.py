"""The scrubber page: uploaded 837s scrubbed claim by claim, the backtest ranking, the rules
of every route (401 signed out, 403 without the permission or the CSRF token, size limit).

Hand-computed case (factories.tools_uploads.three_claims_837): DUP2 bills 99213 twice on the
day CLEAN1 already bills it, so both its lines are rejected as duplicates; every claim warns
that the billing provider has no taxonomy. DUP2 comes first (most rejections), then CLEAN1
and MOD3 by claim number; 3 claims, 2 clean, 1 flagged.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from denialscope.db.engine import open_database
from denialscope.scrub.backtest import run_backtest
from denialscope.scrub.service import build_context
from factories.tools_uploads import audit_rows, three_claims_837, truncated_837
from factories.web import WebClients

JSON = {"Accept": "application/json"}


def _upload(name: str, content: bytes) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, content, "application/octet-stream"))]


def test_scrub_shows_each_claims_findings_with_suggestions(web: WebClients) -> None:
    client = web.as_role("coder")
    response = client.post(
        "/scrubber", files=_upload("batch.837", three_claims_837()), headers=JSON
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["files"] == ["batch.837"]
    summary = result["summary"]
    assert (summary["claims"], summary["clean"], summary["flagged"]) == (3, 2, 1)
    assert summary["run_id"] is None  # not kept unless asked
    assert [c["claim_id"] for c in result["claims"]] == ["DUP2", "CLEAN1", "MOD3"]
    dup = result["claims"][0]
    assert (dup["clean"], dup["rejects"], dup["warnings"], dup["lines"]) == (False, 2, 1, 2)
    assert dup["charge"] == "240"
    rejects = [f for f in dup["findings"] if f["severity"] == "reject"]
    assert [(f["rule"], f["line"]) for f in rejects] == [
        ("duplicate.service", 1),
        ("duplicate.service", 2),
    ]
    assert all("76/77/91" in f["suggestion"] for f in rejects)
    assert dup["findings"][0]["severity"] == "reject"  # rejections first, then warnings
    clean = result["claims"][1]
    assert (clean["clean"], clean["rejects"], clean["warnings"]) == (True, 0, 1)
    assert [row[1:4] for row in audit_rows(web.url) if row[1] == "scrub"] == [
        ("scrub", "upload", None)
    ]


def test_the_scrub_page_lists_claims_and_suggested_fixes(web: WebClients) -> None:
    client = web.as_role("biller")
    page = client.post("/scrubber", files=_upload("batch.837", three_claims_837()))
    assert page.status_code == 200
    text = page.text
    assert text.index("DUP2") < text.index("CLEAN1") < text.index("MOD3")
    assert "Remove the duplicate" in text
    assert "$240.00" in text  # the charge as currency


def test_keeping_the_results_stores_a_run(web: WebClients) -> None:
    client = web.as_role("analyst")
    response = client.post(
        "/scrubber", files=_upload("a.837", three_claims_837()), data={"store": "on"}, headers=JSON
    )
    assert response.status_code == 200
    assert isinstance(response.json()["result"]["summary"]["run_id"], int)


def test_a_damaged_837_names_the_file_and_position(web: WebClients) -> None:
    client = web.as_role("coder")
    response = client.post("/scrubber", files=_upload("bad.837", truncated_837(12)), headers=JSON)
    assert response.status_code == 400
    error = response.json()["error"]
    # 12 segments kept: the reader reports the transaction set (ST at segment 3) cut at 12.
    assert "bad.837" in error and "segment 12" in error and "no SE" in error
    assert "/tmp" not in error and "denialscope-scrub" not in error  # no server path
    page = client.post("/scrubber", files=_upload("bad.837", truncated_837(12)))
    assert page.status_code == 400 and "Not scrubbed: nothing to scrub: bad.837" in page.text


def test_scrubber_routes_refuse_without_sign_in_permission_or_csrf(web: WebClients) -> None:
    files = _upload("a.837", three_claims_837())
    anonymous = web.anonymous()
    assert anonymous.get("/scrubber.json").status_code == 401
    assert anonymous.post("/scrubber", files=files).status_code == 401
    assert anonymous.get("/scrubber/backtest.json").status_code == 401
    clinical = web.as_role("clinical")  # no scrub_claims
    assert clinical.get("/scrubber.json").status_code == 403
    assert clinical.post("/scrubber", files=files).status_code == 403
    assert clinical.get("/scrubber/backtest.json").status_code == 403
    coder = web.as_role("coder")
    coder.headers.pop("X-CSRF-Token")
    assert coder.post("/scrubber", files=files).status_code == 403
    assert coder.get("/scrubber.json").status_code == 200


def test_an_upload_over_the_limit_is_refused_before_it_is_read(web: WebClients) -> None:
    web.app.state.settings = dataclasses.replace(web.settings, upload_max_bytes=1_000)
    client = web.as_role("coder")
    response = client.post("/scrubber", files=_upload("big.837", b"x" * 200_000))
    assert response.status_code == 413
    assert "more than the limit of 1,000 bytes" in response.json()["detail"]
    assert "DENIALSCOPE_UPLOAD_MAX_MB" in response.json()["detail"]


def test_the_backtest_ranks_rules_with_precision_and_recall(demo_web: WebClients) -> None:
    client = demo_web.as_role("analyst")
    response = client.get("/scrubber/backtest.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    engine, factory = open_database(demo_web.url, migrate=False)
    try:
        with factory() as session:
            expected = run_backtest(
                session=session, context=build_context(settings=demo_web.settings)
            )
    finally:
        engine.dispose()
    assert data["rules"] == expected.to_dict()["rules"]
    assert data["claims"] == 3000 and data["adjudicated"] > 0
    caught = [r["caught"] for r in data["rules"]]
    assert caught == sorted(caught, reverse=True)  # the ranking: most denials caught first
    first = data["rules"][0]
    assert first["precision"] is not None and first["recall"] is not None
    page = client.get("/scrubber/backtest")
    assert page.status_code == 200
    assert f"{first['precision'] * 100:.1f}%" in page.text
    assert first["rule"] in page.text
