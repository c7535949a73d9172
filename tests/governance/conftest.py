"""Fixtures: the governance data set on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from governance_data import build_governance_data
from sqlalchemy.orm import Session


@pytest.fixture
def governed(session: Session) -> Session:
    build_governance_data(session)
    return session
