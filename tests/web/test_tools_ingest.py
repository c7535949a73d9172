"""The ingest page: uploads of X12 files and zips, each file's result, the loaded files, the
audit row, and the rules of every route (401, 403, CSRF, size limit), on both databases.

Hand-computed case: a good 837 (3 claims, factories.tools_uploads), a good 835 (1 claim
payment, CO-197 400.00: one denial) and the 837 cut after its 12th segment (no SE). The two
good files load (3 claims; 1 payment with 1 denial), the cut one fails naming itself and
segment 12; nothing of it is stored; the list of loaded files holds exactly the two good ones
under their upload names.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

from factories.tools_uploads import audit_rows, denial_835, three_claims_837, truncated_837
from factories.web import WebClients
from factories.zips import write_zeros_zip

JSON = {"Accept": "application/json"}


def _files(*items: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, content, "application/octet-stream")) for name, content in items]


def test_each_file_gets_its_result_and_a_bad_one_its_position(web: WebClients) -> None:
    client = web.as_role("biller")
    upload = _files(
        ("claims.837", three_claims_837()),
        ("remit.835", denial_835()),
        ("bad.837", truncated_837(12)),
    )
    response = client.post("/ingest", files=upload, headers=JSON)
    assert response.status_code == 200, response.text
    data = response.json()
    results = {f["name"]: f for f in data["result"]["files"]}
    assert set(results) == {"upload/claims.837", "upload/remit.835", "upload/bad.837"}
    claims, remit, bad = (
        results["upload/claims.837"],
        results["upload/remit.835"],
        results["upload/bad.837"],
    )
    assert (claims["status"], claims["claims"]) == ("ingested", 3)
    assert (remit["status"], remit["claim_payments"], remit["denials"]) == ("ingested", 1, 1)
    assert bad["status"] == "failed"
    assert bad["error"].startswith("upload/bad.837: the file is truncated: it ends at segment 12")
    assert "nothing was stored" in bad["error"]
    assert data["result"]["totals"]["failed"] == 1
    assert data["loaded_total"] == 2
    assert sorted(f["name"] for f in data["loaded"]) == ["upload/claims.837", "upload/remit.835"]
    assert all("denialscope-ingest" not in f["name"] for f in data["loaded"])
    audited = [row for row in audit_rows(web.url) if row[1] == "import"]
    assert [row[:3] for row in audited] == [("biller", "import", "file")]
    assert audited[0][4] == "3 file(s): 2 ingested, 0 already stored, 1 failed"


def test_the_page_shows_the_error_and_the_loaded_files(web: WebClients) -> None:
    client = web.as_role("leader")
    page = client.post("/ingest", files=_files(("bad.837", truncated_837(12))))
    assert page.status_code == 200
    assert "upload/bad.837: the file is truncated: it ends at segment 12" in page.text
    assert "No file loaded yet." in page.text
    again = client.post("/ingest", files=_files(("remit.835", denial_835())))
    assert "upload/remit.835" in again.text and "1 ingested" in again.text
    listing = client.get("/ingest.json").json()
    assert listing["loaded_total"] == 1 and listing["loaded"][0]["file_type"] == "835"


def test_the_same_bytes_twice_are_not_stored_again(web: WebClients) -> None:
    client = web.as_role("admin")
    first = client.post("/ingest", files=_files(("remit.835", denial_835())), headers=JSON)
    second = client.post("/ingest", files=_files(("remit again.835", denial_835())), headers=JSON)
    assert first.json()["result"]["files"][0]["status"] == "ingested"
    assert second.json()["result"]["files"][0]["status"] == "already_ingested"
    assert second.json()["loaded_total"] == 1


def test_a_zip_loads_its_members_and_a_zip_bomb_is_refused(web: WebClients, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("week/claims.837", three_claims_837())
    bomb = tmp_path / "bomb.zip"
    write_zeros_zip(bomb, name="zeros.837", size=16 << 20)  # 16 MiB of zeros in ~16 KB
    client = web.as_role("admin")
    response = client.post(
        "/ingest",
        files=_files(("batch.zip", archive.getvalue()), ("bomb.zip", bomb.read_bytes())),
        headers=JSON,
    )
    assert response.status_code == 200
    results = {f["name"]: f for f in response.json()["result"]["files"]}
    assert results["upload/batch.zip!week/claims.837"]["claims"] == 3
    refused = results["upload/bomb.zip!zeros.837"]
    assert refused["status"] == "failed"
    assert "decompression bomb" in refused["error"]
    assert "DENIALSCOPE_ZIP_MAX_RATIO" in refused["error"]
    assert response.json()["loaded_total"] == 1  # nothing of the bomb was stored


def test_ingest_routes_refuse_without_sign_in_permission_or_csrf(web: WebClients) -> None:
    upload = _files(("remit.835", denial_835()))
    anonymous = web.anonymous()
    assert anonymous.get("/ingest.json").status_code == 401
    assert anonymous.post("/ingest", files=upload).status_code == 401
    coder = web.as_role("coder")  # no upload_files
    assert coder.get("/ingest.json").status_code == 403
    assert coder.post("/ingest", files=upload).status_code == 403
    biller = web.as_role("biller")
    biller.headers.pop("X-CSRF-Token")
    assert biller.post("/ingest", files=upload).status_code == 403
    assert biller.get("/ingest.json").json()["loaded_total"] == 0  # nothing was ingested


def test_an_upload_over_the_limit_or_without_a_file_is_refused(web: WebClients) -> None:
    client = web.as_role("biller")
    empty = client.post("/ingest", files=_files(("", b"")), headers=JSON)
    assert empty.status_code == 400
    assert empty.json()["error"] == "choose at least one file to upload"
    web.app.state.settings = dataclasses.replace(web.settings, upload_max_bytes=2_000)
    large = client.post("/ingest", files=_files(("big.835", b"x" * 100_000)))
    assert large.status_code == 413
    assert "more than the limit of 2,000 bytes" in large.json()["detail"]
    # A client that under-declares: the copy itself stops at the limit, nothing is kept.
    sneaky = client.post("/ingest", files=_files(("big.835", b"x" * 30_000)), headers=JSON)
    assert sneaky.status_code == 413
    assert "nothing was kept" in sneaky.json()["error"]
    assert client.get("/ingest.json").json()["loaded_total"] == 0


def test_the_upload_limit_comes_from_the_environment(tmp_path: Path) -> None:
    import pytest

    from denialscope.errors import ConfigurationError
    from denialscope.settings import Settings

    env = {"DENIALSCOPE_UPLOAD_MAX_MB": "5"}
    assert Settings.resolve(data_dir=tmp_path, environ=env).upload_max_bytes == 5_000_000
    assert Settings.resolve(data_dir=tmp_path, environ={}).upload_max_bytes == 256_000_000
    with pytest.raises(ConfigurationError, match="DENIALSCOPE_UPLOAD_MAX_MB"):
        Settings.resolve(data_dir=tmp_path, environ={"DENIALSCOPE_UPLOAD_MAX_MB": "0"})
