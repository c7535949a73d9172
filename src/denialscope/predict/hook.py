"""The one call other features make to show denial risk: `scrub` beside its findings.

Cheap when no model was trained (a folder check, no LightGBM import, no database).
"""

from __future__ import annotations

from collections.abc import Sequence

from denialscope.predict import store
from denialscope.settings import Settings
from denialscope.x12.claim837.records import Claim

__all__ = ["claim_risks"]


def claim_risks(
    *, settings: Settings, records: Sequence[Claim], reasons: int = 2
) -> list[dict[str, object]] | None:
    """Each claim's risk (``ClaimRisk.to_dict``: claim_id, p_denial, likely_root_cause,
    likely_stream, reasons), in the order of ``records``; None when no model is trained."""
    if not records or store.latest(settings.data_dir) is None:
        return None
    from denialscope.db.engine import open_database
    from denialscope.predict.service import score_claims

    engine, factory = open_database(settings.database_url, lock_timeout_s=settings.lock_timeout_s)
    try:
        with factory() as session:
            risks = score_claims(
                session=session, settings=settings, records=list(records), explain=reasons
            )
    finally:
        engine.dispose()
    return [r.to_dict() for r in risks]
