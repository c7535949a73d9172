"""The order check page: the same findings as `denialscope policy check` and CDS Hooks."""

from __future__ import annotations

from factories.web import WebClients


def test_a_high_risk_order_names_the_payers_policy(web: WebClients) -> None:
    client = web.as_role("clinical")
    query = {"codes": "72148", "payer": "SHP01", "dx": "M54.50", "setting": "outpatient",
             "date": "2026-03-02"}  # fmt: skip
    data = client.get("/policy.json", params=query).json()
    (order,) = data["check"]["orders"]
    assert order["risk"] == "high"
    assert "SHP-RAD-017" in [p["policy"] for p in order["policies"]]
    assert any(f["severity"] == "critical" for f in order["findings"])
    page = client.get("/policy", params=query)
    assert page.status_code == 200
    assert "SHP-RAD-017" in page.text and "example" in page.text


def test_bad_input_is_a_clear_message_not_a_crash(web: WebClients) -> None:
    client = web.as_role("coder")
    bad = client.get("/policy.json", params={"codes": "72148", "setting": "moon"})
    assert bad.status_code == 400
    assert "setting 'moon'" in bad.json()["error"]
    assert "not a date" in client.get("/policy", params={"codes": "1", "date": "x"}).text


def test_signed_out_is_refused(web: WebClients) -> None:
    assert web.anonymous().get("/policy.json").status_code == 401
