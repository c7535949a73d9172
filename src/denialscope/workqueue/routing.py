"""Which queue works a denial: by root cause, then the layer-3 owner role, then the stream.

Professional claims' clinical denials go to the professional-fee queue. Clinical cases past
a first-level appeal move to the physician advisor, and coding's DRG
disputes go to CDI (both configurable in the ``routing`` section).
"""

from __future__ import annotations

from denialscope.workqueue.config import WorkqueueConfig

__all__ = ["route"]

_FALLBACK_QUEUE = "billing"
_HOSPITAL_CLINICAL = frozenset({"ur", "cdi", "physician_advisor"})


def route(
    config: WorkqueueConfig,
    *,
    stream: str,
    root_cause: str,
    owner_role: str | None = None,
    appeal_level: int = 0,
    claim_kind: str | None = None,
) -> str:
    """The queue for a denial of ``root_cause`` in ``stream`` at ``appeal_level``.

    A professional claim (837P) is the physician group's: its clinical and CDI denials go to
    the professional-fee denial queue (the group's coding/clinical reviewer), never to the
    hospital's utilization review, CDI or physician advisor.
    """
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
        queue = "physician_advisor"
    profee = routing.get("professional_fee_queue")
    if claim_kind == "837P" and profee and queue in _HOSPITAL_CLINICAL:
        return str(profee)
    return queue
