"""`denialscope demo` writes the data set and says what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from denialscope.cli.main import _register, app


def test_demo_command_without_ingest(tmp_path: Path) -> None:
    _register()
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        app, ["demo", "--claims", "300", "--seed", "5", "--out", str(out), "--no-ingest"]
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((out / "ground_truth.json").read_text())
    assert truth["summary"]["claims_submitted"] == 300
    assert f"{truth['summary']['denial_rate']:.1%}" in result.output
    assert "ed_template_v2" in result.output
    assert "denialscope ingest" in result.output
    assert (out / "org.yaml").is_file()
    assert list((out / "837").glob("*.x12")) and list((out / "835").glob("*.x12"))


def test_demo_rejects_too_few_claims(tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(app, ["demo", "--claims", "5", "--out", str(tmp_path)])
    assert result.exit_code != 0


def test_demo_never_mixes_with_other_data_and_reset_starts_fresh(tmp_path: Path) -> None:
    """A database holding other files (real remittances, another demo) is left alone."""
    _register()
    data = tmp_path / "data"
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--claims", "120", "--seed", "3", "--data-dir", str(data)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["demo", "--claims", "120", "--seed", "3", "--data-dir", str(data)])
    assert again.exit_code == 0, again.output  # the same demo again: already ingested
    assert "claim submissions 0," in again.output

    written = sorted(p.name for p in (data / "demo" / "835").iterdir())
    other = runner.invoke(app, ["demo", "--claims", "120", "--seed", "4", "--data-dir", str(data)])
    assert other.exit_code == 1
    assert "nothing was written" in str(other.exception) and "--reset" in str(other.exception)
    assert sorted(p.name for p in (data / "demo" / "835").iterdir()) == written

    # Files of another origin in the same database are caught even with matching parameters.
    foreign = tmp_path / "their.835"
    # (Another check number: the same remittance resent would be recognised and not stored.)
    demo_text = (data / "demo" / "835" / written[0]).read_text()
    foreign.write_text(demo_text.replace("TRN*1*", "TRN*1*OTHER") + "\n")
    loaded = runner.invoke(app, ["ingest", str(foreign), "--data-dir", str(data)])
    assert loaded.exit_code == 0, loaded.output
    mixed = runner.invoke(app, ["demo", "--claims", "120", "--seed", "3", "--data-dir", str(data)])
    assert mixed.exit_code == 1
    assert "not this demo's" in str(mixed.exception)

    reset = runner.invoke(
        app, ["demo", "--claims", "120", "--seed", "4", "--data-dir", str(data), "--reset"]
    )
    assert reset.exit_code == 0, reset.output
    assert "errors 0" in reset.output
