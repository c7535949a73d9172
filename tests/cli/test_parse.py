"""`denialscope parse`: human and JSON output, exit codes, unreadable files, folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from denialscope.cli import parse as parse_cli
from denialscope.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "x12" / "fixtures"
ACK = FIXTURES / "ack"


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    parse_cli.register(application)

    @application.callback()
    def _root() -> None:
        """Keeps `parse` a named subcommand, as in the real app."""

    return application


def invoke(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["parse", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def json_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_json_one_object_per_file(app: typer.Typer) -> None:
    code, out, _ = invoke(app, "--json", str(ACK / "277ca_mixed.x12"), str(ACK / "999_mixed.x12"))
    assert code == 0
    first, second = json_lines(out)
    assert first["file"] == str(ACK / "277ca_mixed.x12")
    assert (first["transaction"], first["version"]) == ("277CA", "005010X214")
    assert (first["claims"], first["accepted"], first["rejected"]) == (3, 1, 2)
    assert first["total_charge"] == "1750"  # money as an exact decimal string
    assert first["diagnostics"] == []
    assert (second["transaction"], second["accepted"], second["rejected"]) == ("999", 2, 1)
    required = {
        "file",
        "transaction",
        "version",
        "interchanges",
        "transactions",
        "claims",
        "service_lines",
        "adjustments",
        "provider_adjustments",
        "total_paid",
        "total_charge",
        "total_payment",
        "accepted",
        "rejected",
        "diagnostics",
    }
    assert required <= set(first)


def test_json_diagnostics_have_positions_and_withhold_private_values(app: typer.Typer) -> None:
    code, out, _ = invoke(app, "--json", str(ACK / "277ca_broken.x12"))
    assert code == 0
    (report,) = json_lines(out)
    diagnostics = report["diagnostics"]
    assert isinstance(diagnostics, list)
    keys = {"severity", "rule", "segment_index", "message", "offset", "segment_id", "element"}
    assert all(keys | {"value", "interchange", "transaction"} <= set(d) for d in diagnostics)
    by_rule = {d["rule"]: d for d in diagnostics}
    category = by_rule["ack277ca.category_code"]
    assert (category["segment_index"], category["element"], category["value"]) == (11, 1, "Z9")
    assert category["interchange"] == "000000102"
    assert category["transaction"] == "0001"
    assert "PATIENT" not in out and "MEMBER00" not in out


def test_human_report(app: typer.Typer) -> None:
    code, out, err = invoke(app, str(ACK / "277ca_broken.x12"))
    assert code == 0
    assert err == ""
    assert "277CA" in out and "005010X214" in out
    assert "accepted" in out and "rejected" in out
    assert "ack277ca.missing_bht" in out
    assert "13 diagnostics" in out
    assert "PATIENT" not in out and "MEMBER00" not in out


def test_human_report_limit_and_more_line(app: typer.Typer) -> None:
    code, out, _ = invoke(app, "--limit", "2", str(ACK / "277ca_broken.x12"))
    assert code == 0
    assert "11 more" in out
    assert "ack277ca.missing_bht" not in out  # the last one is beyond the limit


def test_clean_file_says_so(app: typer.Typer) -> None:
    code, out, _ = invoke(app, str(ACK / "999_mixed.x12"))
    assert code == 0
    assert "no problems found" in out


def test_unreadable_files_exit_2_and_the_others_are_still_read(
    app: typer.Typer, tmp_path: Path
) -> None:
    csv = tmp_path / "claims.csv"
    csv.write_text("claim,patient\nC1,SMITH\n")
    empty = tmp_path / "empty.x12"
    empty.write_bytes(b"")
    code, out, err = invoke(app, "--json", str(csv), str(empty), str(ACK / "999_mixed.x12"))
    assert code == 2
    lines = json_lines(out)
    assert [line["file"] for line in lines] == [str(csv), str(empty), str(ACK / "999_mixed.x12")]
    assert "error" in lines[0] and "CSV" in str(lines[0]["error"])
    assert "empty" in str(lines[1]["error"])
    assert lines[2]["transaction"] == "999"
    assert err.splitlines()[0].startswith(f"error: {csv}: not an X12 file")
    assert f"error: {empty}: the file is empty" in err
    assert "Traceback" not in out + err
    assert "SMITH" not in out + err


def test_human_mode_unreadable_file(app: typer.Typer, tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n...")
    code, out, err = invoke(app, str(pdf))
    assert code == 2
    assert err.strip() == (
        f"error: {pdf}: not an X12 file: it holds a PDF document where an ISA header was "
        "expected (at byte 0)"
    )
    assert out == ""


def test_directory_argument_is_read_recursively_in_order(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    shutil.copy(ACK / "999_mixed.x12", tmp_path / "b" / "deeper" / "z.999")
    shutil.copy(ACK / "277ca_mixed.x12", tmp_path / "a.277")
    shutil.copy(ACK / "997_4010.x12", tmp_path / "b" / "c.997")
    (tmp_path / ".hidden").write_text("not x12")
    code, out, _ = invoke(app, "--json", str(tmp_path))
    assert code == 0
    files = [Path(str(line["file"])).relative_to(tmp_path).as_posix() for line in json_lines(out)]
    assert files == ["a.277", "b/c.997", "b/deeper/z.999"]


def test_a_missing_path_or_an_empty_directory_is_refused_first(
    app: typer.Typer, tmp_path: Path
) -> None:
    # The one path expander's errors (exit 1 from `denialscope`, like ingest and scrub; see
    # tests/cli/test_input_paths.py): nothing is read, not even the good file.
    for bad, message in (
        (tmp_path, "no X12 files in this folder (it is empty)"),
        (tmp_path / "missing.x12", "no such file or folder"),
    ):
        result = CliRunner().invoke(app, ["parse", str(ACK / "999_mixed.x12"), str(bad)])
        assert isinstance(result.exception, InputError)
        assert result.exception.message == f"{bad}: {message}"
        assert result.stdout == ""


def test_registered_in_the_main_app() -> None:
    from denialscope.cli import main

    assert "denialscope.cli.parse" in main.COMMAND_MODULES


def test_real_entry_point_without_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "bad.x12").write_bytes(b"PK\x03\x04 not really a zip")
    shutil.copy(ACK / "999_mixed.x12", tmp_path / "good.999")
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from denialscope.cli.main import main; main()",
            "parse",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    assert f"error: {tmp_path / 'bad.x12'}: not an X12 file: it holds a ZIP archive" in run.stderr
    assert "999" in run.stdout
