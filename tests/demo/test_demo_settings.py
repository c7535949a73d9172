"""`denialscope demo --settings FILE`: the generator's proportions from a checked YAML file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from denialscope.cli.main import _register, app
from denialscope.demo import certain, denial_model, inpatient, lifecycle
from denialscope.demo.generator import generate_demo
from denialscope.demo.settings import demo_settings, load_settings
from denialscope.errors import InputError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo-settings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_settings_file_is_checked_key_by_key(tmp_path: Path) -> None:
    good = _write(
        tmp_path,
        "payer_base_rates: {MCR: 0.2}\nsignals: {ed_template_v2: 10}\n"
        "stream_shares: {other: {access: 0.5}}\nmiscoding_rate: 0.1\n"
        "lifecycle_rates: {appeal: 0.6}\ndepartment_factors: {RMC-CARD: 1.5}\n",
    )
    settings = load_settings(good)
    assert settings["payer_base_rates"] == {"MCR": 0.2}
    assert settings["stream_shares"] == {"other": {"access": 0.5}}
    for text, words in (
        ("payer_rates: {MCR: 0.2}\n", "unknown name(s) payer_rates"),
        ("payer_base_rates: {XYZ: 0.2}\n", "payer_base_rates: unknown name(s) XYZ"),
        ("payer_base_rates: {MCR: 1.5}\n", "payer_base_rates.MCR: expected a number between 0"),
        ("family_factors: {surgery: -1}\n", "family_factors.surgery: expected a number 0 or"),
        ("signals: {ed_template_v2: lots}\n", "signals.ed_template_v2: expected a number"),
        ("stream_shares: {other: {acess: 0.5}}\n", "stream_shares.other: unknown name(s) acess"),
        ("near_certain: {late_filing: 0.1}\n", "near_certain: unknown name(s) late_filing"),
        ("near_certain: {timely_filing_p: 1.2}\n", "near_certain.timely_filing_p: expected a"),
        ("- a list\n", "expected a mapping of settings"),
    ):
        with pytest.raises(InputError) as error:
            load_settings(_write(tmp_path, text))
        assert words in str(error.value), text
        assert "demo-settings.yaml" in str(error.value)


def test_settings_apply_inside_the_block_and_are_restored(tmp_path: Path) -> None:
    before = (dict(denial_model.BASE), denial_model.SIGNALS, inpatient.MISCODING_RATE)
    settings = load_settings(
        _write(
            tmp_path,
            "payer_base_rates: {MCR: 0.2}\nsignals: {ed_template_v2: 10}\n"
            "miscoding_rate: 0.5\nlifecycle_rates: {appeal: 0.9}\n"
            "near_certain: {late_filing_rate: 0.2}\n",
        )
    )
    with pytest.raises(RuntimeError), demo_settings(settings):
        assert certain.NEAR_CERTAIN["late_filing_rate"] == 0.2
        assert denial_model.BASE["MCR"] == 0.2
        assert denial_model.SIGNALS[0].multiplier == 10
        assert inpatient.MISCODING_RATE == 0.5 and lifecycle.RATES["appeal"] == 0.9
        raise RuntimeError("a failed run still restores the tables")
    assert (dict(denial_model.BASE), denial_model.SIGNALS, inpatient.MISCODING_RATE) == before
    assert lifecycle.RATES["appeal"] == 0.45
    assert certain.NEAR_CERTAIN["late_filing_rate"] == 0.01


def test_no_denial_anywhere_when_every_payer_rate_is_zero(tmp_path: Path) -> None:
    zero = {code: 0.0 for code in denial_model.BASE}
    # The near-certain denials (late, stale coverage, non-covered) do not scale with the
    # payers' base rates: their own probabilities are set to zero too.
    never = {key: 0.0 for key in certain.NEAR_CERTAIN if key.endswith("_p")}
    settings = {"payer_base_rates": zero, "near_certain": never}
    result = generate_demo(tmp_path / "d", claims=400, seed=3, settings=settings)
    truth = json.loads(result.ground_truth.read_text())
    assert truth["settings"] == settings
    assert truth["summary"]["denial_rate"] == 0
    with result.claims_csv.open() as handle:
        assert all(float(row["p_denial"]) == 0 for row in csv.DictReader(handle))
    plain = generate_demo(tmp_path / "p", claims=400, seed=3)
    assert json.loads(plain.ground_truth.read_text())["summary"]["denial_rate"] > 0


def test_the_cli_reads_settings_and_refuses_a_bad_file_in_one_line(tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    bad = _write(tmp_path, "payer_base_rates: {MCR: 2}\n")
    result = runner.invoke(app, ["demo", "--claims", "200", "--settings", str(bad),
                                 "--out", str(tmp_path / "x"), "--no-ingest"])  # fmt: skip
    assert result.exit_code == 1
    # An InputError: main() prints it as one line (the runner keeps it as the exception).
    assert isinstance(result.exception, InputError)
    assert "payer_base_rates.MCR" in str(result.exception)
    assert not (tmp_path / "x").exists()
    good = _write(tmp_path, "lifecycle_rates: {appeal: 0.9}\n")
    result = runner.invoke(app, ["demo", "--claims", "200", "--settings", str(good),
                                 "--out", str(tmp_path / "y"), "--no-ingest"])  # fmt: skip
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "y" / "ground_truth.json").read_text())
    assert truth["settings"] == {"lifecycle_rates": {"appeal": 0.9}}
