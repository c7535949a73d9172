"""Default periods: the latest complete quarter/month with enough claims, not the late few."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.analytics.periods import (
    NoPeriodError,
    Window,
    default_window,
    last_complete_month,
    latest_window,
    min_claims,
)
from denialscope.analytics.trends import trend_rows
from denialscope.claims.models import Claim
from denialscope.errors import ConfigurationError, InputError
from denialscope.governance.report import governance_report
from denialscope.governance.service import create_plan
from denialscope.orgs.models import Payer
from denialscope.remits.models import ClaimPayment, Remittance
from denialscope.settings import Settings
from factories.governance import FEW

M = dt.date


def test_last_complete_month_allows_the_adjudication_lag() -> None:
    assert last_complete_month(M(2025, 5, 5)) == M(2025, 3, 1)  # Apr 5: March is complete
    assert last_complete_month(M(2025, 4, 30)) == M(2025, 3, 1)  # cutoff Mar 31 itself
    assert last_complete_month(M(2025, 4, 29)) == M(2025, 2, 1)


def test_latest_window_skips_thin_months() -> None:
    volume = {M(2025, m, 1): n for m, n in [(1, 400), (2, 380), (3, 420), (4, 410), (5, 390),
                                           (6, 150), (7, 0), (8, 3)]}  # fmt: skip
    # Median of the filled months is 390 -> a month needs 195: June (150) is still filling.
    found = latest_window(volume, months=3, last_complete=M(2025, 8, 1), minimum=30)
    assert found == Window(M(2025, 3, 1), M(2025, 5, 31), 1220)
    quarter = latest_window(
        volume, months=3, last_complete=M(2025, 8, 1), minimum=30, quarters=True
    )
    assert quarter == Window(M(2025, 1, 1), M(2025, 3, 31), 1200)
    month = latest_window(volume, months=1, last_complete=M(2025, 8, 1), minimum=30)
    assert month == Window(M(2025, 5, 1), M(2025, 5, 31), 390)
    assert latest_window(volume, months=3, last_complete=M(2025, 2, 1), minimum=30) is None
    assert latest_window({}, months=1, last_complete=M(2025, 2, 1), minimum=1) is None


def test_min_claims_from_option_or_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENIALSCOPE_MIN_CLAIMS", "12")
    assert min_claims() == 30  # domain code never reads the environment
    assert min_claims(5) == 5
    assert Settings.resolve(database="sqlite://").min_claims == 12
    monkeypatch.delenv("DENIALSCOPE_MIN_CLAIMS")
    assert Settings.resolve(database="sqlite://").min_claims == 30
    monkeypatch.setenv("DENIALSCOPE_MIN_CLAIMS", "few")
    with pytest.raises(ConfigurationError, match="DENIALSCOPE_MIN_CLAIMS"):
        Settings.resolve(database="sqlite://")
    with pytest.raises(InputError, match="--min-claims 0"):
        min_claims(0)


def _late_claim(session: Session) -> None:
    """One claim submitted 2025-11-05, denied 2026-02-20: it sets the data's "today"."""
    payer = session.scalars(select(Payer).where(Payer.payer_key == "ALPHA")).one()
    remittance = session.scalars(select(Remittance)).first()
    assert remittance is not None
    claim = Claim(claim_key="LATE|1234567893", control_number="LATE", kind="837P",
                  claim_type="professional", payer_id=payer.id, total_charge=Decimal(100),
                  submitted_at=M(2025, 11, 5))  # fmt: skip
    session.add(claim)
    session.flush()
    session.add(
        ClaimPayment(
            remittance_id=remittance.id,
            claim_id=claim.id,
            seq=1,
            status_code="4",
            payer_responsibility="unknown",
            is_reversal=False,
            charge=Decimal(100),
            paid=Decimal(0),
            adjudicated_at=M(2026, 2, 20),
            denial_type="full_denial",
            is_denial=True,
            denied_amount=Decimal(100),
        )
    )
    session.commit()


def test_governance_defaults_to_the_latest_filled_quarter(governed: Session) -> None:
    # Claims per month: Jan 4, Feb 3, Mar 3, Apr 4, May 4, Jun 4, then one in November.
    _late_claim(governed)
    window = default_window(governed, months=3, minimum=2, quarters=True)
    assert (window.start, window.end, window.claims) == (M(2025, 4, 1), M(2025, 6, 30), 12)
    report = governance_report(governed, min_claims=2)
    assert report.quarter == "2025-Q2"  # not 2025-Q4, which holds the one late claim
    assert report.summary.claims_adjudicated == 12
    with pytest.raises(NoPeriodError, match=r"2025-01 4, 2025-02 3, .*2025-11 1"):
        default_window(governed, months=3, minimum=5, quarters=True)


def test_plan_baseline_comes_from_a_filled_period_or_says_why(governed: Session) -> None:
    _late_claim(governed)
    fields = dict(root_cause="modifier_missing_invalid", owner_role="Coding lead",
                  owner_name="Sam", metric="count", change_pct=Decimal(-40),
                  due_date=M(2026, 12, 31))  # fmt: skip
    plan = create_plan(governed, settings=FEW, **fields)  # type: ignore[arg-type]
    # Jul-Sep is empty and Oct-Dec has one claim: the baseline is Apr-Jun's 5 denials.
    assert (plan.baseline_from, plan.baseline_to) == (M(2025, 4, 1), M(2025, 6, 30))
    assert plan.baseline_value == Decimal(5)
    with pytest.raises(NoPeriodError, match="cannot measure the plan's baseline: no complete"):
        create_plan(governed, settings=FEW, **fields, as_of=M(2025, 2, 1))  # type: ignore[arg-type]
    with pytest.raises(NoPeriodError, match="no adjudicated claims for payer NOBODY"):
        create_plan(governed, settings=FEW, **fields, payer="NOBODY")  # type: ignore[arg-type]


def test_trend_points_without_enough_claims_have_no_rate(governed: Session) -> None:
    rows = {r["quarter"]: r for r in trend_rows(governed, by="quarter", min_claims=11)}
    q1, q2 = rows["2025-Q1"], rows["2025-Q2"]
    assert q1["claims_adjudicated"] == 10 and q1["initial_denials"] == 5
    assert q1["initial_denial_rate"] is None
    assert q1["data"] == "not enough data (10 of 11 claims)"
    assert q2["initial_denial_rate"] == Decimal("0.416667")  # 5 of 12
    assert q2["data"] == "ok"


def test_trends_cli_min_claims(
    governed: Session, migrated_database_url: str, tmp_path: Path
) -> None:
    from denialscope.cli import report as report_cli

    app = typer.Typer()
    report_cli.register(app)
    db = ["--database", migrated_database_url]
    shown = CliRunner().invoke(
        app, ["report", "trends", "--by", "quarter", "--min-claims", "11", "--format", "json", *db]
    )
    assert shown.exit_code == 0, shown.output
    first = json.loads(shown.output)[0]
    assert (first["quarter"], first["initial_denial_rate"]) == ("2025-Q1", None)
    table = CliRunner().invoke(
        app, ["report", "trends", "--by", "quarter", "--min-claims", "11", *db],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert "not enough data (10 of 11 claims)" in table.output
    assert "41.7%" in table.output and "100.0%" not in table.output
