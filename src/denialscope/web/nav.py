"""The navigation bar: every page of the application, and the permission that shows it."""

from __future__ import annotations

from typing import Final, NamedTuple

from denialscope.web.principal import Principal

__all__ = ["NAV", "NavEntry", "nav_for"]


class NavEntry(NamedTuple):
    label: str
    path: str
    permission: str


NAV: Final[tuple[NavEntry, ...]] = (
    NavEntry("Dashboard", "/dashboard", "view_aggregates"),
    NavEntry("Pareto", "/pareto", "view_aggregates"),
    NavEntry("Departments", "/departments", "view_aggregates"),
    NavEntry("Events", "/events", "view_aggregates"),
    NavEntry("Governance", "/governance", "view_aggregates"),
    NavEntry("My queue", "/queue", "work_items"),
    NavEntry("Claims", "/claims", "view_claims"),
    NavEntry("Scrubber", "/scrubber", "scrub_claims"),
    NavEntry("Order check", "/policy", "view_claims"),
    NavEntry("Ingest", "/ingest", "upload_files"),
    NavEntry("Admin", "/admin", "administer"),
)


def nav_for(principal: Principal | None) -> list[NavEntry]:
    if principal is None:
        return []
    return [entry for entry in NAV if principal.can(entry.permission)]
