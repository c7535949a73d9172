"""The one path expander: ``ingest``, ``parse`` and ``scrub`` read the same files of the same
folder, and refuse a missing path or a folder with nothing to read with the same message and
exit code 1 (docs/cli.md, "Files and folders")."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from denialscope.input_paths import (
    EmptyFolderError,
    MissingPathError,
    expand_folder,
    expand_paths,
)
from denialscope.scrub.tables import table_files

FIXTURES = Path(__file__).parents[1] / "x12" / "fixtures"
CLAIMS = FIXTURES / "837" / "837_generic_outpatient.edi"
REMIT = FIXTURES / "835" / "claim_cas_six.835"
COMMAND = str(Path(sys.executable).with_name("denialscope"))


def _folder(root: Path) -> Path:
    """claims.edi and sub/remit.835 to read; notes, a spreadsheet, hidden files to skip."""
    folder = root / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / ".cache").mkdir()
    shutil.copy(CLAIMS, folder / "claims.edi")
    shutil.copy(REMIT, folder / "sub" / "remit.835")
    shutil.copy(CLAIMS, folder / ".cache" / "old.edi")  # a hidden folder
    shutil.copy(CLAIMS, folder / ".draft.edi")  # a hidden file
    (folder / "README.md").write_text("notes", encoding="utf-8")
    (folder / "totals.csv").write_text("a,b\n", encoding="utf-8")
    (folder / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4")
    return folder


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *args], capture_output=True, text=True, cwd=cwd, check=False, timeout=300
    )


def test_the_walk_reads_x12_and_skips_the_rest(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    expected = [folder / "claims.edi", folder / "sub" / "remit.835"]
    assert expand_folder(folder) == expected
    # A file named on the command line is always read, whatever its name.
    notes = folder / "README.md"
    assert expand_paths([notes, folder]) == [notes, *expected]
    quiet = tmp_path / "quiet"
    (quiet / ".git").mkdir(parents=True)
    (quiet / ".git" / "HEAD").write_text("x", encoding="utf-8")
    (quiet / "report.xlsx").write_bytes(b"PK")
    with pytest.raises(EmptyFolderError) as empty:
        expand_paths([quiet])
    assert empty.value.message == (
        f"{quiet}: no X12 files in this folder "
        "(skipped 1 notes/spreadsheets/PDFs/images and 1 hidden)"
    )
    with pytest.raises(MissingPathError) as missing:
        expand_paths([folder, tmp_path / "a.835", tmp_path / "b"])
    assert (
        missing.value.message == f"{tmp_path / 'a.835'}, {tmp_path / 'b'}: no such file or folder"
    )


def test_table_loaders_walk_with_the_same_rules(tmp_path: Path) -> None:
    folder = tmp_path / "ncci"
    (folder / ".old").mkdir(parents=True)
    for name in ("ccipra-1.txt", "mue.csv", ".old/ccipra-0.txt", "README.md"):
        (folder / name).write_text("x", encoding="utf-8")
    assert table_files([folder]) == [folder / "ccipra-1.txt", folder / "mue.csv"]
    (tmp_path / "none").mkdir()
    with pytest.raises(EmptyFolderError, match=r"no \.txt/\.csv/\.xlsx/\.zip files"):
        table_files([tmp_path / "none"])


def test_ingest_parse_and_scrub_read_the_same_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    parsed = _run("parse", str(folder), "--json", cwd=tmp_path)
    assert parsed.returncode == 0, parsed.stderr
    read = [json.loads(line)["file"] for line in parsed.stdout.splitlines()]
    assert read == [str(folder / "claims.edi"), str(folder / "sub" / "remit.835")]
    data = tmp_path / "data-dir"
    ingested = _run("ingest", str(folder), "--json", "--data-dir", str(data), cwd=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    files = [f["name"] for f in json.loads(ingested.stdout)["files"]]
    assert sorted(files) == sorted(read)  # ingest orders claims before remittances
    scrubbed = _run("scrub", str(folder), "--format", "json", cwd=tmp_path)
    assert scrubbed.returncode == 0, scrubbed.stderr
    summary = json.loads(scrubbed.stdout)["summary"]
    # The 837 gave its claims; the 835 was read and named; nothing skipped was read.
    assert summary["claims"] >= 1
    assert [n for n in summary["notes"] if "no 837 claim" in n] == [
        f"{folder / 'sub' / 'remit.835'}: no 837 claim to scrub (it holds 835)"
    ]


@pytest.mark.parametrize("case", ["missing", "empty", "only_notes"])
def test_the_same_bad_input_gets_the_same_answer_from_every_command(
    tmp_path: Path, case: str
) -> None:
    target = tmp_path / "outbox"
    if case != "missing":
        target.mkdir()
    if case == "only_notes":
        (target / "notes.md").write_text("x", encoding="utf-8")
    expected = {
        "missing": f"error: {target}: no such file or folder",
        "empty": f"error: {target}: no X12 files in this folder (it is empty)",
        "only_notes": f"error: {target}: no X12 files in this folder "
        "(skipped 1 notes/spreadsheets/PDFs/images)",
    }[case]
    data = tmp_path / "data-dir"
    for command in (["parse"], ["ingest", "--data-dir", str(data)], ["scrub"]):
        result = _run(*command, str(target), cwd=tmp_path)
        assert (result.returncode, result.stderr.strip()) == (1, expected), command
        assert result.stdout == ""
    assert not data.exists()  # refused before the database was made
