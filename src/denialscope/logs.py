"""Logging that never writes patient data, and how an unexpected error is reported.

Log records and error text can carry PHI by accident: an exception raised while reading a
segment quotes it (``NM1*QC*1*DOE*JANE``), a database error lists the row it tried to store
(``[parameters: ('DOE', 'JANE', '1975-12-24')]``). :func:`configure` installs one handler on
the ``denialscope`` logger whose formatter passes every message and traceback through
:func:`redact`. By default a failure is one line naming the exception type and where it was
raised; ``DENIALSCOPE_DEBUG=1`` adds the (redacted) traceback and debug messages.

What :func:`redact` removes, from any text:

* the content of X12 segments that hold names, addresses, identifiers, birth dates and dates
  of service (NM1, N3, N4, DMG, PER, REF, NTE, PAT, INS, DTP, SBR), whatever the separators;
* SQL parameter lists (``[parameters: ...]``) and ``DETAIL: Key (...)=(...)`` lines;
* eight-digit dates (``19751224``) and ISO dates, which are dates of birth or service.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from types import TracebackType
from typing import Final, TextIO

__all__ = ["DEBUG_ENV", "RedactingFormatter", "configure", "debug_enabled", "describe", "redact"]

DEBUG_ENV: Final = "DENIALSCOPE_DEBUG"
LOGGER: Final = "denialscope"
WITHHELD: Final = "[withheld]"
DRIVER_TEXT_MAX: Final = 200

_PRIVATE_SEGMENT: Final = re.compile(
    r"\b(NM1|N3|N4|DMG|PER|REF|NTE|PAT|INS|DTP|SBR)([*|^:!+])[^~\n'\"]*"
)
_SQL_PARAMETERS: Final = re.compile(r"\[parameters: .*?\](?=\s*\n|\s*$|\s*\()", re.DOTALL)
_SQL_DETAIL: Final = re.compile(r"(DETAIL:\s+Key \().*?\)=\(.*?\)", re.DOTALL)
_DATES: Final = re.compile(r"\b(?:19|20)\d{2}-?(?:0\d|1[0-2])-?\d{2}\b|\b(?:19|20)\d{6}\b")


def redact(text: str) -> str:
    """``text`` without segment content, SQL parameters or dates."""
    text = _PRIVATE_SEGMENT.sub(lambda m: f"{m[1]}{m[2]}{WITHHELD}", text)
    text = _SQL_PARAMETERS.sub(f"[parameters: {WITHHELD}]", text)
    text = _SQL_DETAIL.sub(lambda m: f"{m[1]}{WITHHELD}", text)
    return _DATES.sub("99999999", text)


def debug_enabled() -> bool:
    """True when ``DENIALSCOPE_DEBUG`` asks for tracebacks and debug messages."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def describe(error: BaseException) -> str:
    """One line for an unexpected error: its type and where it was raised, no message.

    The message is left out because it is the part that quotes data (a segment, a row). A
    database driver's error keeps its first line, redacted ("database is locked",
    'duplicate key value violates unique constraint "..."'): the values are on later lines.
    """
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" at {os.path.basename(last.filename)}:{last.lineno}"
    driver = getattr(error, "orig", None)
    said = ""
    if isinstance(driver, Exception) and str(driver).strip():
        said = ": " + redact(str(driver).strip().splitlines()[0])[:DRIVER_TEXT_MAX]
    return f"internal error ({type(error).__name__}{where}){said}"


class RedactingFormatter(logging.Formatter):
    """A formatter whose messages and tracebacks go through :func:`redact`.

    Without debug, a traceback is cut to :func:`describe`'s one line.
    """

    def __init__(self, *, debug: bool) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.debug = debug

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        if ei[1] is None:
            return ""
        if not self.debug:
            return f"  {describe(ei[1])}; set {DEBUG_ENV}=1 for the traceback"
        return redact(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback text on the record: ignore it
        # (so ours is cut or redacted) and leave the record as we found it.
        cached, record.exc_text = record.exc_text, None
        try:
            return redact(super().format(record))
        finally:
            record.exc_text = cached


def configure(*, debug: bool | None = None, stream: TextIO | None = None) -> logging.Logger:
    """Send ``denialscope`` log records to stderr, redacted; idempotent."""
    debug = debug_enabled() if debug is None else debug
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "denialscope", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(debug=debug))
    handler.denialscope = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.propagate = False  # a host application's root handler would skip the redaction
    return logger
