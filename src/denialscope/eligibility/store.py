"""Store a file's 271 responses (ingest) and read them back as a feed (predict)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from denialscope.eligibility.models import EligibilityResponseRow
from denialscope.eligibility.records import EligibilityResponse, inactive_on
from denialscope.errors import InputError

__all__ = ["EligibilityFeed", "EligibilityFileError", "EligibilityStore", "load_feed"]


class EligibilityFileError(InputError):
    """A 271 member level that cannot be used: the whole file is refused."""

    def __init__(self, message: str, *, file: str, segment: int) -> None:
        super().__init__(f"{file} at segment {segment}: {message}", file=file, segment=segment)


def _key(payer_id: str, member_id: str) -> tuple[str, str]:
    # the payer as ingest keys it (orgs.payer_key_for): trimmed, upper case
    return payer_id.strip().upper(), member_id.strip().upper()


class EligibilityStore:
    """Collects one file's responses; ``flush`` writes them in one statement."""

    def __init__(self, session: Session, *, source_file_id: int, file: str) -> None:
        self.session = session
        self.source_file_id = source_file_id
        self.file = file
        self.rows: list[dict[str, Any]] = []

    @property
    def stored(self) -> int:
        return len(self.rows)

    def add(self, record: EligibilityResponse) -> None:
        if record.problem:
            raise EligibilityFileError(
                f"{record.problem}; nothing of the file was stored", file=self.file,
                segment=record.problem_at,
            )  # fmt: skip
        assert record.responded is not None  # a record without it carries a problem
        payer, member = _key(record.payer_id, record.member_id)
        self.rows.append(
            {
                "source_file_id": self.source_file_id,
                "payer_id": payer[:80],
                "member_id": member[:80],
                "responded_on": record.responded,
                "status": record.status,
                "plan_begin": record.plan_begin,
                "plan_end": record.plan_end,
                "rejection": record.rejection[:4] or None,
                "segment_index": record.segment_index,
            }
        )

    def flush(self) -> None:
        if self.rows:
            self.session.execute(insert(EligibilityResponseRow), self.rows)


@dataclass(frozen=True, slots=True)
class _Answer:
    responded: dt.date
    status: str
    plan_begin: dt.date | None
    plan_end: dt.date | None


@dataclass(slots=True)
class EligibilityFeed:
    """Every stored response, by payer and member, oldest first."""

    answers: dict[tuple[str, str], list[_Answer]] = field(default_factory=dict)

    def add(
        self,
        *,
        payer_id: str,
        member_id: str,
        responded: dt.date,
        status: str,
        plan_begin: dt.date | None = None,
        plan_end: dt.date | None = None,
    ) -> None:
        found = self.answers.setdefault(_key(payer_id, member_id), [])
        found.append(_Answer(responded, status, plan_begin, plan_end))
        found.sort(key=lambda a: a.responded)

    def inactive(
        self, *, payer_id: str, member_id: str, submitted: dt.date, service: dt.date | None
    ) -> float:
        """1.0 when the latest response received strictly before the submission day (a
        response of that day may have come after the claim left; only dates are known)
        says the member had no coverage on the date of service, 0.0 when it says covered,
        NaN when no such response says either."""
        if service is None or not member_id:
            return float("nan")
        latest = None
        for answer in self.answers.get(_key(payer_id, member_id), ()):
            if answer.responded >= submitted:
                break
            if answer.status:
                latest = answer
        if latest is None:
            return float("nan")
        said = inactive_on(
            status=latest.status,
            plan_begin=latest.plan_begin,
            plan_end=latest.plan_end,
            service=service,
        )
        return float("nan") if said is None else float(said)


def load_feed(session: Session) -> EligibilityFeed:
    feed = EligibilityFeed()
    rows: Iterable[Any] = session.execute(
        select(
            EligibilityResponseRow.payer_id,
            EligibilityResponseRow.member_id,
            EligibilityResponseRow.responded_on,
            EligibilityResponseRow.status,
            EligibilityResponseRow.plan_begin,
            EligibilityResponseRow.plan_end,
        ).order_by(EligibilityResponseRow.responded_on, EligibilityResponseRow.id)
    ).tuples()
    for payer, member, responded, status, begin, end in rows:
        feed.add(
            payer_id=payer,
            member_id=member,
            responded=responded,
            status=status,
            plan_begin=begin,
            plan_end=end,
        )
    return feed
