"""``denialscope scrub`` and ``refdata load-ncci/load-mue`` on synthetic files."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from denialscope.cli.main import _register, app
from denialscope.x12.claim837.writer import write_837
from factories.claim837 import build_claim
from factories.ncci import MUE_HEADING, PTP_HEADING

_register()
RUNNER = CliRunner()

PLANTED = [
    build_claim({"id": "CLEAN1"}),
    build_claim({"id": "BUNDLE", "lines": [{"procedure": "29880"}, {"procedure": "29870"}]}),
    build_claim({"id": "UNITS", "lines": [{"procedure": "11042", "units": 3}]}),
    build_claim({"id": "EM25", "lines": [{"procedure": "99213"}, {"procedure": "11042"}]}),
    build_claim({"id": "HEADER", "diagnoses": ["E11"]}),
    build_claim({"id": "NPI", "billing": {"npi": "1234567890"}}),
    build_claim({"id": "MALEPREG", "diagnoses": ["O80"], "patient": {"sex": "M"}}),
]
EXPECTED = {
    "BUNDLE": "ncci_ptp",
    "UNITS": "mue",
    "EM25": "modifier",
    "HEADER": "dx_validity",
    "NPI": "provider_id",
    "MALEPREG": "age_sex",
}


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with one PTP edit and one MUE loaded through the commands (slow: once)."""
    tmp_path = tmp_path_factory.mktemp("scrub-refdata")
    data = tmp_path / "data"
    ptp = tmp_path / "ccipra-v321r0-f1.txt"
    ptp.write_text(
        "\n".join([*PTP_HEADING, "29880\t29870\t*\t19960101\t*\t0\tMisuse"]) + "\n", "utf-8"
    )
    mue = tmp_path / "MCR_MUE_PractitionerServices.csv"
    mue.write_text("\n".join([*MUE_HEADING, '"11042","1","1 Line Edit","Anatomic"']) + "\n")
    for command, path in (("load-ncci", ptp), ("load-mue", mue)):
        result = RUNNER.invoke(app, ["refdata", command, str(path), "--data-dir", str(data)])
        assert result.exit_code == 0, result.output
        assert "loaded 1 practitioner" in result.output
    return data


@pytest.fixture
def loaded(loaded_once: Path, tmp_path: Path) -> Path:
    """The test's own copy of that data dir, so no test sees what another wrote."""
    return Path(shutil.copytree(loaded_once, tmp_path / "loaded-data"))


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "claims.837"
    path.write_text(write_837(PLANTED, kind="837P", sender="CLINIC01", receiver="PAYER01"), "utf-8")
    return path


def test_scrub_json_flags_planted_errors(tmp_path: Path, loaded: Path) -> None:
    result = RUNNER.invoke(
        app, ["scrub", str(_file(tmp_path)), "--format", "json", "--data-dir", str(loaded)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["claims"] == len(PLANTED)
    assert data["summary"]["clean"] == 1
    by_claim: dict[str, set[str]] = {}
    for f in data["findings"]:
        assert set(f) >= {"claim_id", "line", "rule", "category", "severity", "message"}
        assert f["suggestion"]
        by_claim.setdefault(f["claim_id"], set()).add(f["category"])
    assert "CLEAN1" not in by_claim
    for claim_id, category in EXPECTED.items():
        assert category in by_claim[claim_id], (claim_id, by_claim.get(claim_id))


def test_scrub_table_and_csv(tmp_path: Path, loaded: Path) -> None:
    path = str(_file(tmp_path))
    table = RUNNER.invoke(app, ["scrub", path, "--data-dir", str(loaded)])
    assert table.exit_code == 0
    assert table.output.startswith(f"{len(PLANTED)} claims: 1 clean")
    assert "ncci_ptp.pair" in table.output and "fix:" in table.output
    out = RUNNER.invoke(app, ["scrub", path, "--format", "csv", "--data-dir", str(loaded)])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert {r["claim_id"] for r in rows} == set(EXPECTED)


def test_scrub_reads_folders(tmp_path: Path, loaded: Path) -> None:
    folder = tmp_path / "outbox"
    folder.mkdir()
    _file(tmp_path).rename(folder / "a.837")
    result = RUNNER.invoke(
        app, ["scrub", str(folder), "--format", "json", "--data-dir", str(loaded)]
    )
    assert json.loads(result.output)["summary"]["claims"] == len(PLANTED)


def test_scrub_without_tables_says_so(tmp_path: Path) -> None:
    result = RUNNER.invoke(
        app, ["scrub", str(_file(tmp_path)), "--data-dir", str(tmp_path / "empty")]
    )
    assert "no NCCI PTP table loaded" in result.output


def test_bad_format_and_bad_pack(tmp_path: Path) -> None:
    path = str(_file(tmp_path))
    assert RUNNER.invoke(app, ["scrub", path, "--format", "xml"]).exit_code != 0
    pack = tmp_path / "pack.yaml"
    pack.write_text("payers:\n  '1': {filing_limit_days: soon}\n", "utf-8")
    result = RUNNER.invoke(app, ["scrub", path, "--pack", str(pack)])
    assert result.exit_code != 0


def test_refdata_needs_a_setting_it_cannot_guess(tmp_path: Path) -> None:
    path = tmp_path / "edits.txt"
    path.write_text("\n".join([*PTP_HEADING, "29880\t29870\t*\t19960101\t*\t0\tMisuse"]) + "\n")
    data = ["--data-dir", str(tmp_path / "data")]
    guessed = RUNNER.invoke(app, ["refdata", "load-ncci", str(path), *data])
    assert guessed.exit_code != 0
    given = RUNNER.invoke(
        app, ["refdata", "load-ncci", str(path), "--setting", "outpatient", *data]
    )
    assert given.exit_code == 0 and "1 outpatient PTP edits" in given.output
    wrong = RUNNER.invoke(app, ["refdata", "load-mue", str(path), "--setting", "dental", *data])
    assert wrong.exit_code != 0
    missing = RUNNER.invoke(app, ["refdata", "load-mue", str(tmp_path / "nope.csv"), *data])
    assert missing.exit_code != 0


def test_a_file_without_claims_is_named_and_nothing_at_all_is_an_error(tmp_path: Path) -> None:
    remittance = Path(__file__).parents[1] / "x12" / "fixtures" / "835" / "claim_cas_six.835"
    claims = _file(tmp_path)
    mixed = RUNNER.invoke(app, ["scrub", str(claims), str(remittance), "--format", "json"])
    assert mixed.exit_code == 0, mixed.output
    notes = json.loads(mixed.output)["summary"]["notes"]
    assert f"{remittance}: no 837 claim to scrub (it holds 835)" in notes
    only = RUNNER.invoke(app, ["scrub", str(remittance)])
    assert only.exit_code != 0
    assert "nothing to scrub" in str(only.exception)
    empty = tmp_path / "empty-outbox"
    empty.mkdir()
    nothing = RUNNER.invoke(app, ["scrub", str(empty)])
    assert str(nothing.exception) == f"{empty}: no X12 files in this folder (it is empty)"


def test_backtest_table_shows_precision_and_recall() -> None:
    from decimal import Decimal

    from denialscope.cli.scrub import render_backtest
    from denialscope.scrub.backtest import BacktestReport, RuleScore

    score = RuleScore("dx_validity.billable", "dx_validity", flagged=1200, caught=400)
    score.caught_dollars = Decimal("12345.5")
    score.other_denials, score.false_alarms, score.preventable_denials = 200, 600, 1000
    text = render_backtest(BacktestReport(rules=[score]), "table")
    [row] = [ln for ln in text.splitlines() if ln.startswith("  dx_validity.billable")]
    # precision 400 / (400 + 200 + 600); recall 400 / 1,000 preventable denials
    assert "1,200" in row and "($12,345.50)" in row
    assert row.split()[1:8] == ["1,200", "400", "($12,345.50)", "200", "600", "33.3%", "40.0%"]
