"""Find the input files behind the paths a user gives: files, folders (recursive), .zip archives.

Each input is opened twice at most (a hashing pass, then a reading pass), always as a
stream, so a large archive member never sits in memory whole. Archive members are read
through the limits of ``zip_limits`` (decompression bombs), encrypted or damaged members
are refused with their name, and two members under the same name both load.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from denialscope.errors import ArchiveError, InputError, UnreadableFileError
from denialscope.ingest.zip_limits import ArchiveBudget, LimitedMember, ZipLimits
from denialscope.input_paths import expand_folder

__all__ = ["InputFile", "discover"]

_HASH_CHUNK = 1 << 20
# What a damaged member raises while it is decompressed (a bad CRC, a cut deflate stream,
# a compression method Python does not support).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to ingest: a path on disk, or a member of a zip archive."""

    name: str  # what messages show: "claims/a.837" or "batch.zip!a.837"
    path: Path
    member: str | None = None
    size: int = 0
    # Archive members: the entry's position in the archive (two entries may share a name),
    # its compressed size and the archive's shared decompression budget.
    member_index: int = -1
    compressed: int = 0
    budget: ArchiveBudget | None = field(default=None, compare=False, repr=False)

    @contextmanager
    def open(self, *, charge: bool = False) -> Iterator[IO[bytes]]:
        """The file's bytes as a stream; ``charge``: count them against the archive's total."""
        try:
            if self.member is None:
                with self.path.open("rb") as fh:
                    yield fh
            else:
                with zipfile.ZipFile(self.path) as zf:
                    info = zf.infolist()[self.member_index]
                    budget = self.budget or ArchiveBudget(ZipLimits())
                    with zf.open(info) as raw:
                        yield cast(
                            IO[bytes],
                            LimitedMember(
                                raw,
                                name=self.name,
                                compressed=self.compressed,
                                budget=budget,
                                charge=charge,
                            ),
                        )
        except OSError as exc:
            raise UnreadableFileError(
                f"cannot open: {exc.strerror or exc}", file=self.name
            ) from exc
        except _DAMAGED as exc:
            if self.member is None:
                raise  # not from decompressing: the caller's own failure
            raise ArchiveError(
                f"damaged archive member ({_zip_problem(exc)}); nothing of it was stored",
                file=self.name,
            ) from exc

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open(charge=True) as fh:
            while chunk := fh.read(_HASH_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()


def _zip_problem(exc: BaseException) -> str:
    """A short reason without quoting content (zipfile messages name only structure)."""
    if isinstance(exc, zlib.error):
        return "its compressed data is corrupt"
    if isinstance(exc, EOFError):
        return "its compressed data is cut short"
    if isinstance(exc, NotImplementedError):
        return "it uses a compression method that cannot be read"
    text = str(exc)
    if "CRC" in text:
        return "its checksum does not match: the data is corrupt"
    return text[:120] or type(exc).__name__


def _zip_members(path: Path, limits: ZipLimits) -> Iterator[InputFile | UnreadableFileError]:
    try:
        with zipfile.ZipFile(path) as zf:
            entries = list(enumerate(zf.infolist()))
    except (zipfile.BadZipFile, *_DAMAGED, ValueError) as exc:
        raise ArchiveError(f"damaged zip archive: {_zip_problem(exc)}", file=str(path)) from exc
    files = [
        (i, info)
        for i, info in entries
        if not info.is_dir() and not info.filename.startswith("__MACOSX/")
    ]
    if len(files) > limits.max_members:
        raise ArchiveError(
            f"refused: it holds {len(files):,} files, more than {limits.max_members:,} "
            "(DENIALSCOPE_ZIP_MAX_MEMBERS); nothing of it was stored",
            file=str(path),
        )
    declared = sum(info.file_size for _, info in files)
    if declared > limits.max_total_bytes:
        raise ArchiveError(
            f"refused: its members add up to {declared // 1_000_000:,} MB, more than "
            f"{limits.max_total_bytes // 1_000_000:,} MB (DENIALSCOPE_ZIP_MAX_TOTAL_MB); "
            "nothing of it was stored",
            file=str(path),
        )
    budget = ArchiveBudget(limits)
    seen: dict[str, int] = {}
    for index, info in sorted(files, key=lambda e: (e[1].filename, e[0])):
        copies = seen[info.filename] = seen.get(info.filename, 0) + 1
        # The same name twice (a zip may hold it): both load, the second is named apart.
        suffix = "" if copies == 1 else f" (entry {copies} of that name)"
        name = f"{path}!{info.filename}{suffix}"
        if info.flag_bits & 0x1:
            yield ArchiveError(
                "encrypted (password-protected) member: it cannot be read; extract it "
                "and ingest the file itself",
                file=name,
            )
            continue
        if info.file_size > limits.max_member_bytes:
            yield ArchiveError(
                f"refused: it decompresses to {info.file_size // 1_000_000:,} MB, more than "
                f"{limits.max_member_bytes // 1_000_000:,} MB (DENIALSCOPE_ZIP_MAX_MEMBER_MB)",
                file=name,
            )
            continue
        yield InputFile(
            name=name,
            path=path,
            member=info.filename,
            size=info.file_size,
            member_index=index,
            compressed=info.compress_size,
            budget=budget,
        )


def discover(
    paths: list[str | Path], *, limits: ZipLimits | None = None
) -> Iterator[InputFile | UnreadableFileError]:
    """Expand paths into input files, in a stable order; a missing path or a folder with
    nothing to read yields its error. Folders are walked by the one path expander
    (:mod:`denialscope.input_paths`), then ordered for ingest (claims before remittances).

    ``limits``: what a zip archive may decompress (``Settings.zip_limits``; default the
    shipped limits).
    """
    limits = limits or ZipLimits()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield UnreadableFileError("no such file or folder", file=str(raw))
            continue
        if path.is_dir():
            try:
                children = expand_folder(path)
            except InputError as exc:
                yield UnreadableFileError(exc.message.removeprefix(f"{path}: "), file=str(path))
                continue
            for child in sorted(children, key=lambda c: (_walk_rank(c), c)):
                yield from _expand_file(child, limits)
            continue
        yield from _expand_file(path, limits)


# Within a folder walk, claims go first, then their acknowledgments, then remittances: a
# payment read before its 837 is stored unmatched and only relinked later, and the run's
# summary would count it unmatched (a demo folder sorts 835/ before 837/ by name).
_WALK_RANK = {b"837": 0, b"999": 1, b"277": 1, b"835": 3}
_UNKNOWN_RANK = 2  # zips and files we cannot sniff keep their name order between the two
_SNIFF_BYTES = 4096


def _walk_rank(path: Path) -> int:
    """Rank of a file by the transaction set its first ST segment names (name order within
    a rank); anything unreadable here is ranked unknown and reported when it is read."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError:
        return _UNKNOWN_RANK
    head = head.lstrip()
    if not head.startswith(b"ISA") or len(head) < 4:
        return _UNKNOWN_RANK
    sep = head[3:4]
    at = head.find(b"ST" + sep)
    while at > 0 and head[at - 1 : at].isalnum():  # "ST" inside another segment's data
        at = head.find(b"ST" + sep, at + 1)
    if at < 0:
        return _UNKNOWN_RANK
    code = head[at + 3 : at + 6]
    return _WALK_RANK.get(code, _UNKNOWN_RANK)


def _expand_file(path: Path, limits: ZipLimits) -> Iterator[InputFile | UnreadableFileError]:
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        try:
            yield from _zip_members(path, limits)
        except UnreadableFileError as exc:
            yield exc
        return
    yield InputFile(name=str(path), path=path, size=path.stat().st_size)
