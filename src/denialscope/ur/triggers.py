"""Trigger rules: what makes a stay need a utilization review now, and when it next will.

Pure functions over :class:`StayFacts` and the payer's :class:`PayerRules`. A trigger that
fired at or before the stay's last review is satisfied (shown, but no longer urgent); the
next checkpoint is the earliest future moment any rule fires.

Days of stay are midnights since admission, as the two-midnight rule and payers count them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from denialscope.ur.drg import WorkingDrg
from denialscope.ur.rules import PayerRules

__all__ = ["Hit", "StayFacts", "Triggers", "evaluate", "midnights"]


@dataclass(frozen=True, slots=True)
class StayFacts:
    patient_class: str  # I or O
    admit_at: dt.datetime
    class_since: dt.datetime  # when the current class began (the order time)
    drg: WorkingDrg | None
    procedures: tuple[str, ...] = ()  # "<system>:<code>"
    authorized_days: int | None = None
    last_review_at: dt.datetime | None = None
    # The physician's expected discharge with the order (ADT PV2-9), when the feed gives it.
    expected_discharge_at: dt.datetime | None = None

    @property
    def expected_midnights(self) -> int | None:
        if self.expected_discharge_at is None:
            return None
        return midnights(self.admit_at, self.expected_discharge_at)


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    since: dt.datetime  # when it fired
    reason: str
    reviewed: bool  # a review was recorded after it fired


@dataclass(frozen=True, slots=True)
class Triggers:
    hits: tuple[Hit, ...]
    next_at: dt.datetime | None  # the next checkpoint still ahead

    @property
    def open(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if not h.reviewed)


def midnights(start: dt.datetime, moment: dt.datetime) -> int:
    """Midnights passed between two wall-clock moments."""
    return max((moment.date() - start.date()).days, 0)


def _day(start: dt.datetime, days: int) -> dt.datetime:
    """The midnight that begins day ``days`` after the admission day."""
    return dt.datetime.combine(start.date() + dt.timedelta(days=days), dt.time())


def _two_midnight(f: StayFacts, inpatient: bool) -> list[tuple[str, dt.datetime, str]]:
    """The two-midnight benchmark on the physician's expectation (PV2-9) when the feed gives
    it, else on the working DRG's GMLOS."""
    if f.expected_midnights is not None:
        expected: float = f.expected_midnights
        basis = f"physician expects {f.expected_midnights} midnight(s)"
    elif f.drg is not None:
        expected, basis = float(f.drg.gmlos), f"expected stay GMLOS {f.drg.gmlos}"
    else:
        return []
    if inpatient and expected < 2:
        return [("two_midnight_short", f.class_since, f"inpatient, {basis} < two midnights")]
    if not inpatient and expected >= 2:
        # Expected to cross a second midnight: the benchmark supports an inpatient order once
        # the first midnight has passed in observation.
        return [
            (
                "two_midnight_observation",
                _day(f.class_since, 1),
                f"observation, {basis} >= two midnights",
            )
        ]
    return []


def _candidates(
    f: StayFacts, r: PayerRules, ipo: frozenset[str]
) -> list[tuple[str, dt.datetime, str]]:
    """Every (rule, moment it fires, reason) for this stay, past and future."""
    out: list[tuple[str, dt.datetime, str]] = []
    inpatient = f.patient_class == "I"
    if r.admission_review_hours is not None:
        what = "inpatient order" if inpatient else "observation"
        due = f.class_since + dt.timedelta(hours=r.admission_review_hours)
        # Open from the order on: every admission and observation stay gets a status review.
        out.append(
            ("status_review", f.class_since, f"{what}: status review due by {due:%m-%d %H:%M}")
        )
    if inpatient and f.drg is not None:
        if r.checkpoint_before_gmlos_days is not None:
            day = max(math.ceil(f.drg.gmlos - r.checkpoint_before_gmlos_days), 1)
            out.append(
                (
                    "gmlos_checkpoint",
                    _day(f.admit_at, day),
                    f"day {day} reaches GMLOS {f.drg.gmlos} - {r.checkpoint_before_gmlos_days}",
                )
            )
        if r.outlier_after_amlos:
            day = math.floor(f.drg.amlos) + 1
            out.append(
                ("beyond_amlos", _day(f.admit_at, day), f"day {day} is beyond AMLOS {f.drg.amlos}")
            )
    if not inpatient:
        for hours in r.observation_hours:
            out.append(
                (
                    f"observation_{hours}h",
                    f.class_since + dt.timedelta(hours=hours),
                    f"observation past {hours} h",
                )
            )
    if r.two_midnight:
        out += _two_midnight(f, inpatient)
    if not inpatient and r.inpatient_only_check:
        ipo_codes = sorted(
            p.split(":", 1)[1] for p in f.procedures if p.split(":", 1)[-1].upper() in ipo
        )
        if ipo_codes:
            out.append(
                (
                    "inpatient_only",
                    f.class_since,
                    f"inpatient-only procedure {', '.join(ipo_codes)} on an outpatient stay",
                )
            )
    if inpatient and f.authorized_days is not None:
        out.append(
            (
                "authorized_days_used",
                _day(f.admit_at, f.authorized_days),
                f"{f.authorized_days} authorized days used",
            )
        )
    if inpatient:
        for day in _review_days(r, horizon=60):
            out.append(
                (
                    "concurrent_review",
                    _day(f.admit_at, day),
                    f"payer concurrent review due on day {day}",
                )
            )
    return out


def _review_days(r: PayerRules, *, horizon: int) -> list[int]:
    days = list(r.concurrent_review_days)
    if r.concurrent_review_every:
        last = days[-1] if days else 0
        days += list(range(last + r.concurrent_review_every, horizon, r.concurrent_review_every))
    return days


def evaluate(
    facts: StayFacts, rules: PayerRules, *, now: dt.datetime, ipo: frozenset[str]
) -> Triggers:
    """The rules that have fired (newest per rule) and the next checkpoint after ``now``."""
    fired: dict[str, Hit] = {}
    upcoming: list[dt.datetime] = []
    for rule, moment, reason in _candidates(facts, rules, ipo):
        if moment <= now:
            reviewed = facts.last_review_at is not None and facts.last_review_at >= moment
            if rule not in fired or fired[rule].since < moment:
                fired[rule] = Hit(rule, moment, reason, reviewed)
        else:
            upcoming.append(moment)
    hits = tuple(sorted(fired.values(), key=lambda h: h.since))
    return Triggers(hits, min(upcoming) if upcoming else None)
