"""uvicorn's access log without query strings: a search box's text (a patient's name typed
into a filter) must not reach the log. Installed by ``denialscope serve`` in its process and
by each worker process (:func:`denialscope.web.app.app_from_environment`)."""

from __future__ import annotations

import logging

__all__ = ["QueryStringFilter", "filter_access_log"]


class QueryStringFilter(logging.Filter):
    """Drops the query string from uvicorn's access log lines: a search box's text (a
    patient's name typed into a filter) must not reach the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def filter_access_log() -> None:
    """Add :class:`QueryStringFilter` to uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QueryStringFilter) for f in access.filters):
        access.addFilter(QueryStringFilter())
