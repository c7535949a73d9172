"""The one exception root of denialscope.

    DenialscopeError                 (exit code 1, HTTP 500)
    ├── InputError                   bad input a user can fix (HTTP 400)
    │   ├── UnreadableFileError      a file that is not X12 at all or has no usable envelope
    │   │   └── ArchiveError         a zip archive or member refused (damaged, encrypted, limits)
    │   └── PartlyUnreadableError    X12 with a part that cannot be read: refused as a whole
    ├── ConfigurationError           a configuration file that does not validate (HTTP 400)
    ├── NotFoundError                a claim, item or file that does not exist (HTTP 404)
    ├── OutputError                  a file denialscope had to write could not be (HTTP 500)
    └── DatabaseError                the database refused a write (disk full, lock timeout)

Errors carry their context as keyword arguments so the CLI and the web can render them
without parsing messages. Third-party errors are converted at the boundary with
``raise ... from``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ArchiveError",
    "ConfigurationError",
    "DatabaseError",
    "DenialscopeError",
    "InputError",
    "NotFoundError",
    "OutputError",
    "PartlyUnreadableError",
    "UnreadableFileError",
]


class DenialscopeError(Exception):
    """Root of every error denialscope raises on purpose."""

    http_status = 500

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message, **self.context}


class InputError(DenialscopeError):
    """Input a user can correct: a file, an argument, a value."""

    http_status = 400


class UnreadableFileError(InputError):
    """A file that cannot be read as X12 at all (not X12, no usable envelope, empty)."""

    def __init__(self, message: str, *, file: str, offset: int | None = None) -> None:
        where = f"{file}" if offset is None else f"{file} at byte {offset}"
        super().__init__(f"{where}: {message}", file=file, offset=offset)
        self.reason = message


class PartlyUnreadableError(InputError):
    """A file whose envelope reads but one part does not: storing the rest would lose claims."""

    def __init__(self, message: str, *, file: str, segment: int, offset: int) -> None:
        super().__init__(
            f"{file} at segment {segment} (byte {offset}): {message}",
            file=file,
            segment=segment,
            offset=offset,
        )
        self.reason = message


class ArchiveError(UnreadableFileError):
    """A zip archive, or one of its members, that is refused: damaged, encrypted, too large."""


class ConfigurationError(InputError):
    """A configuration file that does not validate."""


class NotFoundError(DenialscopeError):
    """Something asked for by id that does not exist."""

    http_status = 404


class OutputError(DenialscopeError):
    """A file denialscope had to write (report, letter, export) could not be written."""

    def __init__(self, message: str, *, file: str) -> None:
        super().__init__(message, file=file)


class DatabaseError(DenialscopeError):
    """The database refused or could not finish a write: disk full, a lock not granted in time.

    The transaction was rolled back; nothing of the file or command was stored.
    """
