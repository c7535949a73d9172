"""Pareto, the case-mix model, intervals, event registration and the CUSUM, on small data."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from denialscope.analytics.casemix import Cell, fit_poisson
from denialscope.analytics.cohort import Filters
from denialscope.analytics.departments import byar_interval, funnel_limits
from denialscope.analytics.events import (
    binomial_tail,
    create_event,
    list_events,
    load_events_yaml,
    negative_binomial_tail,
    poisson_tail,
    rate_ratio,
)
from denialscope.analytics.monitor import cusum
from denialscope.analytics.pareto import pareto
from denialscope.errors import InputError
from factories.tiny import Tiny

D = Decimal


def test_pareto_by_count_breaks_ties_by_name(session: Session, tiny: Tiny) -> None:
    result = pareto(session, filters=Filters(stream="clinical"), target=D("0.5"))
    assert [e.root_cause for e in result.entries] == [
        "documentation_insufficient",
        "medical_necessity",
    ]
    assert [e.cumulative_share for e in result.entries] == [D("0.5"), D("1")]
    assert [e.root_cause for e in result.vital_few] == ["documentation_insufficient"]


def test_pareto_by_dollars_smallest_set_reaching_target(session: Session, tiny: Tiny) -> None:
    result = pareto(session, target=D("0.5"), measure="dollars")
    # 300 eligibility + 200 medical necessity of 800 = 62.5 % >= 50 %
    assert [e.root_cause for e in result.vital_few] == [
        "eligibility_terminated",
        "medical_necessity",
    ]
    assert result.total == D("800")
    assert result.entries[0].share == D("0.375")


def test_pareto_for_one_payer(session: Session, tiny: Tiny) -> None:
    result = pareto(session, filters=Filters(payer="alpha"), target=D("0.7"))
    assert [e.root_cause for e in result.entries] == ["medical_necessity"]


def test_pareto_rejects_a_bad_target(session: Session, tiny: Tiny) -> None:
    with pytest.raises(InputError):
        pareto(session, target=D("1.5"))


def test_byar_interval_matches_the_exact_poisson_interval() -> None:
    # The exact 95 % Poisson interval for 10 events is 4.795 to 18.390 (Garwood).
    low, high = byar_interval(10, 1.0)
    assert low == pytest.approx(4.795, abs=0.02)
    assert high == pytest.approx(18.390, abs=0.05)
    assert byar_interval(0, 2.0)[0] == 0.0


def test_funnel_limits_narrow_as_expected_grows() -> None:
    small, large = funnel_limits(10), funnel_limits(1000)
    assert small["upper_95"] > large["upper_95"] > 1 > large["lower_95"] > small["lower_95"]
    assert small["upper_998"] > small["upper_95"]


def test_poisson_model_recovers_multiplicative_rates() -> None:
    # rate = 0.05 x (1 or 2) x (1 or 3), 1,000 claims per cell, exact counts
    cells = [
        Cell(("x", "p"), 1000, 50),
        Cell(("y", "p"), 1000, 100),
        Cell(("x", "q"), 1000, 150),
        Cell(("y", "q"), 1000, 300),
        Cell(("x", "p"), 1000, 50),  # the most frequent level becomes the reference
    ]
    model = fit_poisson(cells)
    assert model.rate(("x", "p")) == pytest.approx(0.05, rel=0.01)
    assert model.rate(("y", "q")) == pytest.approx(0.30, rel=0.01)
    expected = sum(c.n * model.rate(c.covariates) for c in cells)
    assert expected == pytest.approx(sum(c.denied for c in cells), rel=0.001)


def test_rate_ratio_and_tails() -> None:
    ratio, low, high = rate_ratio(20, 100, 10, 100)
    assert ratio == pytest.approx(2.0)
    assert low < 2.0 < high
    assert binomial_tail(3, 3, 0.5) == pytest.approx(0.125)
    assert poisson_tail(1, 2.0) == pytest.approx(1 - math.exp(-2.0))
    # Gamma(1, 1) rate, exposure 1: a geometric count with p = 1/2.
    assert negative_binomial_tail(1, 1.0, 1.0, 1.0) == pytest.approx(0.5)
    assert negative_binomial_tail(2, 1.0, 1.0, 1.0) == pytest.approx(0.25)
    # A rate known almost exactly (shape 1e6 around 2) is a Poisson(2).
    assert negative_binomial_tail(3, 1e6, 5e5, 1.0) == pytest.approx(poisson_tail(3, 2.0), rel=1e-4)


def test_cusum_dates_the_shift() -> None:
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    counts = [(m, 1000, 20) for m in months[:7]] + [(m, 1000, 60) for m in months[7:]]
    p0, path, start, alarm = cusum(counts, baseline_months=6)
    assert p0 == pytest.approx(120.5 / 6000)
    assert start is not None and alarm is not None
    assert months[start] == "2025-08"
    assert path[alarm] > 4.0


def test_cusum_stays_quiet_on_a_flat_series() -> None:
    counts = [(f"2025-{m:02d}", 1000, 20) for m in range(1, 13)]
    assert cusum(counts)[2:] == (None, None)


def test_events_register_by_call_and_yaml(session: Session, tmp_path: Path) -> None:
    create_event(session, event_date=dt.date(2025, 6, 1), kind="template", department="rmc-ed")
    path = tmp_path / "events.yaml"
    path.write_text(
        "events:\n"
        "  - date: 2025-03-01\n"
        "    kind: payer_policy\n"
        "    service_line: Cardiology\n"
        "    description: prior auth for echo\n",
        encoding="utf-8",
    )
    load_events_yaml(session, path)
    events = list_events(session)
    assert [(e.event_date.month, e.department, e.service_line) for e in events] == [
        (3, None, "cardiology"),
        (6, "RMC-ED", None),
    ]
    assert events[0].to_dict() == {
        "id": events[0].id,
        "date": dt.date(2025, 3, 1),
        "kind": "payer_policy",
        "department": None,
        "service_line": "cardiology",
        "description": "prior auth for echo",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("events:\n  - kind: template\n    department: X\n", "'date' is required"),
        ("events:\n  - date: 2025-13-01\n    department: X\n", "not YYYY-MM-DD"),
        ("events:\n  - date: 2025-01-01\n    kind: party\n    department: X\n", "unknown event"),
        ("events:\n  - date: 2025-01-01\n    kind: template\n", "department or a service"),
        ("events:\n  - date: 2025-01-01\n    dept: X\n", "unknown key"),
        ("nothing: here\n", "'events:' list"),
        ("events:\n  - date: 2025-01-01\n    kind: [template\n", r"events\.yaml:4: not valid YAML"),
    ],
)
def test_events_yaml_errors_name_the_event(
    session: Session, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_events_yaml(session, path)
