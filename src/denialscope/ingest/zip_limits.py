"""Limits on what a zip archive may make denialscope decompress (decompression bombs).

Header sizes are not trusted: every member is counted while it is decompressed and the
read stops as soon as a limit is passed, so a 1 MB archive of 1 GB of zeros is refused
after at most ``ratio`` x its compressed size, in bounded memory. The limits are
:class:`denialscope.settings.Settings` fields, read from the environment there (sizes in MB of
1,000,000 bytes)::

    DENIALSCOPE_ZIP_MAX_MEMBER_MB   1024   one member, decompressed
    DENIALSCOPE_ZIP_MAX_TOTAL_MB    4096   all members of one archive, decompressed
    DENIALSCOPE_ZIP_MAX_RATIO        100   decompressed / compressed size of one member
    DENIALSCOPE_ZIP_MAX_MEMBERS    10000   files in one archive
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from denialscope.errors import ArchiveError

__all__ = ["MB", "ArchiveBudget", "LimitedMember", "ZipLimits"]

MB = 1_000_000
# Below this many decompressed bytes the ratio is not checked: a small, very regular file
# (a few claims padded with blanks) may compress more than 100:1 and is harmless.
_RATIO_FLOOR = 10 * MB


@dataclass(frozen=True, slots=True)
class ZipLimits:
    max_member_bytes: int = 1024 * MB
    max_total_bytes: int = 4096 * MB
    max_ratio: int = 100
    max_members: int = 10_000


class ArchiveBudget:
    """Decompressed bytes one archive may still produce (shared by its members).

    Only the first, hashing pass over a member charges the budget: the reading pass
    decompresses the same bytes again.
    """

    __slots__ = ("limits", "remaining")

    def __init__(self, limits: ZipLimits) -> None:
        self.limits = limits
        self.remaining = limits.max_total_bytes


class LimitedMember:
    """A decompressing member stream that stops at the first limit it passes."""

    def __init__(
        self,
        raw: IO[bytes],
        *,
        name: str,
        compressed: int,
        budget: ArchiveBudget,
        charge: bool,
    ) -> None:
        self._raw = raw
        self._name = name
        self._budget = budget
        self._charge = charge
        limits = budget.limits
        # The ratio is checked against the compressed size in the header; zipfile never
        # reads more compressed bytes than that, so a lie there only makes the check stricter.
        by_ratio = max(limits.max_ratio * max(compressed, 1), _RATIO_FLOOR)
        self._ratio_limit = by_ratio
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        # Never more than a chunk at a time, whatever the caller asks: memory stays bounded.
        want = 1 << 20 if size is None or size < 0 or size > 1 << 20 else size
        data = self._raw.read(want)
        self._read += len(data)
        limits = self._budget.limits
        if self._read > limits.max_member_bytes:
            self._refuse(
                f"it decompresses to more than {limits.max_member_bytes // MB:,} MB "
                "(DENIALSCOPE_ZIP_MAX_MEMBER_MB)"
            )
        if self._read > self._ratio_limit:
            self._refuse(
                f"it decompresses to more than {limits.max_ratio:,} times its compressed "
                "size, as a decompression bomb does (DENIALSCOPE_ZIP_MAX_RATIO)"
            )
        if self._charge:
            self._budget.remaining -= len(data)
            if self._budget.remaining < 0:
                self._refuse(
                    f"the archive decompresses to more than {limits.max_total_bytes // MB:,} "
                    "MB in all (DENIALSCOPE_ZIP_MAX_TOTAL_MB)"
                )
        return data

    def _refuse(self, why: str) -> None:
        raise ArchiveError(f"refused: {why}; nothing of it was stored", file=self._name)
