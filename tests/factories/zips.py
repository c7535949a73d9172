"""Build a zip "bomb" quickly: one member of N zeros, deflated, in about 1/1000 of N.

zipfile would take seconds to deflate a gigabyte; here one fully flushed deflate block of
1 MiB of zeros (independent of what precedes it) is repeated, and the archive's headers
are written by hand. The CRC is the real one, so the archive is valid.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

__all__ = ["write_zeros_zip"]

_MIB = 1 << 20


def write_zeros_zip(path: Path, *, name: str, size: int) -> None:
    assert size % _MIB == 0 and size < 1 << 32
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(bytes(_MIB)) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.flush()
    blocks = size // _MIB
    crc = 0
    zeros = bytes(_MIB)
    for _ in range(blocks):
        crc = zlib.crc32(zeros, crc)
    compressed = len(block) * blocks + len(tail)
    raw_name = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, compressed, size, len(raw_name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, compressed, size, len(raw_name),
        0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    with path.open("wb") as fh:
        fh.write(local + raw_name)
        for _ in range(blocks):
            fh.write(block)
        fh.write(tail)
        directory_at = fh.tell()
        fh.write(central + raw_name)
        directory_size = fh.tell() - directory_at
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, directory_size, directory_at, 0))
