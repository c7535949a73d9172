"""One module per page group, each exposing ``router`` (an ``APIRouter``).

Add a module here to add its pages. Owners: ``session`` (login, logout, the signed-in user),
``admin_users`` and ``admin_audit`` (administration of users and the audit log), the leaders'
pages (``dashboard``, ``pareto``, ``departments``, ``claims``: claim lists for drill-down),
``events`` and ``governance``, the work screens (``queue``, ``claim_page``), ``scrubber``,
``ingest`` and ``admin_config`` (mappings, rule packs, queue configuration), ``policy`` (the
order check against the payer policy library).
"""

from __future__ import annotations

from typing import Final

__all__ = ["ROUTE_MODULES"]

ROUTE_MODULES: Final[tuple[str, ...]] = (
    "session",
    "admin_users",
    "admin_audit",
    "dashboard",
    "pareto",
    "departments",
    "claims",
    "events",
    "governance",
    "queue",
    "claim_page",
    "scrubber",
    "ingest",
    "admin_config",
    "policy",
)
