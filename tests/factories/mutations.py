"""Deterministic mutations of X12 bytes for the reader's fuzz test.

Each mutation is what a damaged or careless file does: a byte changed, a range cut or
repeated, a delimiter or a bare segment id dropped in, a segment's elements cut short,
two segments swapped, the file cut off. ``mutate(data, rng)`` applies one to three of them.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["mutate"]

# Segment ids the readers dispatch on, sent bare or with one element: the issue-12 case
# (a bare PER) generalized to every loop the 835, 837, 277CA and 999 readers know.
_IDS = (
    *("ISA", "GS", "ST", "SE", "GE", "IEA", "BHT", "BPR", "TRN", "CLP", "CAS", "SVC", "PLB"),
    *("NM1", "N3", "N4", "PER", "REF", "DTP", "DTM", "HL", "SBR", "PAT", "DMG", "CLM", "HI"),
    *("LX", "SV1", "SV2", "SV3", "AMT", "QTY", "MIA", "MOA", "LQ", "PRV", "STC", "TRN", "AK1"),
    *("AK2", "AK9", "IK3", "IK4", "IK5", "CTX", "LIN", "CL1", "K3", "NTE", "PWK", "OI", "MEA"),
)
_NOISE = b"*:^~|>\n\r \x00-.0123456789ABZ\xff"


def _flip(data: bytearray, rng: random.Random) -> None:
    if data:
        data[rng.randrange(len(data))] = rng.choice(_NOISE)


def _cut(data: bytearray, rng: random.Random) -> None:
    if data:
        at = rng.randrange(len(data))
        del data[at : at + rng.randint(1, 40)]


def _repeat(data: bytearray, rng: random.Random) -> None:
    if data:
        at = rng.randrange(len(data))
        data[at:at] = data[at : at + rng.randint(1, 120)]


def _truncate(data: bytearray, rng: random.Random) -> None:
    if data:
        del data[rng.randrange(len(data)) :]


def _segments(data: bytearray) -> tuple[int, list[int]]:
    """The segment terminator (the byte after ISA16) and where each segment starts."""
    term = data[105] if len(data) > 106 and data[:3] == b"ISA" else ord("~")
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == term]
    return term, starts


def _bare_segment(data: bytearray, rng: random.Random) -> None:
    term, starts = _segments(data)
    at = rng.choice(starts)
    element = data[3:4] if len(data) > 3 else b"*"
    seg = rng.choice(_IDS).encode()
    if rng.random() < 0.5:
        seg += element + rng.choice((b"", b"1", b"X", b"99", b"A:B"))
    data[at:at] = seg + bytes([term])


def _shorten_segment(data: bytearray, rng: random.Random) -> None:
    """Keep a segment's id and its first elements only (required elements go missing)."""
    _, starts = _segments(data)
    if len(starts) < 2:
        return
    k = rng.randrange(len(starts) - 1)
    begin, end = starts[k], starts[k + 1] - 1
    element = data[3] if len(data) > 3 else ord("*")
    positions = [i for i in range(begin, end) if data[i] == element]
    if positions:
        del data[rng.choice(positions) : end]


def _empty_element(data: bytearray, rng: random.Random) -> None:
    """Blank one element (a required amount, date or code becomes empty)."""
    element = data[3] if len(data) > 3 else ord("*")
    positions = [i for i, b in enumerate(data) if b == element]
    if len(positions) > 1:
        k = rng.randrange(len(positions) - 1)
        del data[positions[k] + 1 : positions[k + 1]]


def _swap_segments(data: bytearray, rng: random.Random) -> None:
    _, starts = _segments(data)
    if len(starts) < 4:
        return
    a, b = sorted(rng.sample(range(len(starts) - 1), 2))
    sa = bytes(data[starts[a] : starts[a + 1]])
    sb = bytes(data[starts[b] : starts[b + 1]])
    data[starts[b] : starts[b + 1]] = sa
    data[starts[a] : starts[a + 1]] = sb


_MUTATIONS: tuple[Callable[[bytearray, random.Random], None], ...] = (
    _flip,
    _cut,
    _repeat,
    _truncate,
    _bare_segment,
    _bare_segment,
    _shorten_segment,
    _shorten_segment,
    _empty_element,
    _empty_element,
    _swap_segments,
)


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        rng.choice(_MUTATIONS)(out, rng)
    return bytes(out)
