"""Which denials (CARC, with RARCs where needed) each rule category can prevent.

Read from ``scrub/data/preventable.yaml``. The backtest credits a rule with a denied claim
only when :func:`can_prevent` holds for the rule's category and the denial's codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from denialscope.errors import ConfigurationError

__all__ = ["Preventable", "can_prevent", "preventable_table"]

_SOURCE = "scrub/data/preventable.yaml"


@dataclass(frozen=True, slots=True)
class Preventable:
    carc: str
    rarcs: frozenset[str]  # empty: the CARC alone suffices
    why: str

    def matches(self, carcs: Iterable[str], rarcs: Iterable[str]) -> bool:
        return self.carc in carcs and (not self.rarcs or bool(self.rarcs & set(rarcs)))


@cache
def preventable_table() -> Mapping[str, tuple[Preventable, ...]]:
    """Rule category -> the denials it can prevent."""
    path = resources.files("denialscope.scrub").joinpath("data", "preventable.yaml")
    data: Any = yaml.safe_load(path.read_text("utf-8"))
    categories = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(categories, dict) or not categories:
        raise ConfigurationError(f"{_SOURCE}: expected a 'categories' mapping")
    out: dict[str, tuple[Preventable, ...]] = {}
    for category, items in categories.items():
        entries = []
        for number, item in enumerate(items or (), 1):
            if not isinstance(item, dict) or not item.get("carc") or not item.get("why"):
                raise ConfigurationError(
                    f"{_SOURCE}: categories.{category} item {number} needs carc and why"
                )
            rarcs = frozenset(str(r).upper() for r in item.get("rarcs", ()))
            entries.append(Preventable(str(item["carc"]).upper(), rarcs, str(item["why"])))
        if not entries:
            raise ConfigurationError(f"{_SOURCE}: categories.{category} is empty")
        out[str(category)] = tuple(entries)
    return out


def can_prevent(category: str, carcs: Iterable[str], rarcs: Iterable[str]) -> bool:
    """Whether a rule of ``category`` could have prevented a denial with these codes."""
    carcs, rarcs = list(carcs), list(rarcs)
    return any(p.matches(carcs, rarcs) for p in preventable_table().get(category, ()))
