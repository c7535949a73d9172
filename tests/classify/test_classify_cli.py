"""The ``denialscope codes`` commands through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from denialscope.cli.codes import register
from denialscope.errors import InputError

runner = CliRunner()


@pytest.fixture
def app(data_dir: Path) -> typer.Typer:
    application = typer.Typer()

    @application.callback()
    def root() -> None:
        """denialscope (test shell)."""

    register(application)
    return application


def _explain(app: typer.Typer, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["codes", "explain", *args, "--json"])
    assert result.exit_code == 0, result.output
    payload: dict[str, object] = json.loads(result.output)
    return payload


@pytest.mark.parametrize(
    ("args", "is_denial", "stream", "root_cause", "rule"),
    [
        (
            ["CO", "16", "--rarc", "M51"],
            True,
            "coding",
            "invalid_procedure_code",
            "missing-info-procedure-code",
        ),
        (
            ["CO", "16", "--rarc", "N706"],
            True,
            "billing",
            "missing_attachment",
            "missing-info-records",
        ),
        (
            ["CO", "50", "--rarc", "M25", "--claim-type", "inpatient"],
            True,
            "clinical",
            "level_of_care",
            "necessity-inpatient-level-of-care",
        ),
        (["CO", "197"], True, "access", "auth_not_obtained", "carc-197"),
        (
            ["CO", "197", "--line-rarc", "N10"],
            True,
            "clinical",
            "auth_denied_clinical_review",
            "auth-denied-after-review",
        ),
        (
            ["CO", "197", "--claim-type", "inpatient", "--paid-nothing"],
            True,
            "access",
            "auth_not_obtained",
            "inpatient-stay-without-authorization",
        ),
        (
            ["CO", "197", "--claim-type", "inpatient", "--paid-some"],
            True,
            "clinical",
            "concurrent_review",
            "inpatient-days-beyond-authorization",
        ),
        (
            ["CO", "197", "--claim-type", "inpatient"],
            True,
            "clinical",
            "concurrent_review",
            "inpatient-days-beyond-authorization",
        ),
        (["CO", "45"], False, "none", "not_a_denial", "carc-45"),
        (["PR", "2"], False, "none", "not_a_denial", "carc-2"),
        (
            ["CO", "150", "--procedure", "99215"],
            True,
            "coding",
            "em_level",
            "level-evaluation-management",
        ),
    ],
)
def test_explain_json(
    app: typer.Typer, args: list[str], is_denial: bool, stream: str, root_cause: str, rule: str
) -> None:
    payload = _explain(app, *args)
    assert (payload["is_denial"], payload["stream"], payload["root_cause"], payload["rule"]) == (
        is_denial,
        stream,
        root_cause,
        rule,
    )
    for key in ("category", "process_step", "owner", "label", "config_version", "explanation"):
        assert key in payload
    assert payload["official_description"] is None  # nothing loaded yet


def test_explain_shows_official_text_once_loaded(app: typer.Typer, tmp_path: Path) -> None:
    listing = tmp_path / "carc.csv"
    listing.write_text("Code,Description\n50,Synthetic fifty text.\n16,Synthetic.\n")
    loaded = runner.invoke(app, ["codes", "load", str(listing)])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 2 CARC codes" in loaded.output
    remarks = tmp_path / "rarc.csv"
    remarks.write_text("Code,Description\nM25,Synthetic M25 text.\n")
    assert runner.invoke(app, ["codes", "load", str(remarks)]).exit_code == 0
    payload = _explain(app, "CO", "50", "--rarc", "M25")
    assert payload["official_description"] == "Synthetic fifty text."
    assert payload["official_remarks"] == {"M25": "Synthetic M25 text."}
    text = runner.invoke(app, ["codes", "explain", "CO", "50", "--rarc", "M25"]).output
    assert "official: Synthetic fifty text." in text
    assert "M25: Synthetic M25 text." in text


def test_explain_uses_organization_config_and_date(app: typer.Typer, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "rules:\n  - id: blue-96\n    carc: ['96']\n    payer: [BLUE]\n"
        "    effective_from: 2025-01-01\n    root_cause: medical_necessity\n"
    )
    inside = _explain(
        app, "CO", "96", "--payer", "BLUE", "--date", "2025-06-01", "--config", str(org)
    )
    before = _explain(
        app, "CO", "96", "--payer", "BLUE", "--date", "2024-06-01", "--config", str(org)
    )
    assert (inside["rule"], before["rule"]) == ("blue-96", "carc-96")
    assert inside["config_version"] != _explain(app, "CO", "96")["config_version"]


@pytest.mark.parametrize(
    "args",
    [["XX", "16"], ["CO", "16", "--claim-type", "dental"], ["CO", "16", "--date", "June 1"]],
)
def test_explain_rejects_bad_arguments(app: typer.Typer, args: list[str]) -> None:
    result = runner.invoke(app, ["codes", "explain", *args])
    assert isinstance(result.exception, InputError)


def test_list_counts_mapped_carcs(app: typer.Typer) -> None:
    result = runner.invoke(app, ["codes", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["root_cause"]: row for row in json.loads(result.output)["root_causes"]}
    assert rows["readmission"]["mapped_carcs"] == 1
    assert rows["timely_filing"]["stream"] == "billing"
    assert sum(int(row["mapped_carcs"]) for row in rows.values()) == 407
    clinical = runner.invoke(app, ["codes", "list", "--stream", "clinical"])
    assert "level_of_care" in clinical.output and "ncci_bundling" not in clinical.output


def test_check_reports_line_numbers(app: typer.Typer, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("disable: [carc-16]\n")
    ok = runner.invoke(app, ["codes", "check", str(good)])
    assert ok.exit_code == 0 and ok.output.startswith("OK:")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: r\n    carc: [16]\n    root_cause: nonsense\n")
    failed = runner.invoke(app, ["codes", "check", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}:4: rules[r].root_cause: unknown root cause 'nonsense'" in failed.output


def test_check_without_file_uses_data_dir(app: typer.Typer, data_dir: Path) -> None:
    assert runner.invoke(app, ["codes", "check"]).output.startswith(
        "OK: defaults/classification.yaml:"
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "classification.yaml").write_text("disable: [nope]\n")
    failed = runner.invoke(app, ["codes", "check"])
    assert failed.exit_code == 1 and "classification.yaml:1: disable" in failed.output


def test_explain_flags_unknown_and_deactivated_remarks(app: typer.Typer) -> None:
    text = runner.invoke(
        app, ["codes", "explain", "CO", "50", "--rarc", "N115", "--line-rarc", "N1I5"]
    ).output
    assert "note: N1I5 is not a RARC code in the published list (a typo?)" in text
    assert "note: N115" not in text
    payload = _explain(app, "CO", "16", "--rarc", "M101")
    assert payload["remark_notes"] == {"M101": "is a deactivated RARC code"}


def test_explain_reads_line_modifiers_and_shows_the_reason(app: typer.Typer) -> None:
    with_notice = _explain(app, "CO", "204", "--modifier", "ga")
    assert (with_notice["category"], with_notice["rule"]) == (
        "patient_share",
        "patient-liable-notice",
    )
    assert with_notice["input"] == {
        "group": "CO",
        "carc": "204",
        "claim_rarcs": [],
        "line_rarcs": [],
        "claim_type": None,
        "payer": None,
        "modifiers": ["GA"],
        "claim_paid_nothing": None,
    }
    assert "waiver" in str(with_notice["reason"])
    refused = _explain(app, "CO", "204", "--modifier", "GA", "--modifier", "GZ")
    assert (refused["is_denial"], refused["root_cause"]) == (True, "coverage_noncovered")
