"""Administration of the configuration files: the landing page, view, validate with line
numbers, install (previous version kept), reclassify with old -> new root cause counts, the
audit rows, and 401/403/CSRF on every route, on both databases.

Hand-computed case for reclassify: one stored 835 payment, PCN-OP, CO-197 400.00 without a
DRG: access / auth_not_obtained under the shipped mapping. SITE_MAPPING adds a rule sending
CARC 197 to referral_not_obtained, so reclassify changes exactly one adjustment:
auth_not_obtained -> referral_not_obtained, count 1.
"""

from __future__ import annotations

from pathlib import Path

from factories.tools_uploads import audit_rows, denial_835, three_claims_837
from factories.web import WebClients

JSON = {"Accept": "application/json"}
SITE_MAPPING = b"""version: 1
rules:
  - id: site-197-referral
    carc: ["197"]
    root_cause: referral_not_obtained
    priority: 900
    reason: Our payers send 197 when the referral is missing.
"""
# Line 5 names a root cause that does not exist.
BAD_MAPPING = SITE_MAPPING.replace(b"referral_not_obtained", b"no_such_cause")


def _file(name: str, content: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, content, "application/x-yaml")}


def test_the_admin_page_lists_every_administration_page(web: WebClients) -> None:
    client = web.as_role("admin")
    data = client.get("/admin.json").json()
    paths = [p["path"] for p in data["pages"]]
    assert paths == [
        "/admin/users",
        "/admin/audit",
        "/admin/mapping",
        "/admin/rule-packs",
        "/admin/workqueue",
    ]
    states = {c["kind"]: c for c in data["configuration"]}
    assert not states["mapping"]["override_installed"]
    assert states["mapping"]["in_effect"]["valid"]
    page = client.get("/admin")
    assert page.status_code == 200
    assert 'href="/admin/users"' in page.text and 'href="/admin/audit"' in page.text


def test_an_invalid_mapping_is_refused_with_its_line_and_nothing_installed(
    web: WebClients,
) -> None:
    client = web.as_role("admin")
    response = client.post("/admin/mapping/install", files=_file("site.yaml", BAD_MAPPING))
    assert response.status_code == 400
    assert "Line 5" in response.text and "unknown root cause" in response.text
    assert "Nothing was installed" in response.text
    assert not (web.settings.data_dir / "classification.yaml").exists()
    as_json = client.post(
        "/admin/mapping/validate", files=_file("site.yaml", BAD_MAPPING), headers=JSON
    ).json()
    assert as_json["validation"]["valid"] is False
    assert as_json["validation"]["line"] == 5
    assert as_json["validation"]["error"].startswith("site.yaml:5: ")
    assert as_json["override_installed"] is False
    assert [5, "    root_cause: no_such_cause"] in as_json["validation"]["excerpt"]
    nothing = client.post("/admin/mapping/install", files=_file("", b""), headers=JSON)
    assert nothing.status_code == 400 and nothing.json()["error"] == "choose a YAML file to upload"
    syntax = client.post(
        "/admin/mapping/validate", files=_file("s.yaml", b"rules: [\n  - id: x\n"), headers=JSON
    ).json()["validation"]
    # Line 2: a block entry ("- ") inside the flow sequence opened on line 1.
    assert syntax["valid"] is False and syntax["line"] == 2 and "YAML syntax" in syntax["error"]


def test_install_keeps_the_previous_version_and_reclassify_shows_what_changed(
    web: WebClients,
) -> None:
    client = web.as_role("admin")
    loaded = client.post(
        "/ingest", files={"files": ("remit.835", denial_835(), "text/plain")}, headers=JSON
    )
    assert loaded.json()["result"]["files"][0]["denials"] == 1
    checked = client.post(
        "/admin/mapping/validate", files=_file("site.yaml", SITE_MAPPING), headers=JSON
    ).json()
    assert checked["validation"]["valid"] is True
    assert not (web.settings.data_dir / "classification.yaml").exists()  # validate only
    installed = client.post(
        "/admin/mapping/install",
        files=_file("site.yaml", SITE_MAPPING),
        data={"reclassify": "on"},
        headers=JSON,
    ).json()
    target = web.settings.data_dir / "classification.yaml"
    assert target.read_bytes() == SITE_MAPPING
    assert installed["installed"]["previous"] is None
    assert installed["override_installed"] is True
    reclassified = installed["reclassified"]
    assert reclassified["transitions"] == [
        {"from": "auth_not_obtained", "to": "referral_not_obtained", "count": 1}
    ]
    assert reclassified["adjustments_changed"] == 1
    # A second version: the first is kept in config_history/.
    second = SITE_MAPPING.replace(b"priority: 900", b"priority: 901")
    again = client.post("/admin/mapping/install", files=_file("v2.yaml", second), headers=JSON)
    kept = Path(again.json()["installed"]["previous"])
    assert kept.parent == web.settings.data_dir / "config_history"
    assert kept.read_bytes() == SITE_MAPPING and target.read_bytes() == second
    assert [p["name"] for p in again.json()["previous"]] == [kept.name]
    # Reclassify again: nothing left to change.
    rerun = client.post("/admin/mapping/reclassify", headers=JSON).json()["reclassified"]
    assert rerun["transitions"] == [] and rerun["adjustments_changed"] == 0
    page = client.post("/admin/mapping/reclassify")
    assert "No stored adjustment changed root cause." in page.text
    audited = [row for row in audit_rows(web.url) if row[2] == "config"]
    assert [(row[1], row[3]) for row in audited] == [
        ("validate", "mapping"),
        ("update", "mapping"),  # installed
        ("update", "mapping"),  # reclassified
        ("update", "mapping"),  # second version
        ("update", "mapping"),  # reclassify now (JSON)
        ("update", "mapping"),  # reclassify now (page)
    ]
    assert "1 adjustment(s) changed" in (audited[2][4] or "")


def test_a_rule_pack_installed_here_is_what_the_scrubber_uses(web: WebClients) -> None:
    admin = web.as_role("admin")
    bad = b"version: 1\npayers:\n  PAYERA: {filing_limit_days: soon}\n"
    refused = admin.post("/admin/rule-packs/install", files=_file("p.yaml", bad), headers=JSON)
    assert refused.status_code == 400
    assert refused.json()["validation"]["line"] == 3
    assert not web.settings.scrub_pack_file.exists()
    pack = b'version: 1\nprior_auth:\n  - {payer: PAYERA, procedures: ["99213"]}\n'
    ok = admin.post("/admin/rule-packs/install", files=_file("pack.yaml", pack), headers=JSON)
    assert ok.status_code == 200 and web.settings.scrub_pack_file.read_bytes() == pack
    coder = web.as_role("coder")
    scrubbed = coder.post(
        "/scrubber", files={"files": ("a.837", three_claims_837(), "text/plain")}, headers=JSON
    ).json()["result"]
    rules = {f["rule"] for c in scrubbed["claims"] for f in c["findings"]}
    assert any(rule.startswith("prior_auth") for rule in rules)


def test_a_workqueue_error_is_located_to_its_line(web: WebClients) -> None:
    client = web.as_role("admin")
    text = b"decision_tree:\n  coding:\n    - action: resubmit\n    - action: fax_it\n"
    verdict = client.post(
        "/admin/workqueue/validate", files=_file("wq.yaml", text), headers=JSON
    ).json()["validation"]
    assert verdict["valid"] is False
    assert verdict["line"] == 4 and verdict["key"] == "decision_tree.coding[1]"
    assert "unknown action 'fax_it'" in verdict["error"]
    good = b"thresholds:\n  small_balance: 30\n"
    view = client.post("/admin/workqueue/install", files=_file("wq.yaml", good), headers=JSON)
    assert view.status_code == 200, view.text
    assert web.settings.workqueue_file.read_bytes() == good
    assert client.get("/admin/workqueue.json").json()["override_text"] == good.decode()


def test_admin_routes_refuse_without_sign_in_permission_or_csrf(web: WebClients) -> None:
    anonymous = web.anonymous()
    leader = web.as_role("leader")  # no administer
    admin = web.as_role("admin")
    admin.headers.pop("X-CSRF-Token")
    for path in (
        "/admin.json",
        "/admin/mapping.json",
        "/admin/rule-packs.json",
        "/admin/workqueue.json",
    ):
        assert anonymous.get(path).status_code == 401
        assert leader.get(path).status_code == 403
        assert admin.get(path).status_code == 200
    for path in (
        "/admin/mapping/validate",
        "/admin/workqueue/install",
        "/admin/rule-packs/install",
    ):
        upload = _file("x.yaml", SITE_MAPPING)
        assert anonymous.post(path, files=upload).status_code == 401
        assert leader.post(path, files=upload).status_code == 403
        assert admin.post(path, files=upload).status_code == 403  # no CSRF token
    assert anonymous.post("/admin/mapping/reclassify").status_code == 401
    assert leader.post("/admin/mapping/reclassify").status_code == 403
    assert admin.post("/admin/mapping/reclassify").status_code == 403
    assert not web.settings.workqueue_file.exists()
