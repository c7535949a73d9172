"""Procedure code ranges shipped as data (``scrub/data/*.yaml``): which codes a rule means.

Codes are compared as text within ranges of equal-length codes ("36400".."36416"), which
orders CPT Category I numbers and HCPCS II codes alike; single codes are ranges of one.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from denialscope.errors import ConfigurationError

__all__ = ["CodeRanges", "em_25_ranges"]


@dataclass(frozen=True, slots=True)
class CodeRanges:
    """Sorted, non-overlapping inclusive ranges with a fast membership test."""

    starts: tuple[str, ...]
    ends: tuple[str, ...]

    @classmethod
    def of(cls, pairs: list[tuple[str, str]]) -> CodeRanges:
        merged: list[tuple[str, str]] = []
        for start, end in sorted(pairs):
            if merged and len(start) == len(merged[-1][1]) and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return cls(tuple(s for s, _ in merged), tuple(e for _, e in merged))

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str) or not code:
            return False
        index = bisect_right(self.starts, code) - 1
        return index >= 0 and len(self.starts[index]) == len(code) and code <= self.ends[index]


def _ranges(data: dict[str, object], key: str, source: str) -> CodeRanges:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise ConfigurationError(f"{source}: key '{key}' must be a non-empty list")
    pairs = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not {"from", "to", "label"} <= item.keys():
            raise ConfigurationError(f"{source}: {key} item {number} needs from, to, label")
        start, end = str(item["from"]).upper(), str(item["to"]).upper()
        if len(start) != len(end) or end < start:
            raise ConfigurationError(f"{source}: {key} item {number}: bad range {start}-{end}")
        pairs.append((start, end))
    return CodeRanges.of(pairs)


@cache
def em_25_ranges() -> tuple[CodeRanges, CodeRanges]:
    """(procedures that need a separately justified E/M, exemptions inside them)."""
    source = "scrub/data/em_25_procedures.yaml"
    text = resources.files("denialscope.scrub").joinpath("data", "em_25_procedures.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    if not isinstance(data, dict):
        raise ConfigurationError(f"{source}: expected a mapping")
    return _ranges(data, "needs_separate_em", source), _ranges(data, "exempt", source)
