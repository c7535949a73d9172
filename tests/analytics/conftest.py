"""Fixtures: the hand-built data set on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from factories.tiny import Tiny, build_tiny


@pytest.fixture
def tiny(session: Session) -> Tiny:
    return build_tiny(session)
