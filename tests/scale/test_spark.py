"""`spark ingest` in local[2]: the same tables as `export parquet`, and re-runs add nothing.

Few and small on purpose (a JVM start costs seconds): one session for the module, no
database, so these run once and not once per backend.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from scale_support import read_all

from denialscope.classify.config import load_config
from denialscope.demo.generator import generate_demo
from denialscope.scale.export import export_files
from denialscope.scale.manifest import Manifest
from denialscope.scale.spark_job import spark_ingest
from factories.shared import SAMPLES_DIR
from factories.x12text import Cas, Clp, Svc, x12_835

SAMPLES = SAMPLES_DIR
GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_x12.py"
D = Decimal


def test_spark_tables_equal_export_on_samples_and_demo(spark: Any, tmp_path: Path) -> None:
    demo = generate_demo(tmp_path / "demo", claims=1000).out_dir
    inputs = [demo / "837", demo / "ack", demo / "835"]
    if SAMPLES.is_dir():
        inputs.append(SAMPLES)
    spark_out, file_out = tmp_path / "spark", tmp_path / "files"
    report = spark_ingest(spark=spark, paths=inputs, out=spark_out)
    assert report.refused == {}
    export_files(paths=inputs, out=file_out, classification=load_config([]))
    spark_tables, file_tables = read_all(spark_out), read_all(file_out)
    assert spark_tables == file_tables  # every row, every cent, every classification layer
    demo_claims = [r for r in spark_tables["claims"] if str(demo) in r["source_file"]]
    assert len(demo_claims) == 1141  # the demo's submissions (originals and corrections)
    assert any(r["is_denial"] for r in spark_tables["claim_payments"])
    assert sum(report.tables.values()) == sum(len(r) for r in spark_tables.values())


def _big_remit(folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("generate_x12", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_x12"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    out = io.StringIO()
    module.generate(out, kind="835", claims=60, seed=5, claims_per_st=10)
    path = folder / "big.835"
    path.write_text(out.getvalue())
    return path


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
    big = _big_remit(src)  # 60 claims in 6 transaction sets, read as 3 parts or more
    out = tmp_path / "out"
    target = big.stat().st_size // 3
    first = spark_ingest(spark=spark, paths=[src], out=out, part_bytes_target=target)
    assert first.parts >= 3 + 2  # big.835 split, a.835 and b.835 whole (c.835 refused)
    assert [Path(n).name for n in first.written] == ["a.835", "big.835"]
    assert [Path(n).name for n in first.same_content] == ["b.835"]
    (refused,) = first.refused.items()
    assert Path(refused[0]).name == "c.835" and "no SE" in refused[1]
    tables = read_all(out)
    # The split file gives the rows of the same file read whole by export parquet.
    whole = tmp_path / "whole"
    export_files(paths=[big], out=whole, classification=load_config([]))
    for table, rows in read_all(whole).items():
        assert [r for r in tables[table] if r["source_file"] == str(big)] == [
            {**r, "source_file": str(big)} for r in rows
        ]
    small = [r for r in tables["claim_payments"] if r["source_file"] != str(big)]
    assert len(small) == 1 and small[0]["denied_amount"] == D("100.00")
    shutil.copy(src / "a.835", src / "a-copy.835")
    (src / "c.835").unlink()
    again = spark_ingest(spark=spark, paths=[src], out=out)
    assert sorted(Path(n).name for n in again.same_bytes) == [
        "a-copy.835",
        "a.835",
        "b.835",
        "big.835",
    ]
    assert again.written == [] and sum(again.tables.values()) == 0
    assert read_all(out) == tables
    assert len(Manifest(out).entries) == 3  # a.835 and big.835 written, b.835 same content
    assert not any((out / "_staging").iterdir())
