"""`denialscope policy check|validate|serve-cds` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from denialscope.cli import policy as policy_cli
from denialscope.errors import ConfigurationError

OWN = """version: 1
payers:
  - {id: ACME1, name: ACME HEALTH, kind: commercial}
policies:
  - id: ACME-KNEE
    title: Knee replacement
    payers: [ACME1]
    services: ["27447"]
    prior_authorization: required
    criteria: [{type: payer_policy, id: ACME-KNEE}]
    covered_diagnoses: [M17]
    effective_from: 2025-01-01
"""


def _app() -> typer.Typer:
    application = typer.Typer()
    policy_cli.register(application)

    @application.callback()
    def _root() -> None:
        """Keeps `policy` a named group."""

    return application


def test_check_with_the_organizations_library_as_json(tmp_path: Path) -> None:
    (tmp_path / "payer_policies.yaml").write_text(OWN, encoding="utf-8")
    out = CliRunner().invoke(
        _app(),
        ["policy", "check", "27447", "99213", "--payer", "acme1", "--dx", "M54.50",
         "--date", "2025-06-01", "--format", "json", "--data-dir", str(tmp_path)],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    document = json.loads(out.stdout)
    assert document["example_library"] is False
    knee, visit = document["orders"]
    assert (knee["code"], knee["risk"], visit["risk"]) == ("27447", "high", "none")
    assert [f["code"] for f in knee["findings"]] == [
        "diagnosis.not_supported", "auth.required", "criteria",
    ]  # fmt: skip
    assert "example library" not in out.stderr


def test_check_on_the_example_says_so_and_lists_findings(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        _app(),
        ["policy", "check", "72148", "--payer", "SHP01", "--dx", "M51.16", "--auth", "PA-1",
         "--setting", "22", "--date", "2025-06-01", "--data-dir", str(tmp_path)],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "shipped example library" in out.stderr
    assert "prior authorization PA-1 on file for 72148" in out.stdout
    assert "payer policy SHP-RAD-017" in out.stdout


def test_check_refuses_a_bad_date_and_code(tmp_path: Path) -> None:
    runner, app = CliRunner(), _app()
    base = ["policy", "check", "--data-dir", str(tmp_path), "--payer", "SHP01"]
    out = runner.invoke(app, [*base, "72148", "--date", "2025-13-01"])
    assert "--date '2025-13-01' is not a date" in str(out.exception)
    out = runner.invoke(app, [*base, "7214"])
    assert "order code '7214' is not a CPT or HCPCS code" in str(out.exception)


def test_validate_accepts_a_good_file_and_names_the_line_of_a_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(OWN, encoding="utf-8")
    out = CliRunner().invoke(_app(), ["policy", "validate", str(good)])
    assert out.exit_code == 0, out.output
    assert out.output.strip() == f"{good}: valid: 1 policies, 1 payers"
    bad = tmp_path / "bad.yaml"
    bad.write_text(OWN.replace("[M17]", "[M17.99]"), encoding="utf-8")
    out = CliRunner().invoke(_app(), ["policy", "validate", str(bad)])
    assert isinstance(out.exception, ConfigurationError)
    assert out.exception.message == (
        f"{bad}:11: policies[0].covered_diagnoses: 'M1799' is not an ICD-10-CM code or category"
    )


def test_serve_cds_runs_uvicorn_with_the_cds_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, *, host: str, port: int) -> None:
        seen.update(app=app, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    (tmp_path / "payer_policies.yaml").write_text(OWN, encoding="utf-8")
    out = CliRunner().invoke(
        _app(), ["policy", "serve-cds", "--port", "8123", "--data-dir", str(tmp_path)]
    )
    assert out.exit_code == 0, out.output
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/cds-services (1 policies" in out.stderr
    services = TestClient(seen["app"]).get("/cds-services").json()["services"]
    assert [s["hook"] for s in services] == ["order-select", "order-sign"]


def test_the_command_modules_import_no_web_or_database_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, denialscope.cli.policy, denialscope.cli.drg_downgrades; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'sqlalchemy', 'yaml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_list_shows_a_payers_policies(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        _app(),
        ["policy", "list", "--payer", "04312", "--format", "csv", "--data-dir", str(tmp_path)],
    )
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == "id,title,payers,services,prior_authorization,criteria,effective"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "MCR-LDCT", "MCR-TAVR", "MCR-PAP", "MCR-CGM", "MCR-DXA",
    ]  # fmt: skip
    assert '"medicare, medicare_advantage","E0601, E0470",not_required,LCD L33718' in out.stdout
