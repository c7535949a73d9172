"""The combination-code table (``scrub/data/combination_codes.yaml``), read once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from denialscope.errors import ConfigurationError

__all__ = ["Combination", "HypertensionTable", "hypertension_table"]

_SOURCE = "scrub/data/combination_codes.yaml"


@dataclass(frozen=True, slots=True)
class Combination:
    groups: tuple[str, ...]
    code: str  # no dot


@dataclass(frozen=True, slots=True)
class HypertensionTable:
    code: str
    prefixes: dict[str, tuple[str, ...]]
    codes: dict[str, frozenset[str]]
    combinations: tuple[Combination, ...]

    def members(self, diagnoses: list[str]) -> dict[str, list[str]]:
        """Group name -> the claim's diagnoses (no dot) in it."""
        out: dict[str, list[str]] = {}
        for name in self.prefixes.keys() | self.codes.keys():
            found = [
                d
                for d in diagnoses
                if d in self.codes.get(name, frozenset())
                or d.startswith(self.prefixes.get(name, ()))
            ]
            if found:
                out[name] = found
        return out

    def combination(self, present: set[str]) -> Combination | None:
        return next((c for c in self.combinations if set(c.groups) <= present), None)


def _fail(problem: str) -> ConfigurationError:
    return ConfigurationError(f"{_SOURCE}: {problem}")


@cache
def hypertension_table() -> HypertensionTable:
    path = resources.files("denialscope.scrub").joinpath("data", "combination_codes.yaml")
    data: Any = yaml.safe_load(path.read_text("utf-8"))
    block = data.get("hypertension") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        raise _fail("no 'hypertension' mapping")
    prefixes: dict[str, tuple[str, ...]] = {}
    codes: dict[str, frozenset[str]] = {}
    for name, spec in (block.get("groups") or {}).items():
        if not isinstance(spec, dict) or not ({"prefixes", "codes"} & spec.keys()):
            raise _fail(f"group '{name}' needs prefixes or codes")
        prefixes[name] = tuple(str(p) for p in spec.get("prefixes", ()))
        codes[name] = frozenset(str(c) for c in spec.get("codes", ()))
    combinations = []
    for number, item in enumerate(block.get("combinations") or (), 1):
        groups = tuple(str(g) for g in item.get("with", ()))
        if not groups or any(g not in prefixes for g in groups) or not item.get("code"):
            raise _fail(f"combination {number} needs known groups in 'with' and a 'code'")
        combinations.append(Combination(groups, str(item["code"])))
    if not combinations:
        raise _fail("no combinations")
    return HypertensionTable(str(block["code"]), prefixes, codes, tuple(combinations))
