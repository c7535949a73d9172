"""Bad input fails its own file with a message naming it (and where), stores nothing, logs no
traceback, and never stops the other files of the same call."""

from __future__ import annotations

import datetime as dt
import logging
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from denialscope.claims.models import Claim
from denialscope.sources.models import SourceFile
from factories.database import Db, Files
from factories.x12text import Clm, Line, x12_837p

GOOD = x12_837p([Clm("PCN-GOOD", [Line("99213", D(100), dt.date(2024, 2, 1))])])
POSITION = re.compile(r"(byte|segment) \d+")


def _envelope_only() -> bytes:
    kept = [s for s in GOOD.splitlines() if s[:3] in ("ISA", "GS*", "GE*", "IEA")]
    return ("\n".join(kept) + "\n").replace("GE*1*", "GE*0*").encode()


def _unsupported_834() -> bytes:
    return GOOD.replace("ST*837*0001*005010X222A1", "ST*834*0001*005010X220A1").encode()


def _cut_inside_a_segment() -> bytes:
    data = GOOD.encode()
    return data[: data.index(b"CLM*") + 9]


def _wrong_delimiters() -> bytes:
    # An alphanumeric element separator cannot be told apart from the data.
    return GOOD.replace("*", "A").encode()


# name, content, what the message must say, whether it must give a position
CASES: list[tuple[str, Callable[[], bytes], str, bool]] = [
    ("empty.x12", lambda: b"", "empty", True),
    ("cut-segment.x12", _cut_inside_a_segment, "truncated", True),
    ("cut-isa.x12", lambda: GOOD.encode()[:60], "ISA", True),
    ("delimiters.x12", _wrong_delimiters, "separator", True),
    ("claims.csv", lambda: b"claim,charge\nPCN-1,100\n", "not an X12 file", True),
    ("scan.pdf", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "PDF", True),
    ("envelope-only.x12", _envelope_only, "holds no claim, remittance or acknowledgment", False),
    ("enrollment.834", _unsupported_834, "holds no claim, remittance or acknowledgment", False),
    ("damaged.zip", lambda: b"PK\x03\x04 this is not really a zip archive", "zip", False),
]


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logged = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not logged, [r.getMessage() for r in logged]


@pytest.mark.parametrize(
    ("name", "content", "says", "positioned"), CASES, ids=[c[0].split(".")[0] for c in CASES]
)
def test_a_bad_file_fails_alone_with_a_clear_message(
    ingest_db: Db,
    files: Files,
    caplog: pytest.LogCaptureFixture,
    name: str,
    content: Callable[[], bytes],
    says: str,
    positioned: bool,
) -> None:
    bad = files.raw(name, content())
    good = files.text("good.837", GOOD)
    before = ingest_db.counts()

    alone = ingest_db.ingest_one(bad)
    assert alone.status == "failed"
    assert alone.error is not None and alone.error.startswith(str(bad)), alone.error
    assert says in alone.error
    assert "Traceback" not in alone.error and "internal error" not in alone.error
    if positioned:
        assert POSITION.search(alone.error), alone.error
    assert ingest_db.counts() == before

    report = ingest_db.ingest(bad, good)
    assert [f.status for f in report.files] == ["failed", "ingested"]
    assert ingest_db.scalars(select(SourceFile.name)) == [str(good)]
    assert ingest_db.scalars(select(Claim.control_number)) == ["PCN-GOOD"]
    _no_tracebacks(caplog)


def test_a_truncated_file_says_where_it_ends(ingest_db: Db, files: Files) -> None:
    data = _cut_inside_a_segment()
    bad = files.raw("cut.x12", data)
    result = ingest_db.ingest_one(bad)
    assert result.error is not None
    found = re.search(r"byte (\d+)", result.error)
    assert found and int(found.group(1)) <= len(data), result.error


def test_a_zip_with_a_non_x12_member_loads_its_x12_member(
    ingest_db: Db, files: Files, caplog: pytest.LogCaptureFixture
) -> None:
    archive = files.root / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a-notes.csv", "claim,charge\nPCN-1,100\n")
        zf.writestr("b-claims.837", GOOD)
    report = ingest_db.ingest(archive)
    by_name = {f.name: f for f in report.files}
    assert set(by_name) == {f"{archive}!a-notes.csv", f"{archive}!b-claims.837"}
    failed = by_name[f"{archive}!a-notes.csv"]
    assert failed.status == "failed"
    assert failed.error is not None and failed.error.startswith(f"{archive}!a-notes.csv")
    assert "not an X12 file" in failed.error
    assert by_name[f"{archive}!b-claims.837"].status == "ingested"
    assert ingest_db.scalars(select(Claim.control_number)) == ["PCN-GOOD"]
    _no_tracebacks(caplog)


def test_a_missing_path_fails_and_the_others_still_load(
    ingest_db: Db, files: Files, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-file.837"
    good = files.text("good.837", GOOD)
    report = ingest_db.ingest(missing, good)
    assert [f.status for f in report.files] == ["failed", "ingested"]
    assert report.files[0].name == str(missing)
    assert report.files[0].error == f"{missing}: no such file or folder"
    assert report.totals()["failed"] == 1 and report.totals()["claims"] == 1


def test_a_folder_skips_our_own_files_and_reports_each_bad_one(ingest_db: Db, files: Files) -> None:
    files.text("good.837", GOOD)
    files.raw("sub/empty.x12", b"")
    files.text("README.md", "# notes, not X12\n")
    files.text("ground_truth_denials.csv", "claim,root_cause\nC1,coding\n")
    files.text(".hidden", "ignored")
    report = ingest_db.ingest(files.root)
    assert sorted((Path(f.name).name, f.status) for f in report.files) == [
        ("empty.x12", "failed"),
        ("good.837", "ingested"),
    ]
    named = ingest_db.ingest(files.root / "ground_truth_denials.csv")  # named: read, refused
    assert [f.status for f in named.files] == ["failed"]
    assert "not an X12 file" in (named.files[0].error or "")
