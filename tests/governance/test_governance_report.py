"""The quarterly governance report: its JSON content, the HTML, the PDF, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.cli import governance as governance_cli
from denialscope.cli import report as report_cli
from denialscope.errors import InputError
from denialscope.governance.report import (
    governance_report,
    parse_quarter,
    render_html,
    render_pdf,
)
from denialscope.governance.report_types import GovernanceReport
from denialscope.governance.service import create_plan
from factories.governance import FEW

LATER = dt.date(2025, 8, 5)


def test_quarter_labels_and_the_default() -> None:
    assert parse_quarter("2025Q4", as_of=LATER) == (
        "2025-Q4",
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert parse_quarter("2025-q1", as_of=LATER)[1:] == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    # 30 days of adjudication lag: on Aug 5 June is complete, so Q2 is the latest whole one.
    assert parse_quarter(None, as_of=LATER)[0] == "2025-Q2"
    assert parse_quarter(None, as_of=dt.date(2025, 7, 15))[0] == "2025-Q1"
    with pytest.raises(InputError):
        parse_quarter("2025Q5", as_of=LATER)


@pytest.fixture
def report(governed: Session) -> GovernanceReport:
    create_plan(
        governed,
        settings=FEW,
        root_cause="modifier_missing_invalid",
        owner_role="Coding lead",
        owner_name="Sam",
        metric="count",
        change_pct=Decimal(-40),
        due_date=dt.date(2025, 12, 31),
        payer="ALPHA",
        as_of=dt.date(2025, 5, 5),
    )
    governed.commit()
    return governance_report(governed, quarter="2025Q2", as_of=LATER, min_claims=1)


def test_report_content(report: GovernanceReport) -> None:
    data = report.to_dict()
    assert data["quarter"] == "2025-Q2"
    # Q2: ALPHA 10 claims (3 denied), BETA 2 (both denied).
    assert data["summary"]["claims_submitted"] == 12
    assert data["summary"]["initial_denials"] == 5
    assert data["summary"]["denied_amount"] == Decimal("500")
    assert data["rework"]["total_cost"] == Decimal("230.00")  # 5 coding denials x $46
    assert data["appeals"]["worked"] == 0  # no work items in this data set
    coding = data["top_root_causes"]["coding"]
    assert [c["root_cause"] for c in coding] == ["modifier_missing_invalid"]
    assert coding[0]["claims"] == 5 and coding[0]["share"] == 1
    assert coding[0]["owner_role"] == "Coding"
    assert coding[0]["process_step"] == "Modifier rules in the scrubber"
    assert data["top_root_causes"]["clinical"] == []
    (plan,) = data["action_plans"]
    assert plan["progress"]["baseline"] == 4 and plan["progress"]["current"] == 3
    assert plan["progress"]["assessment"] == "on_track"
    cards = {c["payer"]: c for c in data["payer_scorecard"]}
    alpha, beta = cards["ALPHA HEALTH"], cards["BETA CARE"]
    assert alpha["claims"] == 10
    assert alpha["initial_denial_rate_count"] == Decimal("0.3")
    assert alpha["zero_pay_rate"] == Decimal("0.3")
    assert alpha["denial_mix"]["coding"] == 1 and alpha["denial_mix"]["clinical"] == 0
    assert alpha["top_root_causes"] == ["modifier_missing_invalid"]
    assert alpha["avg_days_to_pay"] == Decimal("15.0")  # submitted the 5th, paid the 20th
    assert beta["initial_denial_rate_count"] == 1 and beta["avg_days_to_pay"] is None
    payers = {row["payer"]: row for row in data["trends"]["payer"]}
    assert payers["BETA CARE"]["initial_denials"] == 2
    assert [row["facility"] for row in data["trends"]["facility"]] == ["F1"]
    months = [row["month"] for row in data["trends"]["month"]]
    assert months[-3:] == ["2025-04", "2025-05", "2025-06"]


def test_json_keys_are_the_documented_ones(report: GovernanceReport) -> None:
    # The `report governance --format json` document of docs/analytics.md, key for key.
    data = report.to_dict()
    assert list(data) == [
        "quarter", "period", "data_as_of", "summary", "appeals", "rework",
        "top_root_causes", "action_plans", "trends", "payer_scorecard",
    ]  # fmt: skip
    assert list(data["period"]) == ["from", "to"]
    assert data["period"] == {"from": dt.date(2025, 4, 1), "to": dt.date(2025, 6, 30)}
    assert list(data["summary"]) == [
        "claims_submitted", "claims_adjudicated", "initial_denials", "initial_denial_rate",
        "denied_amount",
    ]  # fmt: skip
    assert data["summary"]["initial_denial_rate"] == Decimal("0.416667")  # 5 of 12
    assert set(data["appeals"]) == {
        "volume", "worked", "open", "overturned", "overturned_partly", "overturn_rate",
        "denied_net_decided", "recovered_net", "recovery_per_worked", "cost_per_worked",
        "mean_cycle_days", "mean_days_denial_to_appeal", "mean_days_denial_to_resolution",
        "corrections",
    }  # fmt: skip
    assert list(data["rework"]) == [
        "cost_per_reworked_claim", "reworked_claims", "rework_cost", "total_cost",
    ]  # fmt: skip
    assert list(data["top_root_causes"]) == ["clinical", "coding", "access", "billing"]
    assert list(data["top_root_causes"]["coding"][0]) == [
        "root_cause", "claims", "dollars", "share", "process_step", "owner_role", "owner_name",
    ]  # fmt: skip
    assert list(data["action_plans"][0]) == [
        "id", "root_cause", "stream", "scope", "owner", "metric", "target", "due_date",
        "status", "notes", "progress",
    ]  # fmt: skip
    plan = data["action_plans"][0]
    assert plan["scope"] == "payer ALPHA" and plan["owner"] == "Sam (Coding lead)"
    assert plan["target"] == "count -40% by 2025-12-31"
    assert list(data["trends"]) == ["month", "payer", "service_line", "facility"]
    assert list(data["trends"]["facility"][0]) == [
        "facility", "claims_adjudicated", "initial_denials", "initial_denial_rate",
        "initial_denial_rate_charges", "clinical_denials", "coding_denials", "access_denials",
        "billing_denials", "data",
    ]  # fmt: skip
    assert list(data["payer_scorecard"][0]) == [
        "payer", "claims", "claims_adjudicated", "initial_denial_rate_count",
        "initial_denial_rate_charges", "denial_mix", "top_root_causes", "overturn_rate",
        "avg_days_to_pay", "zero_pay_rate",
    ]  # fmt: skip
    assert "charts" not in data  # the SVGs belong to the page only
    assert report.charts.pareto.startswith("<svg") and report.charts.trend.startswith("<svg")


def test_html_has_every_section_and_no_external_reference(report: GovernanceReport) -> None:
    html = render_html(report)
    for section in ("summary", "top-root-causes", "action-plans", "trends", "payer-scorecard"):
        assert f'<section id="{section}">' in html
    assert html.count("<svg") == 2
    assert "http" not in html.lower()
    assert "modifier_missing_invalid" in html and "ALPHA HEALTH" in html


def test_pdf_renders(report: GovernanceReport) -> None:
    assert render_pdf(render_html(report)).startswith(b"%PDF")


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    report_cli.register(application)
    governance_cli.register(application)
    return application


def test_cli_plan_and_report(
    governed: Session, migrated_database_url: str, app: typer.Typer, tmp_path: Path
) -> None:
    runner = CliRunner()
    db = ["--database", migrated_database_url]
    added = runner.invoke(
        app,
        ["plan", "add", "--root-cause", "modifier_missing_invalid", "--payer", "ALPHA",
         "--owner-role", "Coding lead", "--owner-name", "Sam", "--metric", "count",
         "--change", "-40", "--due", "2025-12-31", *db],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    # Newest initial adjudication Jun 20, minus the lag: Feb-Apr; ALPHA has 1 + 1 + 1.
    assert "baseline 3 (2025-02-01 to 2025-04-30)" in added.output
    updated = runner.invoke(app, ["plan", "update", "1", "--status", "at_risk", *db])
    assert updated.exit_code == 0, updated.output
    listed = runner.invoke(app, ["plan", "list", "--format", "json", *db])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)
    assert row["status"] == "at_risk" and row["baseline"] == "3.000000"  # exact decimal text
    out = tmp_path / "q2.json"
    made = runner.invoke(
        app,
        ["report", "governance", "--quarter", "2025Q2", "--format", "json", "--out", str(out), *db],
    )
    assert made.exit_code == 0, made.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["summary"]["claims_submitted"] == 12
    assert document["action_plans"][0]["status"] == "at_risk"
    html = runner.invoke(app, ["report", "governance", "--quarter", "2025Q2", *db])
    assert html.exit_code == 0 and '<section id="payer-scorecard">' in html.output
    refused = runner.invoke(app, ["report", "governance", "--format", "pdf", *db])
    assert isinstance(refused.exception, InputError)
