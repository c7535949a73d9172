"""The demo's calendar: one complete year of services and the day the data ends.

``TODAY`` is the demo's "now": every claim of the year has been sent and has its first
remittance by then (no late tail that leaves the last months looking empty); what happens
after it (appeals, corrections still being worked) is pending and not in the files.
"""

from __future__ import annotations

from datetime import date

__all__ = ["TODAY", "YEAR_END", "YEAR_START"]

YEAR_START = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)
# A Friday (remit day) eight weeks after the year: the slowest first remit of a December
# discharge (14 days to bill, 4 weeks to adjudicate, to the next Friday) lands before it.
TODAY = date(2026, 2, 27)
