"""`export parquet --from-database`: the stored data as the same tables as a file export.

Runs on SQLite and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from scale_support import read_all
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from denialscope.classify.config import load_config
from denialscope.errors import OutputError
from denialscope.ingest.service import ingest_paths
from denialscope.scale.export import export_database, export_files
from factories.x12text import Ack277, Cas, Clm, Clp, Line, Svc, x12_277ca, x12_835, x12_837p

D = Decimal
DAY = dt.date(2024, 3, 1)
# Where the two exports differ by design: keys (file position vs row id), the file columns
# (the database keeps the ingest day, not the envelope date), and what ingest decides after
# reading (claim links, adjudication order, organization mapping: null in a file export).
_DIFFERENT = {"claim_key", "payment_key", "file_date", "source_file", "file_sha256"}
_RELATIONAL = {
    "is_stub",
    "payer_key",
    "department",
    "department_service_line",
    "facility",
    "service_line",
    "attending_npi",
    "attending_name",
    "rendering_npi",
    "rendering_name",
    "seq",
    "payer_responsibility",
    "is_reversal",
    "reverses_payment_key",
    "adjudicated_at",
}
_DB_ONLY = {"claim_versions", "work_items"}


def _files(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.837").write_text(
        x12_837p(
            [
                Clm("C100", [Line("99213", D(100), DAY), Line("80053", D("100.50"), DAY)]),
                Clm("C200", [Line("99214", D(150), DAY, modifiers=("25",))]),
            ]
        )
    )
    (folder / "b.835").write_text(
        x12_835(
            [
                Clp(
                    "C100",
                    "1",
                    D("200.50"),
                    D(100),
                    "PCN1",
                    services=[
                        Svc("99213", D(100), D(100), DAY),
                        Svc(
                            "80053",
                            D("100.50"),
                            D(0),
                            DAY,
                            adjustments=[Cas("CO", "50", D("100.50"))],
                        ),
                    ],
                ),
                Clp("C200", "4", D(150), D(0), "PCN2", adjustments=[Cas("CO", "16", D(150))]),
            ],
            paid_on=dt.date(2024, 3, 20),
        )
    )
    (folder / "c.277").write_text(x12_277ca([Ack277("C100", "A1"), Ack277("C200", "A7")]))
    return folder


def _comparable(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k not in _DIFFERENT | _RELATIONAL))
            for row in rows
        )
        for table, rows in tables.items()
        if table not in _DB_ONLY
    }


def test_database_export_equals_file_export(engine: Engine, tmp_path: Path) -> None:
    src = _files(tmp_path / "in")
    ingest_paths([src], session_factory=sessionmaker(engine), update_work_queues=False)
    export_database(engine=engine, out=tmp_path / "db")
    export_files(paths=[src], out=tmp_path / "files", classification=load_config([]))
    from_db = read_all(tmp_path / "db")
    from_files = read_all(tmp_path / "files")
    assert {t: len(r) for t, r in from_db.items()} == {
        "claims": 2,
        "claim_lines": 3,
        "diagnoses": 2,
        "claim_payments": 2,
        "service_payments": 2,
        "adjustments": 2,
        "provider_adjustments": 0,
        "acknowledgments": 2,
        "claim_versions": 2,
        "work_items": 0,
    }
    assert _comparable(from_db) == _comparable(from_files)
    # The relational columns: each payment names the claim it matched, as its initial
    # primary adjudication; a file export leaves them null.
    claim_of = {r["patient_control_number"]: r["claim_key"] for r in from_db["claims"]}
    for payment in from_db["claim_payments"]:
        assert payment["claim_key"] == claim_of[payment["patient_control_number"]]
        assert (payment["seq"], payment["is_reversal"]) == (1, False)
    assert all(r["claim_key"] is None for r in from_files["claim_payments"])
    assert [r["is_stub"] for r in from_db["claims"]] == [False, False]
    assert {v["claim_key"] for v in from_db["claim_versions"]} == set(claim_of.values())
    denied = {r["patient_control_number"]: r for r in from_db["claim_payments"]}
    assert denied["C200"]["denial_type"] == "full_denial"
    assert denied["C200"]["denied_amount"] == D("150.00")
    assert denied["C100"]["denied_amount"] == D("100.50")
    # Keys tie the child tables to their parents in the database export too.
    keys = {r["payment_key"] for r in from_db["claim_payments"]}
    assert all(a["payment_key"] in keys for a in from_db["adjustments"])
    assert all(k.startswith("db:") for k in keys)


def test_database_export_replaces_its_previous_export(engine: Engine, tmp_path: Path) -> None:
    src = _files(tmp_path / "in")
    ingest_paths([src], session_factory=sessionmaker(engine), update_work_queues=False)
    out = tmp_path / "db"
    first = export_database(engine=engine, out=out)
    second = export_database(engine=engine, out=out)
    assert first.tables == second.tables
    assert len(read_all(out)["claim_payments"]) == 2


def test_database_export_refuses_a_file_export_folder(engine: Engine, tmp_path: Path) -> None:
    src = _files(tmp_path / "in")
    export_files(paths=[src], out=tmp_path / "out", classification=load_config([]))
    with pytest.raises(OutputError, match="export of X12 files"):
        export_database(engine=engine, out=tmp_path / "out")
