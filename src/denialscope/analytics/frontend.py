"""Front-end rejections (999 and 277CA) in first-pass yield and the clean claim rate.

A claim the clearinghouse or payer rejected before adjudication never had a first pass: it
was sent again. With acknowledgments loaded, a claim counts as **front-end rejected** when

* a 277CA rejected it (linked by its CLM01 at ingest, ``acknowledgments.claim_id``), or
* a 999 rejected the 837 transaction set it came in: the 999's "GS06/ST02" equals the
  ``transaction_control`` of one of the claim's submissions (``claim_versions``). Control
  numbers are only unique per sender, so a pair found in more than one 837 file links to
  nothing rather than to the wrong claims.

first-pass yield = claims adjudicated without a denial and never front-end rejected ÷
(claims adjudicated + claims front-end rejected and not adjudicated yet); duplicates are in
neither. clean claim rate (CL-1) = claims clean on their first scrub and never front-end
rejected ÷ claims scrubbed. When no claim of a group was scrubbed but acknowledgments are
loaded, the clearinghouse and payer edits are the edits the claims passed: the clean claim rate
is then claims submitted and never front-end rejected ÷ claims submitted, and the note says
that basis. Without any acknowledgment loaded both read as before, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Subquery, and_, case, exists, func, select, union
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import Filters, claim_cohort, group_label
from denialscope.analytics.results import Rate, to_decimal

__all__ = ["FrontEnd", "acknowledgments_loaded", "front_end", "rejected_claims"]

NO_FILTERS: Final = Filters()


@dataclass(slots=True, frozen=True)
class FrontEnd:
    """One group: front-end rejections and the two rates that include them."""

    rejected: int
    first_pass_yield: Rate
    clean_claim_rate: Rate | None  # None: no claim scrubbed and no acknowledgment loaded
    clean_basis: str = "scrub"  # "scrub" or "acknowledgments" (no claim of the group scrubbed)

    def clean_claim_note(self, acks: bool) -> str:
        if self.clean_claim_rate is None:
            return (
                "not computed: no claim in scope went through `denialscope scrub` and no "
                "999/277CA acknowledgment is loaded"
            )
        if self.clean_basis == "acknowledgments":
            return (
                "999/277CA edits only (no claim in scope was scrubbed): claims never "
                "rejected at the front end / claims submitted"
            )
        if not acks:
            return "scrub results only: no 999/277CA acknowledgment is loaded"
        return "scrub results and 999/277CA front-end rejections"


def acknowledgments_loaded(session: Session) -> bool:
    from denialscope.acks.models import Acknowledgment

    return bool(session.scalar(select(exists().where(Acknowledgment.id.is_not(None)))))


def rejected_claims() -> Subquery:
    """The ids of claims a 277CA or a 999 rejected (see the module docstring)."""
    from denialscope.acks.models import Acknowledgment
    from denialscope.claims.models import ClaimVersion

    by_277 = select(Acknowledgment.claim_id.label("claim_id")).where(
        Acknowledgment.kind == "277CA",
        Acknowledgment.status == "rejected",
        Acknowledgment.claim_id.is_not(None),
    )
    unique = (
        select(ClaimVersion.transaction_control)
        .where(ClaimVersion.transaction_control.is_not(None))
        .group_by(ClaimVersion.transaction_control)
        .having(func.count(func.distinct(ClaimVersion.source_file_id)) == 1)
    )
    by_999 = (
        select(ClaimVersion.claim_id.label("claim_id"))
        .join(Acknowledgment, Acknowledgment.control_number == ClaimVersion.transaction_control)
        .where(
            Acknowledgment.kind == "999",
            Acknowledgment.status == "rejected",
            ClaimVersion.transaction_control.in_(unique),
        )
    )
    return union(by_277, by_999).subquery("rejected")


def front_end(
    session: Session, *, filters: Filters = NO_FILTERS, by: str | None = None
) -> dict[str, FrontEnd]:
    """Per group: front-end rejected claims, first-pass yield and clean claim rate with them."""
    from denialscope.scrub.models import ScrubClaimResult, ScrubRun

    c = claim_cohort(filters, by=by)
    # UNION already removes repeats: one row per rejected claim.
    rejected_ids = rejected_claims()
    rejected = case((rejected_ids.c.claim_id.is_not(None), 1), else_=0)
    counted = and_(c.c.remitted == 1, c.c.is_duplicate == 0)
    first_pass = and_(counted, c.c.any_denial == 0)
    pending = and_(c.c.remitted == 0, c.c.is_stub == 0)
    query = (
        select(
            c.c.grp,
            func.sum(rejected).label("rejected"),
            func.sum(case((c.c.is_stub == 0, 1), else_=0)).label("submitted"),
            func.sum(case((counted, 1), else_=0)).label("adjudicated"),
            func.sum(case((and_(first_pass, rejected_ids.c.claim_id.is_(None)), 1), else_=0)).label(
                "first_pass"
            ),
            func.sum(case((and_(pending, rejected_ids.c.claim_id.is_not(None)), 1), else_=0)).label(
                "rejected_pending"
            ),
        )
        .outerjoin(rejected_ids, rejected_ids.c.claim_id == c.c.claim_id)
        .group_by(c.c.grp)
    )
    counts: dict[str, Any] = {group_label(by, row.grp): row for row in session.execute(query)}
    first = (
        select(ScrubClaimResult.claim_id, func.min(ScrubClaimResult.id).label("result_id"))
        .join(ScrubRun, ScrubRun.id == ScrubClaimResult.run_id)
        .where(ScrubRun.source != "backtest", ScrubClaimResult.claim_id.is_not(None))
        .group_by(ScrubClaimResult.claim_id)
        .subquery("first_scrub")
    )
    clean = and_(ScrubClaimResult.clean.is_(True), rejected_ids.c.claim_id.is_(None))
    scrub_query = (
        select(
            c.c.grp,
            func.count().label("scrubbed"),
            func.sum(case((clean, 1), else_=0)).label("clean"),
        )
        .join(first, first.c.claim_id == c.c.claim_id)
        .join(ScrubClaimResult, ScrubClaimResult.id == first.c.result_id)
        .outerjoin(rejected_ids, rejected_ids.c.claim_id == c.c.claim_id)
        .group_by(c.c.grp)
    )
    scrubbed = {group_label(by, row.grp): row for row in session.execute(scrub_query)}
    acks = acknowledgments_loaded(session)
    out: dict[str, FrontEnd] = {}
    for label, row in counts.items():
        s = scrubbed.get(label)
        submitted = to_decimal(row.submitted)
        if s is not None:
            clean_rate: Rate | None = Rate(to_decimal(s.clean), to_decimal(s.scrubbed))
        elif acks and submitted:
            clean_rate = Rate(submitted - to_decimal(row.rejected), submitted)
        else:
            clean_rate = None
        out[label] = FrontEnd(
            rejected=int(to_decimal(row.rejected)),
            first_pass_yield=Rate(
                to_decimal(row.first_pass),
                to_decimal(row.adjudicated) + to_decimal(row.rejected_pending),
            ),
            clean_claim_rate=clean_rate,
            clean_basis="scrub" if s is not None else "acknowledgments",
        )
    return out
