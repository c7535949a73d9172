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
