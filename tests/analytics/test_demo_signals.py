"""The demo's injected signals are found (the session's demo database: 3,000 claims, seed 7).

The hand-built data set covers both engines; this module checks the methods find what the
generator planted: the template spike, the case-mix-only department, the payer × service
line medical-necessity problem.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from denialscope.analytics.cohort import Filters
from denialscope.analytics.departments import department_report
from denialscope.analytics.events import event_impact
from denialscope.analytics.pareto import pareto
from denialscope.analytics.summary import kpi_report
from denialscope.db.engine import open_database
from factories.demo_db import DemoDatabase


@pytest.fixture
def demo(demo_database: DemoDatabase) -> tuple[str, dict[str, Any]]:
    """The session's demo database (shared: read it only) and its ground truth."""
    return demo_database.url, demo_database.truth


@pytest.fixture
def demo_copy(demo_database: DemoDatabase, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """A private copy, for the commands that write (events, cube refresh)."""
    return demo_database.copy_to(tmp_path / "db"), demo_database.truth


@pytest.fixture
def demo_session(demo: tuple[str, dict[str, Any]]) -> Iterator[Session]:
    engine, factory = open_database(demo[0])
    maker: sessionmaker[Session] = factory
    try:
        with maker() as session:
            yield session
    finally:
        engine.dispose()


def _signal(truth: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in truth["signals"] if s["type"] == kind)


def test_kpis_agree_with_the_ground_truth(
    demo: tuple[str, dict[str, Any]], demo_session: Session
) -> None:
    truth = demo[1]["summary"]
    kpi = kpi_report(session=demo_session)["all"]
    assert kpi["claims_submitted"] == truth["claims_submitted"]
    assert kpi["initial_denials"] == truth["initially_denied"]
    counts = {s: int(v["count"]) for s, v in kpi["denials_by_stream"].items()}
    assert counts == truth["by_stream"]


def test_template_event_spike_has_the_right_cause(
    demo: tuple[str, dict[str, Any]], demo_session: Session
) -> None:
    signal = _signal(demo[1], "event")
    impact = event_impact(
        demo_session,
        event_date=dt.date.fromisoformat(signal["event_date"]),
        department=signal["department"],
    )
    assert [c.root_cause for c in impact.spikes] == [signal["root_cause"]]
    # The same date in the other departments raises nothing. Scanning five more departments
    # is five more families of tests: alpha is split across them (Bonferroni), else a 5%
    # family-wise error per department makes some false spike likely (~23%) on any seed.
    quiet_departments = ("RMC-CARD", "RMC-ORTH", "RMC-BH", "RPG-PC", "RMC-IMG")
    for department in quiet_departments:
        quiet = event_impact(
            demo_session,
            event_date=dt.date(2025, 6, 1),
            department=department,
            alpha=0.05 / len(quiet_departments),
        )
        assert quiet.spikes == [], department


def test_case_mix_department_not_flagged_but_the_truly_high_one_is(
    demo: tuple[str, dict[str, Any]], demo_session: Session
) -> None:
    signal = _signal(demo[1], "case_mix")
    results = {r.department: r for r in department_report(demo_session)}
    mix_only = results[signal["mix_only"]["department"]]
    excess = results[signal["true_excess"]["department"]]
    assert mix_only.per_1000 > Decimal(150)  # high raw rate ...
    assert mix_only.flag == ""  # ... explained by its mix
    assert excess.flag == "high"
    assert excess.ci_low > 1


def test_payer_service_line_problem_tops_its_pareto(
    demo: tuple[str, dict[str, Any]], demo_session: Session
) -> None:
    signal = next(s for s in demo[1]["signals"] if s["id"] == "summit_cardiology_med_necessity")
    result = pareto(
        demo_session,
        filters=Filters(stream="clinical", payer="summit", service_line="cardiology"),
        target=Decimal("0.7"),
    )
    assert result.entries[0].root_cause == signal["root_cause"]
    assert result.vital_few[0].root_cause == signal["root_cause"]


def test_report_kpis_json_on_the_demo(
    demo_copy: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    from denialscope.cli.main import _register, app

    _register()
    runner = CliRunner()
    out = runner.invoke(app, ["report", "kpis", "--format", "json", "--database", demo_copy[0]])
    assert out.exit_code == 0, out.output
    document = json.loads(out.output)
    for key in (
        "claims_submitted",
        "initial_denial_rate",
        "denials_by_stream",
        "overturned",
        "contractual_adjustments",
        "patient_responsibility",
        "first_pass_yield",
    ):
        assert key in document
    assert set(document["initial_denial_rate"]) >= {"count", "charges"}
    assert set(document["overturned"]) >= {"claims_full", "recovered_net"}
    chart = tmp_path / "pareto.svg"
    out = runner.invoke(
        app,
        ["report", "pareto", "--stream", "clinical", "--payer", "summit", "--format", "csv",
         "--chart", str(chart), "--database", demo_copy[0]],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1].startswith("medical_necessity,clinical")
    assert chart.read_text(encoding="utf-8").startswith("<svg")


def test_event_and_other_reports_through_the_cli(
    demo_copy: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    from xml.dom.minidom import parse

    from denialscope.cli.main import _register, app

    _register()
    runner = CliRunner()
    db = ["--database", demo_copy[0]]
    signal = _signal(demo_copy[1], "event")
    added = runner.invoke(
        app,
        ["event", "add", "--date", signal["event_date"], "--kind", "template",
         "--department", signal["department"], *db],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    events = runner.invoke(app, ["report", "events", "--format", "json", *db])
    assert events.exit_code == 0, events.output
    impacts = json.loads(events.output)
    assert [i["spikes"] for i in impacts] == [[signal["root_cause"]]]
    funnel = tmp_path / "funnel.svg"
    departments = runner.invoke(
        app, ["report", "departments", "--format", "json", "--chart", str(funnel), *db]
    )
    assert departments.exit_code == 0, departments.output
    flagged = {d["department"] for d in json.loads(departments.output) if d["flag"] == "high"}
    assert signal["department"] not in flagged
    parse(str(funnel))  # well-formed SVG
    trends = runner.invoke(app, ["report", "trends", "--by", "quarter", "--format", "csv", *db])
    assert trends.exit_code == 0, trends.output
    assert trends.output.startswith("quarter,claims_adjudicated,initial_denials")
    alerts = runner.invoke(app, ["report", "alerts", "--format", "json", *db])
    assert alerts.exit_code == 0, alerts.output
    assert all(a["shift_began"] <= a["alarm_month"] for a in json.loads(alerts.output))
    bad = runner.invoke(app, ["report", "kpis", "--stream", "dental", *db])
    assert bad.exit_code != 0


def test_monitor_raises_the_template_shift_without_an_event(
    demo: tuple[str, dict[str, Any]], demo_session: Session
) -> None:
    from denialscope.analytics.monitor import cusum_alerts

    signal = _signal(demo[1], "event")
    alerts = cusum_alerts(demo_session, level="root_cause", across="department")
    found = [a for a in alerts if a.series == f"{signal['root_cause']} × {signal['department']}"]
    assert len(found) == 1
    assert found[0].shift_began >= signal["event_date"][:7]
    assert found[0].observed_since_shift > 3 * found[0].expected_since_shift


def test_drg_downgrades_are_the_planted_ones(
    demo_database: DemoDatabase, demo_session: Session
) -> None:
    """Every stay the generator paid at a lower DRG, and no other, is a downgrade."""
    import csv

    from denialscope.analytics.drg_downgrades import drg_downgrades

    truth_csv = demo_database.result.out_dir / "ground_truth_denials.csv"
    with truth_csv.open(encoding="utf-8", newline="") as handle:
        planted = {r["claim_id"] for r in csv.DictReader(handle) if r["level"] == "drg"}
    report = drg_downgrades(demo_session)
    assert planted
    assert {c.control_number for c in report.downgrades} == planted
    assert all(c.difference is not None and c.difference > 0 for c in report.downgrades)
