"""Fixtures: the governance data set on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from factories.governance import build_governance_data


@pytest.fixture
def governed(session: Session) -> Session:
    build_governance_data(session)
    return session


@pytest.fixture(autouse=True)
def _few_claims_are_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    # The hand-built set has 3-4 claims a month; the default minimum (30) is for real data.
    monkeypatch.setenv("DENIALSCOPE_MIN_CLAIMS", "1")
