"""Load the work-queue configuration: shipped defaults merged with the organization's file.

``<data dir>/workqueue.yaml`` may override any top-level section of ``defaults.yaml``: a
mapping is merged key by key (one level deep, so ``payer_windows.by_kind.medicare`` replaces
that payer kind's windows whole), a decision-tree entry replaces the list for its root cause.
Every problem raises ConfigurationError naming the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import yaml

from denialscope.errors import ConfigurationError
from denialscope.orgs.models import PAYER_KINDS
from denialscope.workqueue.costs import WorkCost, parse_work_cost
from denialscope.workqueue.models import ACTIONS, QUEUES

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "DEFAULTS_PATH",
    "ORGANIZATION_FILE",
    "DecisionRule",
    "WorkqueueConfig",
    "load_workqueue_config",
]

DEFAULTS_PATH: Final = Path(__file__).with_name("defaults.yaml")
ORGANIZATION_FILE: Final = "workqueue.yaml"
_SECTIONS: Final = (
    "routing",
    "work_cost",
    "recovery",
    "payer_windows",
    "urgency",
    "thresholds",
    "decision_tree",
)
_CONDITIONS: Final = (
    "min_dollars",
    "max_dollars",
    "after_upheld_level",
    "min_after_upheld_level",
    "denial_type",
    "payer_kind",
)


@dataclass(slots=True, frozen=True)
class DecisionRule:
    """One branch of a root cause's decision tree: conditions, action and the reason shown."""

    action: str
    reason: str
    min_dollars: Decimal | None = None
    max_dollars: Decimal | None = None
    after_upheld_level: int | None = None
    min_after_upheld_level: int | None = None
    denial_type: str | None = None
    payer_kinds: tuple[str, ...] | None = None


@dataclass(slots=True, frozen=True)
class WorkqueueConfig:
    """Everything routing, priority and the decision tree read; see defaults.yaml."""

    routing: dict[str, Any]
    work_cost: WorkCost
    recovery: dict[str, Any]
    payer_windows: dict[str, Any]
    urgency: dict[str, Decimal]
    thresholds: dict[str, Decimal]
    decision_tree: dict[str, tuple[DecisionRule, ...]]
    sources: tuple[str, ...]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(
            f"{path}: cannot read the work-queue configuration: {error}"
        ) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: expected a mapping of sections at the top")
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigurationError(
            f"{path}: unknown section(s) {', '.join(unknown)}; expected {', '.join(_SECTIONS)}"
        )
    return data


def _money(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError as error:
        raise ConfigurationError(f"{where}: expected a number, got {value!r}") from error


def _rule(raw: Any, where: str, thresholds: dict[str, Decimal]) -> DecisionRule:
    if not isinstance(raw, dict) or "action" not in raw:
        raise ConfigurationError(f"{where}: a rule needs an action (and a reason)")
    action = str(raw["action"])
    if action not in ACTIONS:
        raise ConfigurationError(f"{where}: unknown action {action!r}; one of {ACTIONS}")
    when = raw.get("when") or {}
    if not isinstance(when, dict) or set(when) - set(_CONDITIONS):
        raise ConfigurationError(f"{where}: conditions are {', '.join(_CONDITIONS)}")

    def dollars(key: str) -> Decimal | None:
        value = when.get(key)
        if value is None:
            return None
        if isinstance(value, str) and not value.replace(".", "").isdigit():
            if value not in thresholds:
                raise ConfigurationError(f"{where}.{key}: no threshold named {value!r}")
            return thresholds[value]
        return _money(value, f"{where}.{key}")

    kinds = when.get("payer_kind")
    if isinstance(kinds, str):
        kinds = [kinds]
    if kinds is not None and (
        not isinstance(kinds, list) or not set(map(str, kinds)) <= set(PAYER_KINDS)
    ):
        raise ConfigurationError(f"{where}.payer_kind: a list of {', '.join(PAYER_KINDS)}")

    def level(key: str) -> int | None:
        value = when.get(key)
        return None if value is None else int(value)

    return DecisionRule(
        action=action,
        reason=str(raw.get("reason") or action.replace("_", " ")),
        min_dollars=dollars("min_dollars"),
        max_dollars=dollars("max_dollars"),
        after_upheld_level=level("after_upheld_level"),
        min_after_upheld_level=level("min_after_upheld_level"),
        denial_type=when.get("denial_type"),
        payer_kinds=tuple(str(k) for k in kinds) if kinds is not None else None,
    )


def _build(merged: dict[str, Any], sources: tuple[str, ...]) -> WorkqueueConfig:
    thresholds = {k: _money(v, f"thresholds.{k}") for k, v in merged["thresholds"].items()}
    tree: dict[str, tuple[DecisionRule, ...]] = {}
    for root_cause, rules in merged["decision_tree"].items():
        if not isinstance(rules, list) or not rules:
            raise ConfigurationError(f"decision_tree.{root_cause}: expected a list of rules")
        tree[root_cause] = tuple(
            _rule(raw, f"decision_tree.{root_cause}[{i}]", thresholds)
            for i, raw in enumerate(rules)
        )
    # "profee" (professional-fee denials) is costed before its queue is routed to.
    work_cost = parse_work_cost(merged["work_cost"], queues=(*QUEUES, "profee"))
    routing = merged["routing"]
    for section in ("by_root_cause", "by_owner_role", "by_stream"):
        for key, queue in (routing.get(section) or {}).items():
            if queue not in QUEUES:
                raise ConfigurationError(f"routing.{section}.{key}: unknown queue {queue!r}")
    profee = routing.get("professional_fee_queue")
    if profee is not None and profee not in QUEUES:
        raise ConfigurationError(f"routing.professional_fee_queue: unknown queue {profee!r}")
    return WorkqueueConfig(
        routing=routing,
        work_cost=work_cost,
        recovery=merged["recovery"],
        payer_windows=merged["payer_windows"],
        urgency={k: _money(v, f"urgency.{k}") for k, v in merged["urgency"].items()},
        thresholds=thresholds,
        decision_tree=tree,
        sources=sources,
    )


# Parsed configurations by the files they came from and those files' size and modification
# time: ingest asks once per file (hundreds of times a run) and parsing the YAML each time
# cost more than storing the files. An edited file has a new stamp and is read again.
_CACHE: dict[tuple[tuple[str, int, int], ...], WorkqueueConfig] = {}


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)  # _read reports the problem
    return (str(path), stat.st_mtime_ns, stat.st_size)


def load_workqueue_config(
    *, settings: Settings | None = None, override: Path | None = None
) -> WorkqueueConfig:
    """Defaults, then ``override``, or else the ``workqueue.yaml`` of the data directory of
    ``settings`` when it exists; with neither, the shipped defaults alone."""
    path = override
    if path is None and settings is not None and settings.workqueue_file.is_file():
        path = settings.workqueue_file
    key = tuple(_stamp(p) for p in (DEFAULTS_PATH, path) if p is not None)
    cached = _CACHE.get(key)
    if cached is None:
        cached = _CACHE[key] = _load(path)
    return cached


def _load(path: Path | None) -> WorkqueueConfig:
    merged = _read(DEFAULTS_PATH)
    sources = [str(DEFAULTS_PATH)]
    if path is not None:
        for section, value in _read(path).items():
            if section == "work_cost" and isinstance(value, dict):
                # Two levels: a rate for one role or queue keeps the others.
                base = dict(merged.get(section) or {})
                for part, entries in value.items():
                    current = base.get(part)
                    if isinstance(entries, dict) and isinstance(current, dict):
                        base[part] = {**current, **entries}
                    else:
                        base[part] = entries
                merged[section] = base
            elif isinstance(value, dict) and isinstance(merged.get(section), dict):
                merged[section] = {**merged[section], **value}
            else:
                merged[section] = value
        sources.append(str(path))
    return _build(merged, tuple(sources))
