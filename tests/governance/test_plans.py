"""Action plans: the baseline is measured at creation, progress against the KPIs later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters
from denialscope.errors import InputError, NotFoundError
from denialscope.governance.models import ActionPlan
from denialscope.governance.service import (
    complete_period,
    create_plan,
    list_plans,
    measure,
    plan_progress,
    update_plan,
)
from factories.governance import FEW

AT_CREATION = dt.date(2025, 5, 5)  # minus the 30-day lag: March is the last complete month
LATER = dt.date(2025, 8, 5)  # minus the lag: June is the last complete month
DUE = dt.date(2025, 12, 31)


def _plan(session: Session, metric: str, **scope: str) -> ActionPlan:
    return create_plan(
        session,
        settings=FEW,
        root_cause="modifier_missing_invalid",
        owner_role="Coding lead",
        owner_name="Sam",
        metric=metric,
        change_pct=Decimal(-40),
        due_date=DUE,
        as_of=AT_CREATION,
        **scope,
    )


def test_complete_period_is_three_whole_months_before_the_lag() -> None:
    assert complete_period(AT_CREATION) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert complete_period(dt.date(2025, 5, 1)) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    # 2025-04-30 minus 30 days is March 31st: March is complete.
    assert complete_period(dt.date(2025, 4, 30)) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert complete_period(dt.date(2025, 4, 29)) == (dt.date(2024, 12, 1), dt.date(2025, 2, 28))
    assert complete_period(dt.date(2025, 5, 1), 1) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


@pytest.mark.parametrize(
    ("metric", "baseline", "target"),
    [
        # ALPHA, Jan-Mar: 4 claims denied for the cause out of 10 adjudicated, $100 each.
        ("count", Decimal(4), Decimal(2)),  # 4 x 0.6 = 2.4, a count rounds to 2
        ("dollars", Decimal("400.00"), Decimal("240.00")),
        ("rate", Decimal("0.4"), Decimal("0.24")),
    ],
)
def test_creation_measures_the_baseline_and_target(
    governed: Session, metric: str, baseline: Decimal, target: Decimal
) -> None:
    plan = _plan(governed, metric, payer="ALPHA")
    governed.commit()
    stored = list_plans(governed)[0]
    assert stored.id == plan.id
    assert stored.stream == "coding"
    assert stored.baseline_value == baseline
    assert stored.target_value == target
    assert (stored.baseline_from, stored.baseline_to) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert stored.status == "open"


@pytest.mark.parametrize(
    ("metric", "current", "fraction"),
    [
        ("count", Decimal(3), Decimal("0.5")),  # (4 - 3) / (4 - 2)
        ("dollars", Decimal("300.00"), Decimal("0.625")),  # 100 / 160
        ("rate", Decimal("0.3"), Decimal("0.625")),  # 0.1 / 0.16
    ],
)
def test_progress_over_the_latest_complete_period(
    governed: Session, metric: str, current: Decimal, fraction: Decimal
) -> None:
    plan = create_plan(
        governed,
        settings=FEW,
        root_cause="modifier_missing_invalid",
        owner_role="Coding lead",
        owner_name="Sam",
        metric=metric,
        change_pct=Decimal(-40),
        due_date=DUE,
        payer="ALPHA",
        as_of=AT_CREATION,
    )
    progress = plan_progress(governed, plan, min_claims=1, as_of=LATER)
    assert (progress.period_from, progress.period_to) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert progress.current == current
    assert progress.fraction == fraction
    # Time gone: Mar 31 -> Aug 5 is 127 of the 275 days to Dec 31.
    assert progress.expected == (Decimal(127) / 275).quantize(Decimal("0.0001"))
    assert progress.assessment == "on_track"


def test_progress_behind_met_missed_and_no_data(governed: Session) -> None:
    soon = create_plan(
        governed,
        settings=FEW,
        root_cause="modifier_missing_invalid",
        owner_role="Coding lead",
        owner_name="Sam",
        metric="count",
        change_pct=Decimal(-40),
        due_date=dt.date(2025, 8, 15),
        payer="ALPHA",
        as_of=AT_CREATION,
    )
    # Apr-Jun: 3, half way to 2, but 132 of the 137 days are gone.
    assert (
        plan_progress(governed, soon, min_claims=1, as_of=dt.date(2025, 8, 10)).assessment
        == "behind"
    )
    assert (
        plan_progress(governed, soon, min_claims=1, as_of=dt.date(2025, 8, 20)).assessment
        == "missed"
    )
    # Jul-Sep has no claims at all: a zero there is no success, so the latest quarter with
    # claims (Apr-Jun, still 3 against a target of 2) is measured, and the plan is past due.
    late = plan_progress(governed, soon, min_claims=1, as_of=dt.date(2025, 11, 1))
    assert (late.period_from, late.current, late.assessment) == (
        dt.date(2025, 4, 1),
        Decimal(3),
        "missed",
    )
    # At creation the latest filled period is the baseline's own: nothing new to judge.
    assert plan_progress(governed, soon, min_claims=1, as_of=AT_CREATION).assessment == "no_data"
    necessity = create_plan(
        governed,
        settings=FEW,
        root_cause="medical_necessity",
        owner_role="Physician advisor",
        owner_name="Kim",
        metric="count",
        change_pct=Decimal(-40),
        due_date=DUE,
        payer="ALPHA",
        as_of=AT_CREATION,
    )
    assert necessity.stream == "clinical"
    # Baseline 1, target 1 (0.6 rounds up), none in Apr-Jun.
    assert (necessity.baseline_value, necessity.target_value) == (Decimal(1), Decimal(1))
    assert plan_progress(governed, necessity, min_claims=1, as_of=LATER).assessment == "target_met"


def test_scope_by_payer_and_without(governed: Session) -> None:
    q2 = Filters(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 6, 30))
    cause = "modifier_missing_invalid"
    assert measure(governed, root_cause=cause, metric="count", filters=q2) == 5
    beta = Filters(payer="BETA", date_from=q2.date_from, date_to=q2.date_to)
    assert measure(governed, root_cause=cause, metric="rate", filters=beta) == 1
    assert measure(governed, root_cause="medical_necessity", metric="dollars", filters=q2) == 0


def test_update_status_and_notes(governed: Session) -> None:
    plan = _plan(governed, "count")
    updated = update_plan(governed, plan.id, status="at_risk", note="new template")
    assert updated.status == "at_risk"
    assert updated.notes.endswith(": new template")
    with pytest.raises(InputError):
        update_plan(governed, plan.id, status="finished")
    with pytest.raises(NotFoundError):
        update_plan(governed, 999_999, status="done")


def test_bad_metric_and_change_are_refused(governed: Session) -> None:
    with pytest.raises(InputError):
        _plan(governed, "ratio")
    with pytest.raises(InputError):
        create_plan(
            governed,
            settings=FEW,
            root_cause="modifier_missing_invalid",
            owner_role="r",
            owner_name="n",
            metric="count",
            change_pct=Decimal(0),
            due_date=DUE,
            as_of=AT_CREATION,
        )


def test_plan_overview_is_one_typed_row_per_plan_with_its_progress(governed: Session) -> None:
    from denialscope.governance.service import PlanOverview, plan_overview

    plan = _plan(governed, "count", payer="ALPHA")
    (row,) = plan_overview(session=governed, as_of=LATER, min_claims=FEW.min_claims)
    assert isinstance(row, PlanOverview)
    assert (row.id, row.stream, row.baseline, row.status) == (plan.id, "coding", Decimal(4), "open")
    # As test_progress_over_the_latest_complete_period: Apr-Jun 3, half way from 4 to 2.
    assert (row.progress.current, row.progress.assessment) == (Decimal(3), "on_track")
    data = row.to_dict()
    assert data["owner"] == "Sam (Coding lead)"
    assert (data["current"], data["target"], data["pct_of_way"]) == (
        Decimal(3),
        Decimal(2),
        Decimal("50.0000"),
    )
    assert list(data) == [
        "id", "root_cause", "stream", "payer", "department", "owner", "metric", "change_pct",
        "due", "status", "baseline", "current", "target", "pct_of_way", "assessment", "notes",
    ]  # fmt: skip
