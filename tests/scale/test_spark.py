"""`spark ingest` in local[2]: the same tables as `export parquet`, and re-runs add nothing.

Few and small on purpose (a JVM start costs seconds): one session for the module, no
database, so these run once and not once per backend.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest_x12 import Cas, Clp, Svc, x12_835
from scale_support import read_all

from denialscope.classify.config import load_config
from denialscope.demo.generator import generate_demo
from denialscope.scale.export import export_files
from denialscope.scale.manifest import Manifest
from denialscope.scale.spark_job import spark_ingest

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "x12-samples"
D = Decimal


def test_spark_tables_equal_export_on_samples_and_demo(spark: Any, tmp_path: Path) -> None:
    demo = generate_demo(tmp_path / "demo", claims=1000).out_dir
    inputs = [demo / "837", demo / "ack", demo / "835"]
    if SAMPLES.is_dir():
        inputs.append(SAMPLES)
    spark_out, file_out = tmp_path / "spark", tmp_path / "files"
    report = spark_ingest(spark=spark, paths=inputs, out=spark_out, part_bytes_target=64 << 10)
    assert report.refused == {}
    export_files(paths=inputs, out=file_out, classification=load_config([]))
    spark_tables, file_tables = read_all(spark_out), read_all(file_out)
    assert spark_tables == file_tables  # every row, every cent, every classification layer
    assert len(spark_tables["claims"]) == 1141  # the demo's submissions (+ samples' claims)
    assert any(r["is_denial"] for r in spark_tables["claim_payments"])
    assert sum(report.tables.values()) == sum(len(r) for r in spark_tables.values())


def _remit(control: int) -> str:
    return x12_835(
        [
            Clp(
                "C100",
                "1",
                D(200),
                D(100),
                "PCN9",
                services=[
                    Svc("99213", D(100), D(100), dt.date(2024, 3, 1)),
                    Svc(
                        "80053",
                        D(100),
                        D(0),
                        dt.date(2024, 3, 1),
                        adjustments=[Cas("CO", "50", D(100))],
                    ),
                ],
            )
        ],
        paid_on=dt.date(2024, 3, 20),
        control=control,
    )


def test_spark_rerun_adds_nothing_and_bad_files_write_nothing(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.835").write_text(_remit(1))
    (src / "b.835").write_text(_remit(1).replace("~", "~\n"))  # same content, other bytes
    text = _remit(2)
    (src / "c.835").write_text(text[: text.index("SE*")])  # truncated: refused whole
    out = tmp_path / "out"
    first = spark_ingest(spark=spark, paths=[src], out=out)
    assert [Path(n).name for n in first.written] == ["a.835"]
    assert [Path(n).name for n in first.same_content] == ["b.835"]
    (refused,) = first.refused.items()
    assert Path(refused[0]).name == "c.835" and "no SE" in refused[1]
    tables = read_all(out)
    assert len(tables["claim_payments"]) == 1 and len(tables["adjustments"]) == 1
    assert tables["claim_payments"][0]["denied_amount"] == D("100.00")
    shutil.copy(src / "a.835", src / "a-copy.835")
    (src / "c.835").unlink()
    again = spark_ingest(spark=spark, paths=[src], out=out)
    assert sorted(Path(n).name for n in again.same_bytes) == ["a-copy.835", "a.835", "b.835"]
    assert again.written == [] and sum(again.tables.values()) == 0
    assert read_all(out) == tables
    assert len(Manifest(out).entries) == 2  # a.835 written, b.835 same content
    assert not any((out / "_staging").iterdir())
