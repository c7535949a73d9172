"""The database layer: declarative base, engines and sessions, migrations.

Typical use::

    engine, Session = open_database(settings.database_url)  # migrated to head
    with Session() as session, session.begin():
        ...
"""

from __future__ import annotations

from denialscope.db.base import Base, load_models
from denialscope.db.engine import check_connection, make_engine, open_database, session_factory
from denialscope.db.migrate import current_revision, downgrade, head_revision, upgrade

__all__ = [
    "Base",
    "check_connection",
    "current_revision",
    "downgrade",
    "head_revision",
    "load_models",
    "make_engine",
    "open_database",
    "session_factory",
    "upgrade",
]
