"""Which queue works a denial: by root cause, then the layer-3 owner role, then the stream.

Clinical cases past a first-level appeal move to the physician advisor, and coding's DRG
disputes go to CDI (both configurable in the ``routing`` section).
"""

from __future__ import annotations

from denialscope.workqueue.config import WorkqueueConfig

__all__ = ["route"]

_FALLBACK_QUEUE = "billing"


def route(
    config: WorkqueueConfig,
    *,
    stream: str,
    root_cause: str,
    owner_role: str | None = None,
    appeal_level: int = 0,
) -> str:
    """The queue for a denial of ``root_cause`` in ``stream`` at ``appeal_level``."""
    routing = config.routing
    queue: str | None = (routing.get("by_root_cause") or {}).get(root_cause)
    if queue is None and owner_role:
        queue = (routing.get("by_owner_role") or {}).get(owner_role)
    if queue is None:
        queue = (routing.get("by_stream") or {}).get(stream)
    queue = queue or _FALLBACK_QUEUE
    escalate_from = routing.get("escalate_to_physician_advisor_from_level")
    if (
        stream == "clinical"
        and escalate_from is not None
        and appeal_level >= int(escalate_from)
        and queue in ("ur", "cdi")
    ):
        return "physician_advisor"
    return queue
