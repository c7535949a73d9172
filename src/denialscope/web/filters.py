"""The filter bar every analytics page shares, and its query-string contract.

A page declares ``scope: ScopeQuery`` and gets a :class:`Scope` (the checked
:class:`~denialscope.analytics.cohort.Filters` plus the query values to carry on links).

Query string (every parameter optional; an empty value means "all", as a form sends it):

=============== ============================================================================
``period``      ``2025`` (a year), ``2025-Q2`` (a quarter) or ``2025-06`` (a month): the
                cohort (submission) dates; ``from``/``to`` given as well win over it
``from``        first cohort date, ``YYYY-MM-DD`` (inclusive)
``to``          last cohort date, ``YYYY-MM-DD`` (inclusive)
``payer``       payer name (any part, any case), payer key or payer id
``payer_kind``  medicare, medicare_advantage, medicaid, managed_medicaid, commercial, other
``facility``    facility code
``department``  department code
``service_line`` service line (the claim's, else its department's)
``stream``      clinical, coding, access or billing
=============== ============================================================================

The values are checked by :func:`denialscope.analytics.service.scope_filters` (the CLI's
checks); a wrong value is a 400 naming the parameter. :meth:`Scope.query` writes the same
parameters back, so a drill-down link keeps the reader's filters (``/claims?...``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Query, Request

from denialscope.analytics.cohort import Filters
from denialscope.analytics.service import scope_filters
from denialscope.errors import InputError

__all__ = [
    "SCOPE_PARAMETERS",
    "Scope",
    "ScopeQuery",
    "bar_context",
    "period_dates",
    "read_scope",
]

# The query parameters of the bar, in the order links write them.
SCOPE_PARAMETERS: Final = (
    "period",
    "from",
    "to",
    "payer",
    "payer_kind",
    "facility",
    "department",
    "service_line",
    "stream",
)
_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


def period_dates(period: str) -> tuple[dt.date, dt.date]:
    """``2025`` / ``2025-Q2`` / ``2025-06`` -> its first and last day (InputError otherwise)."""
    match = _PERIOD.match(period.strip().upper())
    if match is None:
        raise InputError(f"period {period!r}: write a year (2025), quarter (2025-Q2) or month")
    year = int(match.group(1))
    if match.group(2):
        first_month = 3 * int(match.group(2)) - 2
        last_month = first_month + 2
    elif match.group(3):
        first_month = last_month = int(match.group(3))
    else:
        first_month, last_month = 1, 12
    start = dt.date(year, first_month, 1)
    following = dt.date(year + last_month // 12, last_month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Scope:
    """The checked filters and the query values they came from (empty ones dropped)."""

    filters: Filters
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def query(self, **changes: str | None) -> str:
        """The query string of this scope with some parameters changed (None removes one);
        ``from_``/``date_from`` spell ``from``."""
        values = dict(self.values)
        for name, value in changes.items():
            key = "from" if name in ("from_", "date_from") else "to" if name == "date_to" else name
            if value is None or value == "":
                values.pop(key, None)
            else:
                values[key] = value
        ordered: list[tuple[str, str]] = [(k, values[k]) for k in SCOPE_PARAMETERS if k in values]
        ordered += sorted((k, v) for k, v in values.items() if k not in SCOPE_PARAMETERS)
        return urlencode(ordered)

    def link(self, path: str, **changes: str | None) -> str:
        query = self.query(**changes)
        return f"{path}?{query}" if query else path


def read_scope(values: dict[str, str | None]) -> Scope:
    """The scope of these query values (InputError on a wrong one)."""
    given = {k: v.strip() for k, v in values.items() if v is not None and v.strip()}
    start: dt.date | str | None = given.get("from")
    end: dt.date | str | None = given.get("to")
    if "period" in given:
        first, last = period_dates(given["period"])
        start = start or first
        end = end or last
    filters = scope_filters(
        payer=given.get("payer"),
        stream=given.get("stream"),
        department=given.get("department"),
        service_line=given.get("service_line"),
        facility=given.get("facility"),
        date_from=start,
        date_to=end,
        payer_kind=given.get("payer_kind"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InputError(f"from {filters.date_from} is after to {filters.date_to}")
    return Scope(filters=filters, values=given)


def _scope_dependency(
    period: Annotated[
        str | None, Query(description="2025, 2025-Q2 or 2025-06 (cohort dates)")
    ] = None,
    date_from: Annotated[
        str | None, Query(alias="from", description="First cohort date, YYYY-MM-DD")
    ] = None,
    date_to: Annotated[
        str | None, Query(alias="to", description="Last cohort date, YYYY-MM-DD")
    ] = None,
    payer: Annotated[str | None, Query(description="Payer name (part), key or id")] = None,
    payer_kind: Annotated[
        str | None, Query(description="medicare, medicaid, commercial ... (payers.kind)")
    ] = None,
    facility: Annotated[str | None, Query(description="Facility code")] = None,
    department: Annotated[str | None, Query(description="Department code")] = None,
    service_line: Annotated[str | None, Query(description="Service line")] = None,
    stream: Annotated[str | None, Query(description="clinical, coding, access or billing")] = None,
) -> Scope:
    try:
        return read_scope(
            {
                "period": period,
                "from": date_from,
                "to": date_to,
                "payer": payer,
                "payer_kind": payer_kind,
                "facility": facility,
                "department": department,
                "service_line": service_line,
                "stream": stream,
            }
        )
    except InputError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


ScopeQuery = Annotated[Scope, Depends(_scope_dependency)]


def bar_context(request: Request, scope: Scope, *, streams: bool = True) -> dict[str, Any]:
    """What ``filters/bar.html.j2`` needs: the scope and the values each select offers (kept
    per data version: :mod:`denialscope.web.figures`)."""
    from denialscope.web.figures import figure

    return {"scope": scope, "choices": figure(request, "choices"), "show_streams": streams}
