"""`export parquet` from X12 files: typed tables, classification, manifest, refusals, splits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from scale_support import read_all, read_table

from denialscope.classify.config import load_config
from denialscope.scale.export import export_files
from denialscope.scale.manifest import MANIFEST_FILE, Manifest
from denialscope.scale.schema import SCHEMA_VERSION, arrow_schema
from factories.x12text import Cas, Clm, Clp, Line, Svc, x12_835, x12_837p

D = Decimal
DAY = dt.date(2024, 3, 1)
CONFIG = load_config([])


def _claim() -> str:
    return x12_837p([Clm("C100", [Line("99213", D(100), DAY), Line("80053", D(100), DAY)])])


def _remit(control: int = 1) -> str:
    """C100 paid 100 of 200: line 2 denied for medical necessity (CO-50 100.00)."""
    return x12_835(
        [
            Clp(
                "C100",
                "1",
                D(200),
                D(100),
                "PCN9",
                services=[
                    Svc("99213", D(100), D(100), DAY),
                    Svc("80053", D(100), D(0), DAY, adjustments=[Cas("CO", "50", D(100))]),
                ],
            )
        ],
        paid_on=dt.date(2024, 3, 20),
        control=control,
    )


def _export(paths: list[Path], out: Path) -> object:
    return export_files(paths=paths, out=out, classification=CONFIG)


def test_hand_computed_claim_and_denied_line(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    # The 835 sorts first by name: the 837 must still be read first for the claim type.
    (src / "a.835").write_text(_remit())
    (src / "b.837").write_text(_claim())
    report = export_files(paths=[src], out=tmp_path / "out", classification=CONFIG)
    assert [f.status for f in report.files] == ["written", "written"]
    tables = read_all(tmp_path / "out")
    assert {t: len(rows) for t, rows in tables.items()} == {
        "claims": 1,
        "claim_lines": 2,
        "diagnoses": 1,
        "claim_payments": 1,
        "service_payments": 2,
        "adjustments": 1,
        "provider_adjustments": 0,
        "acknowledgments": 0,
        "claim_versions": 0,  # decided at ingest: the database export only
        "work_items": 0,
    }
    claim = tables["claims"][0]
    assert (claim["patient_control_number"], claim["claim_type"]) == ("C100", "professional")
    assert claim["total_charge"] == D("200.00")
    assert claim["file_date"] == "2024-01-01"  # GS04 of the writer's envelope
    payment = tables["claim_payments"][0]
    assert payment["charge"] == D("200.00") and payment["paid"] == D("100.00")
    assert payment["claim_type"] == "professional"  # from the 837, read first
    assert payment["denial_type"] == "line_denial"
    assert payment["is_denial"] is True
    assert payment["denied_amount"] == D("100.00")
    assert (payment["primary_stream"], payment["primary_root_cause"]) == (
        "clinical",
        "medical_necessity",
    )
    adj = tables["adjustments"][0]
    assert (adj["group_code"], adj["reason_code"], adj["amount"]) == ("CO", "50", D("100.00"))
    assert (adj["level"], adj["service_seq"], adj["payment_key"]) == (
        "line",
        2,
        payment["payment_key"],
    )
    assert (adj["category"], adj["stream"], adj["rule_id"]) == ("denial", "clinical", "carc-50")
    assert adj["process_step"]  # layer 3 filled from the defaults
    lines = tables["service_payments"]
    assert [(s["service_seq"], s["procedure"], s["paid"]) for s in lines] == [
        (1, "99213", D("100.00")),
        (2, "80053", D("0.00")),
    ]


def test_money_is_decimal_and_schema_is_versioned(tmp_path: Path) -> None:
    (tmp_path / "b.835").write_text(_remit())
    _export([tmp_path / "b.835"], tmp_path / "out")
    import pyarrow.parquet as pq

    files = list((tmp_path / "out" / "claim_payments").glob("file_date=2024-01-01/*.parquet"))
    assert len(files) == 1
    schema = pq.read_schema(files[0])
    assert str(schema.field("paid").type) == "decimal128(18, 2)"
    assert str(schema.field("denied_amount").type) == "decimal128(18, 2)"
    assert schema.metadata[b"denialscope.schema_version"] == str(SCHEMA_VERSION).encode()
    assert "file_date" in arrow_schema("claim_payments").names


def test_payment_without_its_837_has_no_claim_type(tmp_path: Path) -> None:
    (tmp_path / "b.835").write_text(_remit())
    _export([tmp_path / "b.835"], tmp_path / "out")
    assert read_table(tmp_path / "out", "claim_payments")[0]["claim_type"] is None


def test_rerun_and_resend_add_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / "b.835").write_text(_remit(control=1))
    _export([tmp_path / "b.835"], out)
    again = _export([tmp_path / "b.835"], out)
    assert [f.status for f in again.files] == ["same_bytes"]  # type: ignore[attr-defined]
    # Same content, a line break after every segment: other bytes, nothing new.
    (tmp_path / "c.835").write_text(_remit(control=1).replace("~", "~\n"))
    resent = _export([tmp_path / "c.835"], out)
    assert [f.status for f in resent.files] == ["same_content"]  # type: ignore[attr-defined]
    assert len(read_table(out, "claim_payments")) == 1
    assert len(read_table(out, "adjustments")) == 1
    manifest = Manifest(out)
    assert [e.duplicate_of is None for e in manifest.entries] == [True, False]
    assert manifest.entries[1].duplicate_of == manifest.entries[0].sha256


def test_truncated_file_is_refused_whole_and_others_written(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    text = _remit()
    (src / "cut.835").write_text(text[: text.index("SE*")])
    (src / "good.837").write_text(_claim())
    report = _export([src], tmp_path / "out")
    by_name = {Path(f.name).name: f for f in report.files}  # type: ignore[attr-defined]
    assert by_name["good.837"].status == "written"
    refused = by_name["cut.835"]
    assert refused.status == "refused"
    assert "cut.835" in refused.reason and "no SE" in refused.reason
    out = tmp_path / "out"
    assert read_table(out, "claim_payments") == [] and read_table(out, "adjustments") == []
    assert len(read_table(out, "claims")) == 1
    assert [Path(e.name).name for e in Manifest(out).entries] == ["good.837"]


def test_not_x12_is_refused_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "notes.edi").write_text("hello, this is not X12\n")
    report = _export([tmp_path / "notes.edi"], tmp_path / "out")
    (outcome,) = report.files  # type: ignore[attr-defined]
    assert outcome.status == "refused" and "notes.edi" in outcome.reason
    assert not (tmp_path / "out" / MANIFEST_FILE).exists()


def test_database_export_folder_is_not_mixed_with_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "claims" / "file_date=2024-01-01").mkdir(parents=True)
    (out / "claims" / "file_date=2024-01-01" / "db-claims-0-0.parquet").write_bytes(b"")
    (tmp_path / "b.835").write_text(_remit())
    from denialscope.errors import OutputError

    with pytest.raises(OutputError, match="export of the database"):
        _export([tmp_path / "b.835"], out)
