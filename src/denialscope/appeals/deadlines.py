"""Which request a letter makes (appeal at a level, or a reopening) and its last day.

The window is the payer's (``payer_windows`` of the work-queue configuration, by payer kind
and payer id). A level 1 appeal and a reopening count from the denial; a level 2 appeal or
an external review from the decision that upheld the level before it (the latest
adjudication of the claim).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.orgs.models import Payer
from denialscope.remits.models import ClaimPayment
from denialscope.workqueue.config import WorkqueueConfig, load_workqueue_config
from denialscope.workqueue.models import WorkItem
from denialscope.workqueue.priority import deadline_for, payer_windows

__all__ = ["LetterWindow", "letter_window"]

_LEVEL_ACTIONS = {1: "appeal_level_1", 2: "appeal_level_2", 3: "external_review"}


@dataclass(frozen=True, slots=True)
class LetterWindow:
    action: str  # appeal_level_1 ... or reopening
    kind: str  # "level 1 appeal", "reopening" ...: how the letter names its request
    deadline: dt.date | None


def letter_window(
    session: Session, item: WorkItem, *, workqueue: WorkqueueConfig | None = None
) -> LetterWindow:
    """The request the item's letter makes and the last day to send it (payer windows of
    the ``workqueue`` configuration, default the shipped one)."""
    chosen = item.action or item.recommended_action
    if chosen == "reopening":
        action = "reopening"
    else:
        action = _LEVEL_ACTIONS[min(max(item.appeal_level, 1), 3)]
    anchor = item.denied_on
    if action in ("appeal_level_2", "external_review"):
        anchor = (
            session.scalar(
                select(func.max(ClaimPayment.adjudicated_at)).where(
                    ClaimPayment.claim_id == item.claim_id
                )
            )
            or anchor
        )
    payer = session.get(Payer, item.payer_id) if item.payer_id else None
    windows = payer_windows(
        workqueue or load_workqueue_config(),
        payer_kind=item.payer_kind or (payer.kind if payer else None),
        payer_code=payer.payer_id if payer else None,
    )
    deadline = deadline_for(
        action, windows=windows, denied_on=anchor, service_date=item.service_date
    )
    return LetterWindow(action, deadline.kind or action.replace("_", " "), deadline.date)
