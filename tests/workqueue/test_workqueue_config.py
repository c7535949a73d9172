"""Configuration: defaults, the organization's overrides, and errors that name the place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from denialscope.errors import ConfigurationError
from denialscope.workqueue.config import load_workqueue_config
from denialscope.workqueue.decision import recommend
from denialscope.workqueue.priority import (
    OutcomeCounts,
    deadline_for,
    payer_windows,
    recovery_probability,
    work_cost,
)
from denialscope.workqueue.routing import route

D = Decimal


def test_every_canonical_root_cause_has_a_decision_and_a_queue() -> None:
    from denialscope.classify.taxonomy import CANONICAL_ROOT_CAUSES

    config = load_workqueue_config()
    for root_cause, stream in CANONICAL_ROOT_CAUSES.items():
        if stream == "none":
            continue
        assert root_cause in config.decision_tree, root_cause
        assert route(config, stream=stream, root_cause=root_cause)


@pytest.mark.parametrize(
    ("dollars", "upheld", "action"),
    [
        (D(100), None, "write_off"),  # below the cost of a clinical appeal
        (D(3000), None, "appeal_level_1"),
        (D(3000), 1, "appeal_level_2"),
        (D(1000), 1, "write_off"),
        (D(20000), 2, "external_review"),
        (D(5000), 2, "write_off"),
    ],
)
def test_clinical_thresholds_decide_the_next_level(
    dollars: Decimal, upheld: int | None, action: str
) -> None:
    config = load_workqueue_config()
    choice = recommend(
        config, root_cause="medical_necessity", dollars_at_risk=dollars, upheld_level=upheld
    )
    assert choice.action == action
    assert choice.reason


def test_recovery_odds_pool_other_payers_and_fall_with_the_level() -> None:
    config = load_workqueue_config()
    history = {
        ("ncci_bundling", 1): OutcomeCounts(D(0), D(6)),
        ("ncci_bundling", 2): OutcomeCounts(D(8), D(0)),
    }
    base = dict(root_cause="ncci_bundling", stream="coding", history=history)
    at_loser = recovery_probability(config, payer_key=1, level=1, **base)  # type: ignore[arg-type]
    at_winner = recovery_probability(config, payer_key=2, level=1, **base)  # type: ignore[arg-type]
    no_history = recovery_probability(
        config, payer_key=3, level=1, root_cause="ncci_bundling", stream="coding", history={}
    )
    level_two = recovery_probability(config, payer_key=2, level=2, **base)  # type: ignore[arg-type]
    elsewhere = recovery_probability(config, payer_key=3, level=1, **base)  # type: ignore[arg-type]
    assert at_loser.probability < elsewhere.probability < at_winner.probability
    assert no_history.probability == D("0.7500")  # the Beta(6, 2) prior alone
    assert level_two.probability < at_winner.probability
    assert "0 of 6 recovered at this payer" in at_loser.basis


def test_windows_by_payer_kind_and_the_earlier_of_two_resubmission_limits() -> None:
    config = load_workqueue_config()
    windows = payer_windows(config, payer_kind="medicare", payer_code="X")
    assert windows["appeal_level_1_days"] == 120
    denied, served = dt.date(2026, 1, 10), dt.date(2025, 3, 1)
    appeal = deadline_for("appeal_level_1", windows=windows, denied_on=denied, service_date=served)
    assert (appeal.date, appeal.kind) == (denied + dt.timedelta(days=120), "level 1 appeal")
    resubmit = deadline_for("resubmit", windows=windows, denied_on=denied, service_date=served)
    assert (resubmit.date, resubmit.kind) == (served + dt.timedelta(days=365), "timely filing")
    assert (
        deadline_for("write_off", windows=windows, denied_on=denied, service_date=served).date
        is None
    )
    assert work_cost(config, "physician_advisor") == D("125.00")


def test_the_organization_file_overrides_sections(tmp_path: Path) -> None:
    override = tmp_path / "workqueue.yaml"
    override.write_text(
        "payer_windows:\n  by_payer_id:\n    ACME: {appeal_level_1_days: 30}\n"
        "thresholds:\n  clinical_appeal_min_dollars: 5000\n"
        "decision_tree:\n  medical_necessity:\n    - action: write_off\n      reason: policy\n"
    )
    config = load_workqueue_config(override=override)
    windows = payer_windows(config, payer_kind="commercial", payer_code="ACME")
    assert windows["appeal_level_1_days"] == 30
    assert windows["timely_filing_days"] == 180  # the rest still comes from the defaults
    assert (
        recommend(config, root_cause="medical_necessity", dollars_at_risk=D(10**6)).reason
        == "policy"
    )
    assert config.thresholds["appeal_level_2_min_dollars"] == D(2500)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("queues: {}\n", "unknown section"),
        ("decision_tree:\n  x:\n    - action: sue\n", "unknown action"),
        ("routing:\n  by_stream: {coding: nowhere}\n", "unknown queue"),
        (
            "decision_tree:\n  x:\n    - action: write_off\n      when: {min_dollars: huge}\n",
            "no threshold named",
        ),
    ],
)
def test_configuration_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    override = tmp_path / "workqueue.yaml"
    override.write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        load_workqueue_config(override=override)
