"""Splitting large files at ST/SE, packing parts into tasks, and the task functions without
a JVM: a file read in parts gives exactly the rows of the file read whole."""

from __future__ import annotations

import importlib.util
import io
import itertools
import sys
from pathlib import Path
from types import ModuleType

from denialscope.classify.config import load_config
from denialscope.scale.rows import read_rows
from denialscope.scale.spark_job import pack_parts
from denialscope.scale.spark_tasks import STATUS_TABLE, parse_parts
from denialscope.scale.split import part_bytes, part_schema, plan_files, plan_parts
from denialscope.x12.diagnostics import Severity
from denialscope.x12.reader import X12Reader

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_x12.py"
CONFIG = load_config([])


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_x12", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_x12"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _file(tmp_path: Path, kind: str = "835", claims: int = 60, per_st: int = 10) -> Path:
    out = io.StringIO()
    _generator().generate(out, kind=kind, claims=claims, seed=3, claims_per_st=per_st)
    path = tmp_path / f"big.{kind}"
    path.write_text(out.getvalue())
    return path


def test_plan_splits_at_transaction_sets_with_a_counted_envelope(tmp_path: Path) -> None:
    path = _file(tmp_path)  # 6 sets of 10 claims
    size = path.stat().st_size
    parts = plan_parts(path, target_bytes=size // 3)
    assert 2 <= len(parts) <= 6
    assert parts[0].start > 0 and parts[-1].end < size  # ISA/GS before, GE/IEA after
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    sets = 0
    for part in parts:
        data, base = part_bytes(part)
        assert data.startswith(b"ISA") and base == part.start - len(part.header)
        reader = X12Reader(io.BytesIO(data), name="part")
        list(reader)
        errors = [d for d in reader.diagnostics if d.severity == Severity.ERROR]
        assert errors == []  # GE01 counts the part's sets, IEA01 its one group
        sets += reader.summary.transactions
    assert sets == 6
    # A small file, or a target above its size, is one whole-file part.
    (whole,) = plan_parts(path, target_bytes=size)
    assert whole.whole and (whole.start, whole.end) == (0, size)


def test_rows_read_in_parts_equal_rows_read_whole(tmp_path: Path) -> None:
    path = _file(tmp_path)
    sha = "ab" * 32
    whole = read_rows(path.read_bytes(), name="big.835", sha256=sha, config=CONFIG)
    contents = 0
    tables: dict[str, list[dict[str, object]]] = {t: [] for t in whole.tables}
    for part in plan_parts(path, target_bytes=path.stat().st_size // 4):
        data, base = part_bytes(part)
        result = read_rows(data, name="big.835", sha256=sha, config=CONFIG, base_offset=base)
        contents = (contents + result.content) % 2**256
        for table, rows in result.tables.items():
            tables[table].extend(rows)
    assert len(whole.tables["claim_payments"]) == 60
    assert tables == whole.tables  # same keys (positions in the whole file), same values
    assert contents == whole.content  # the content identity does not depend on the split


def test_pack_parts_hand_computed() -> None:
    # 2 tasks at least (one slot): the 100-byte part alone, the small ones together.
    assert pack_parts([100, 10, 10, 10, 50], slots=1, target=1000) == [[0], [1, 2, 3, 4]]
    # Enough tasks that none holds much more than the target: 4 tasks of 30 bytes.
    assert pack_parts([30] * 4, slots=1, target=30) == [[0], [1], [2], [3]]
    assert pack_parts([], slots=2, target=10) == []


def test_task_functions_without_spark(tmp_path: Path) -> None:
    import pyarrow as pa

    path = _file(tmp_path, claims=20, per_st=10)
    (tmp_path / "bad.835").write_text("ISA*00*x~")  # an ISA cut short
    files = pa.RecordBatch.from_pylist(
        [
            {"path": str(path), "name": "big.835"},
            {"path": str(tmp_path / "bad.835"), "name": "bad.835"},
        ]
    )
    (planned,) = plan_files(iter([files]), part_bytes_target=1 << 30)
    assert planned.schema == part_schema()
    rows = planned.to_pylist()
    assert [r["name"] for r in rows] == ["big.835", "bad.835"]
    out = list(parse_parts(iter([planned]), config_texts=[], claim_types={}))
    tables = [t for batch in out for t in batch.column("table").to_pylist()]
    statuses = [r for b in out for r in b.to_pylist() if r["table"] == STATUS_TABLE]
    assert tables.count("claim_payments") == 20
    good, bad = statuses
    assert good["status__error"] is None and good["status__rows"] > 20
    assert bad["status__error"] and "bad.835" in bad["status__error"]
