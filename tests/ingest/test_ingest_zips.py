"""Zip archives: same-named members, encrypted and damaged members, decompression bombs."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import warnings
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from denialscope.claims.models import Claim
from denialscope.errors import ArchiveError, ConfigurationError, DenialscopeError
from denialscope.ingest.sources import InputFile, discover
from denialscope.ingest.zip_limits import ZipLimits
from denialscope.settings import Settings
from factories.database import Db, Files
from factories.x12text import Clm, Line, x12_837p
from factories.zips import write_zeros_zip

DAY = dt.date(2024, 2, 1)


def _claims_file(number: str, control: int) -> str:
    return x12_837p([Clm(number, [Line("99213", D(100), DAY)])], control=control)


def _zip(path: Path, members: list[tuple[str, str]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on a duplicate name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, text in members:
                zf.writestr(name, text)
    return path


def test_same_name_in_two_folders_and_twice_in_one_all_load(ingest_db: Db, files: Files) -> None:
    archive = _zip(
        files.root / "batch.zip",
        [
            ("east/claims.837", _claims_file("E1", 1)),
            ("west/claims.837", _claims_file("W1", 2)),
            ("claims.837", _claims_file("T1", 3)),
            ("claims.837", _claims_file("T2", 4)),  # the very same name again
        ],
    )
    report = ingest_db.ingest(archive)
    assert [(f.name.split("!")[1], f.status) for f in report.files] == [
        ("claims.837", "ingested"),
        ("claims.837 (entry 2 of that name)", "ingested"),
        ("east/claims.837", "ingested"),
        ("west/claims.837", "ingested"),
    ]
    assert sorted(ingest_db.scalars(select(Claim.control_number))) == ["E1", "T1", "T2", "W1"]


def _set_encrypted_flag(path: Path) -> None:
    """Mark every member encrypted (general purpose bit 0) in both of its headers."""
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + flag_at] |= 0x01
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def test_an_encrypted_member_is_refused_by_name_and_nothing_stored(
    ingest_db: Db, files: Files
) -> None:
    archive = _zip(files.root / "locked.zip", [("a.837", _claims_file("L1", 1))])
    _set_encrypted_flag(archive)
    empty = ingest_db.counts()
    (result,) = ingest_db.ingest(archive).files
    assert result.status == "failed"
    assert result.error == (
        f"{archive}!a.837: encrypted (password-protected) member: it cannot be read; "
        "extract it and ingest the file itself"
    )
    assert ingest_db.counts() == empty


def test_a_corrupt_member_is_refused_and_the_others_load(ingest_db: Db, files: Files) -> None:
    good = _claims_file("G1", 1)
    bad = _claims_file("B1", 2) * 5
    archive = _zip(files.root / "mixed.zip", [("bad.837", bad), ("good.837", good)])
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("bad.837")
    start = info.header_offset + 30 + len(info.filename)  # the member's compressed bytes
    for i in range(start + 10, start + 40):
        data[i] ^= 0x5A
    archive.write_bytes(bytes(data))
    report = ingest_db.ingest(archive)
    by_name = {f.name.split("!")[1]: f for f in report.files}
    assert by_name["good.837"].status == "ingested"
    failed = by_name["bad.837"]
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error.startswith(f"{archive}!bad.837: damaged archive member (")
    assert "internal error" not in failed.error
    assert ingest_db.scalars(select(Claim.control_number)) == ["G1"]


def test_a_one_megabyte_zip_of_a_gigabyte_of_zeros_is_refused_fast_in_little_memory(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "bomb.zip"
    write_zeros_zip(bomb, name="zeros.835", size=960 << 20)  # 1.0 GB: under the member limit
    assert bomb.stat().st_size < 1_100_000
    (item,) = list(discover([bomb]))
    assert isinstance(item, InputFile)
    tracemalloc.start()
    try:
        # The ratio message proves it stopped at the limit (~100 MB read), not at 1 GB.
        with pytest.raises(ArchiveError, match="more than 100 times its compressed size"):
            item.sha256()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # a few 1 MB chunks, never the member


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DENIALSCOPE_ZIP_MAX_MEMBERS", "2")
    monkeypatch.setenv("DENIALSCOPE_ZIP_MAX_MEMBER_MB", "3")
    monkeypatch.setenv("DENIALSCOPE_ZIP_MAX_TOTAL_MB", "5")
    monkeypatch.setenv("DENIALSCOPE_ZIP_MAX_RATIO", "7")
    limits = Settings.resolve(data_dir=tmp_path, database="sqlite://").zip_limits
    assert limits == ZipLimits(3_000_000, 5_000_000, 7, 2)
    many = _zip(tmp_path / "many.zip", [(f"{i}.837", "x") for i in range(3)])
    (error,) = list(discover([many], limits=limits))
    assert isinstance(error, ArchiveError)
    assert "holds 3 files, more than 2 (DENIALSCOPE_ZIP_MAX_MEMBERS)" in str(error)
    pair = _zip(tmp_path / "pair.zip", [("a.837", "x" * 3_000_000), ("b.837", "y" * 3_000_000)])
    (whole,) = list(discover([pair], limits=limits))
    assert isinstance(whole, ArchiveError)
    assert "members add up to 6 MB, more than 5 MB (DENIALSCOPE_ZIP_MAX_TOTAL_MB)" in str(whole)
    big = tmp_path / "big.zip"
    write_zeros_zip(big, name="z.835", size=4 << 20)  # 4.2 MB declared: over 3 MB
    (refused,) = list(discover([big], limits=limits))
    assert isinstance(refused, ArchiveError)
    assert "more than 3 MB (DENIALSCOPE_ZIP_MAX_MEMBER_MB)" in str(refused)


def test_a_member_bigger_than_its_header_says_is_stopped_while_decompressing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The header claims 1 MB; the data is 12 MB. The stream check, not the header, stops it.
    liar = tmp_path / "liar.zip"
    write_zeros_zip(liar, name="z.835", size=12 << 20)
    data = bytearray(liar.read_bytes())
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + size_at : at + size_at + 4] = (1 << 20).to_bytes(4, "little")
    liar.write_bytes(bytes(data))
    (item,) = list(discover([liar], limits=ZipLimits(max_member_bytes=10_000_000)))
    assert isinstance(item, InputFile)
    with pytest.raises(DenialscopeError):  # a size or checksum refusal, never a traceback
        item.sha256()


def test_a_bad_limit_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENIALSCOPE_ZIP_MAX_RATIO", "lots")
    with pytest.raises(ConfigurationError, match="DENIALSCOPE_ZIP_MAX_RATIO must be a whole"):
        Settings.resolve(database="sqlite://")
