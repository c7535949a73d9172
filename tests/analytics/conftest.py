"""Fixtures: the hand-built data set on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from analytics_data import Tiny, build_tiny
from sqlalchemy.orm import Session


@pytest.fixture
def tiny(session: Session) -> Tiny:
    return build_tiny(session)
