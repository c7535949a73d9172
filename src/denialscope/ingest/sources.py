"""Find the input files behind the paths a user gives: files, folders (recursive), .zip archives.

Each input is opened twice at most (a hashing pass, then a reading pass), always as a
stream, so a large archive member never sits in memory whole.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from denialscope.errors import UnreadableFileError

__all__ = ["InputFile", "discover"]

# Files a folder walk skips: never X12 (our own notes, configuration and databases, and the
# spreadsheets, reports and images that sit beside remittances, such as the demo's
# ground-truth CSV). A file named on the command line is always read, and refused if not X12.
_SKIP_SUFFIXES = {
    *(".md", ".json", ".yaml", ".yml", ".py", ".pyc", ".db", ".db-wal", ".db-shm"),
    *(".csv", ".tsv", ".xlsx", ".xls", ".pdf", ".html", ".htm", ".png", ".svg"),
    ".hl7",  # HL7 v2 ADT feeds (the demo's adt/ folder) are not X12
}
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to ingest: a path on disk, or a member of a zip archive."""

    name: str  # what messages show: "claims/a.837" or "batch.zip!a.837"
    path: Path
    member: str | None = None
    size: int = 0

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        try:
            if self.member is None:
                with self.path.open("rb") as fh:
                    yield fh
            else:
                with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                    yield fh
        except OSError as exc:
            raise UnreadableFileError(
                f"cannot open: {exc.strerror or exc}", file=self.name
            ) from exc
        except zipfile.BadZipFile as exc:
            raise UnreadableFileError(f"damaged zip archive: {exc}", file=self.name) from exc

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open() as fh:
            while chunk := fh.read(_HASH_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()


def _zip_members(path: Path) -> Iterator[InputFile]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
    except zipfile.BadZipFile as exc:
        raise UnreadableFileError(f"damaged zip archive: {exc}", file=str(path)) from exc
    for info in infos:
        if info.filename.startswith("__MACOSX/"):
            continue
        yield InputFile(
            name=f"{path}!{info.filename}", path=path, member=info.filename, size=info.file_size
        )


def discover(paths: list[str | Path]) -> Iterator[InputFile | UnreadableFileError]:
    """Expand paths into input files, in a stable order; a missing path yields its error."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield UnreadableFileError("no such file or folder", file=str(raw))
            continue
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in _SKIP_SUFFIXES or child.name.startswith("."):
                    continue
                yield from _expand_file(child)
            continue
        yield from _expand_file(path)


def _expand_file(path: Path) -> Iterator[InputFile | UnreadableFileError]:
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        try:
            yield from _zip_members(path)
        except UnreadableFileError as exc:
            yield exc
        return
    yield InputFile(name=str(path), path=path, size=path.stat().st_size)
