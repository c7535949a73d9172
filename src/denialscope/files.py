"""Files denialscope writes that may hold patient data: owner-only and written whole.

Letters, exports, reports, the SQLite database and the data directory can all carry PHI, so
they are created owner-only (0600 files, 0700 folders) unless the caller asks otherwise or
``DENIALSCOPE_FILE_MODE`` (octal, e.g. ``0640`` for a group that may read) says so. A
file is written to a temporary sibling and renamed into place, so a full disk or a failed
render never leaves an empty or half-written file under the name the user asked for.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from denialscope.errors import ConfigurationError, OutputError

__all__ = [
    "FILE_MODE_ENV",
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "dir_mode",
    "ensure_private_dir",
    "file_mode",
    "write_atomic",
]

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
FILE_MODE_ENV = "DENIALSCOPE_FILE_MODE"


def file_mode() -> int:
    """The mode for new files holding PHI: ``DENIALSCOPE_FILE_MODE`` or 0600."""
    raw = os.environ.get(FILE_MODE_ENV, "").strip()
    if not raw:
        return PRIVATE_FILE_MODE
    try:
        mode = int(raw.removeprefix("0o"), 8)
    except ValueError:
        mode = -1
    # Never executable, never writable by others, and the owner must read and write.
    if not 0 <= mode <= 0o777 or mode & 0o113 or mode & 0o600 != 0o600:
        raise ConfigurationError(
            f"{FILE_MODE_ENV}={raw!r}: give an octal file mode such as 0600 or 0640 "
            "(owner read-write, no execute, not writable by others)"
        )
    return mode


def dir_mode() -> int:
    """The mode for new folders: the file mode plus search (x) wherever it allows read."""
    mode = file_mode()
    return mode | ((mode & 0o444) >> 2)


def ensure_private_dir(path: Path, *, mode: int | None = None) -> Path:
    """Create ``path`` (and missing parents) with ``mode`` (default :func:`dir_mode`); an
    existing folder is left as is."""
    mode = dir_mode() if mode is None else mode
    if not path.is_dir():
        try:
            path.mkdir(mode=mode, parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(
                f"{path}: cannot create the folder ({error.strerror or error})", file=str(path)
            ) from error
    return path


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` whole or not at all, with permissions ``mode`` (default
    :func:`file_mode`).

    The bytes go to a temporary file in the same folder (same file system, so the rename is
    atomic), are flushed to disk, then replace ``path``. On any OS error the temporary file is
    removed, ``path`` keeps its earlier content (or stays absent), and an :class:`OutputError`
    names the file and the reason.
    """
    mode = file_mode() if mode is None else mode
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise OutputError(
            f"{path}: could not be written ({error.strerror or error}); nothing was saved",
            file=str(path),
        ) from error
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return path
