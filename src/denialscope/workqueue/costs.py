"""What denial work costs: one set of role rates and minutes for the queues and the KPIs.

The ``work_cost`` section of ``defaults.yaml`` (overridable in ``<data dir>/workqueue.yaml``)
has three parts:

* ``roles``: each role's loaded hourly cost (USD);
* ``queues``: the role that works an item of the queue and the minutes one touch takes;
  cost of one worked item = minutes ÷ 60 × the role's hourly cost (the work queue's expected
  net recovery and the appeal KPIs' cost per worked appeal);
* ``streams``: the touches reworking one denied claim of the stream takes (queue: count);
  rework cost per claim = Σ touches × the queue's item cost (``report kpis`` rework).

Both figures come from the same rates, so changing a rate moves the queue ranking and the
KPI report together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from denialscope.errors import ConfigurationError

__all__ = ["QueueCost", "WorkCost", "parse_work_cost"]

CENT: Final = Decimal("0.01")


@dataclass(slots=True, frozen=True)
class QueueCost:
    role: str
    minutes: Decimal


@dataclass(slots=True, frozen=True)
class WorkCost:
    roles: dict[str, Decimal]  # role -> loaded hourly cost
    queues: dict[str, QueueCost]
    streams: dict[str, dict[str, int]]  # stream -> {queue: touches}

    def queue_cost(self, queue: str) -> Decimal:
        """One worked item of ``queue``: minutes × the hourly cost of its role (0 if unknown)."""
        spec = self.queues.get(queue)
        if spec is None:
            return Decimal(0)
        return (spec.minutes / 60 * self.roles[spec.role]).quantize(CENT, ROUND_HALF_UP)

    def cost_per_claim(self, stream: str) -> Decimal:
        """Reworking one denied claim of ``stream``: Σ touches × the queue's item cost."""
        touches = self.streams.get(stream, {})
        return sum((self.queue_cost(q) * n for q, n in touches.items()), Decimal(0))


def _number(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ConfigurationError(f"work_cost.{where}: expected a number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ConfigurationError(f"work_cost.{where}: expected a number >= 0, got {value!r}")
    return number


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"work_cost.{where}: expected a mapping")
    return value


def parse_work_cost(raw: Any, *, queues: Iterable[str]) -> WorkCost:
    """Validate the ``work_cost`` section; every problem names its key."""
    known = set(queues)
    section = _mapping(raw, "")
    missing = [k for k in ("roles", "queues", "streams") if k not in section]
    if missing:
        raise ConfigurationError(f"work_cost: needs roles, queues and streams (missing {missing})")
    roles = {
        str(name): _number(_mapping(spec, f"roles.{name}").get("hourly_cost"), f"roles.{name}")
        for name, spec in _mapping(section["roles"], "roles").items()
    }
    queue_costs: dict[str, QueueCost] = {}
    for queue, spec in _mapping(section["queues"], "queues").items():
        where = f"queues.{queue}"
        if queue not in known:
            raise ConfigurationError(f"work_cost.{where}: unknown queue; one of {sorted(known)}")
        spec = _mapping(spec, where)
        role = str(spec.get("role"))
        if role not in roles:
            raise ConfigurationError(f"work_cost.{where}.role: unknown role {role!r}")
        queue_costs[str(queue)] = QueueCost(role, _number(spec.get("minutes"), f"{where}.minutes"))
    streams: dict[str, dict[str, int]] = {}
    for stream, touches in _mapping(section["streams"], "streams").items():
        where = f"streams.{stream}"
        streams[str(stream)] = {}
        for queue, count in _mapping(touches, where).items():
            if queue not in queue_costs:
                raise ConfigurationError(f"work_cost.{where}.{queue}: no cost for that queue")
            if not isinstance(count, int) or count < 0:
                raise ConfigurationError(f"work_cost.{where}.{queue}: expected a whole count")
            streams[str(stream)][str(queue)] = count
    return WorkCost(roles=roles, queues=queue_costs, streams=streams)
