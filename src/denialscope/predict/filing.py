"""The payer's timely-filing limit as the organization configured it, for the risk model.

Two places already hold filing limits: the scrub rule pack (``payers: {ID: {filing_limit_days:
N}}``, what the scrubber's ``timely_filing.limit`` rule checks) and the work queues'
``payer_windows`` (``by_payer_id``, else ``by_kind``, else ``default``: what deadlines count
from). A payer named in the pack wins (it is the submission-time check); otherwise the work
queues' window for the payer, else its kind; with neither, the pack's default (365 days).
The model sees the claim's days past that limit on its submission day: known before sending.
"""

from __future__ import annotations

from dataclasses import dataclass

from denialscope.scrub.packs import RulePack
from denialscope.settings import Settings
from denialscope.workqueue.config import WorkqueueConfig, load_workqueue_config
from denialscope.workqueue.priority import payer_windows

__all__ = ["FilingLimits", "filing_limits"]


@dataclass(frozen=True, slots=True)
class FilingLimits:
    pack: RulePack | None
    config: WorkqueueConfig | None

    def days(self, *, payer_id: str, payer_kind: str) -> int:
        """Days from service (discharge for a stay) the payer accepts a claim."""
        named = self.pack.payers.get(payer_id) if self.pack is not None else None
        if named is not None and named.filing_limit_days is not None:
            return named.filing_limit_days
        if self.config is not None:
            windows = payer_windows(self.config, payer_kind=payer_kind, payer_code=payer_id)
            if "timely_filing_days" in windows:
                return windows["timely_filing_days"]
        return (self.pack or RulePack()).filing_limit(payer_id)


def filing_limits(settings: Settings, pack: RulePack | None) -> FilingLimits:
    """The limits of this data directory: its rule pack and its ``workqueue.yaml``."""
    return FilingLimits(pack, load_workqueue_config(settings=settings))
