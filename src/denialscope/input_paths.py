"""The one path expander: how every command that takes files or folders turns them into files.

``ingest``, ``parse`` and ``scrub`` (X12 files) and ``refdata load-ncci/load-mue`` (table
files) follow the same rules (docs/cli.md, "Files and folders"):

* A **file named** on the command line is always read (and refused by the reader if it is
  not what the command reads).
* A **folder** is walked recursively, in name order. Hidden files and hidden folders (a name
  starting with ``.``) are skipped, and so, for X12 commands, are the files that sit beside
  remittances but are never X12: notes, configuration, databases, spreadsheets, reports,
  PDFs, images and HL7 feeds (:data:`NOT_X12_SUFFIXES`). Table commands keep only their
  table formats instead (``suffixes``).
* A **path that does not exist** is an error naming it, before anything is read (exit 1).
* A **folder with nothing to read** is an error saying so and what was skipped (exit 1).

Zip archives are files here; ``ingest`` (and the table loaders) open them, through
:mod:`denialscope.ingest.sources` and its decompression limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from denialscope.errors import InputError

__all__ = [
    "NOT_X12_SUFFIXES",
    "EmptyFolderError",
    "MissingPathError",
    "check_paths",
    "expand_folder",
    "expand_paths",
]

# Never X12: our own notes, configuration and databases, and the spreadsheets, reports and
# images that sit beside remittances (such as the demo's ground-truth CSV), HL7 v2 feeds.
NOT_X12_SUFFIXES: Final = frozenset(
    {
        *(".md", ".json", ".yaml", ".yml", ".py", ".pyc"),  # not .txt: payers send 835s so
        *(".db", ".db-wal", ".db-shm", ".log"),
        *(".csv", ".tsv", ".xlsx", ".xls", ".pdf", ".html", ".htm", ".png", ".svg"),
        *(".jpg", ".jpeg", ".gif", ".docx", ".doc"),
        ".hl7",
    }
)


class MissingPathError(InputError):
    """A file or folder named on the command line does not exist."""


class EmptyFolderError(InputError):
    """A folder holds no file the command reads."""


def check_paths(paths: Iterable[str | Path]) -> None:
    """Refuse, naming them all, paths that do not exist (before any work is done)."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise MissingPathError(
            f"{', '.join(missing)}: no such file or folder", file=missing[0], count=len(missing)
        )


def expand_folder(folder: Path, *, suffixes: Sequence[str] | None = None) -> list[Path]:
    """The files a folder walk reads, in name order; :class:`EmptyFolderError` if none.

    ``suffixes``: keep only these (lower case, with the dot); default: every file but
    hidden ones and :data:`NOT_X12_SUFFIXES`.
    """
    found: list[Path] = []
    skipped = hidden = 0
    for child in sorted(folder.rglob("*")):
        if not child.is_file():
            continue
        if any(part.startswith(".") for part in child.relative_to(folder).parts):
            hidden += 1
            continue
        suffix = child.suffix.lower()
        keep = suffix in suffixes if suffixes is not None else suffix not in NOT_X12_SUFFIXES
        if keep:
            found.append(child)
        else:
            skipped += 1
    if not found:
        wanted = f"{'/'.join(suffixes)} files" if suffixes is not None else "X12 files"
        why = []
        if skipped:
            kinds = "other files" if suffixes is not None else "notes/spreadsheets/PDFs/images"
            why.append(f"{skipped:,} {kinds}")
        if hidden:
            why.append(f"{hidden:,} hidden")
        detail = f" (skipped {' and '.join(why)})" if why else " (it is empty)"
        raise EmptyFolderError(f"{folder}: no {wanted} in this folder{detail}", file=str(folder))
    return found


def expand_paths(
    paths: Iterable[str | Path], *, suffixes: Sequence[str] | None = None
) -> list[Path]:
    """Files as given and folders walked (:func:`expand_folder`), in the order given;
    missing paths and empty folders raise before anything is read."""
    given = [Path(p) for p in paths]
    check_paths(given)
    out: list[Path] = []
    for path in given:
        out.extend(expand_folder(path, suffixes=suffixes) if path.is_dir() else [path])
    return out
