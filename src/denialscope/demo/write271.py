"""Eligibility responses (X12 271, 005010X279A1) the demo's organization received.

Two moments, as a registration desk and a billing office run them:

- at registration: the patient's first visit with the payer in the year is verified (a 270
  on the day of service); later visits reuse the plan on file, which is how a coverage that
  ended goes unnoticed (``demo.certain``: the claim still goes to the old payer) until
  registration learns of it and verifies the new enrolment at the next visit;
- before billing: ``RECHECK_SHARE`` of the claims are verified again 1-3 days before they
  are first sent. Half, because re-verifying every claim costs clearinghouse fees and many
  organizations re-check only some payers or accounts; the model can see a coverage end
  only for the claims whose latest response before submission came after it.

Every response tells the truth about the date of service asked (:func:`coverage_on`): the
plan that covered it (with its end once the payer knows it), or inactive with the end of the
plan when the service fell after it. The organization does not hold
a claim on an inactive response (the claims are what they were); the risk model reads the
responses. Draws use their own random generator, so every other draw of the demo stays.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from denialscope.demo.certain import STALE_DAYS
from denialscope.demo.encounters import Claim, Patient
from denialscope.demo.org import Org, Payer
from denialscope.demo.period import YEAR_START
from denialscope.demo.pricing import Submission
from denialscope.demo.write837 import SUBMITTER
from denialscope.x12.writer import X12Writer

__all__ = [
    "RECHECK_SHARE",
    "Inquiry",
    "coverage_on",
    "eligibility_inquiries",
    "write_271_files",
]

RECHECK_SHARE = 0.5
RECHECK_DAYS = (1, 3)  # days before the claim is first sent
# A plan year began on January 1 for every demo plan (our simplification).
PLAN_BEGIN = date(YEAR_START.year - 1, 1, 1)

Inquiry = tuple[date, Claim]  # (response day, the claim whose patient and payer it is about)


def _d8(d: date) -> str:
    return d.strftime("%Y%m%d")


def eligibility_inquiries(subs: list[Submission], rng: random.Random) -> list[Inquiry]:
    """The registration checks and pre-billing re-checks, by response day."""
    first_sent: dict[str, date] = {}
    claims: dict[str, Claim] = {}
    for s in subs:
        cid = s.claim.claim_id
        if s.frequency == "1" and (cid not in first_sent or s.sent < first_sent[cid]):
            first_sent[cid] = s.sent
            claims[cid] = s.claim
    out: list[Inquiry] = []
    registered: set[tuple[str, str, bool]] = set()
    for cid in sorted(claims, key=lambda k: (claims[k].start, k)):
        c = claims[cid]
        end = c.patient.coverage_end
        renewed = end is not None and c.start > end + timedelta(days=STALE_DAYS)
        who = (c.patient.member_id, c.payer.key, renewed)
        if who not in registered:
            registered.add(who)
            out.append((c.start, c))
        if rng.random() < RECHECK_SHARE:
            day = first_sent[cid] - timedelta(days=rng.randint(*RECHECK_DAYS))
            out.append((max(day, c.start), c))
    out.sort(key=lambda q: (q[0], q[1].claim_id))
    return out


def _member(w: X12Writer, hl: int, day: date, c: Claim) -> None:
    pt: Patient = c.patient
    w.segment("HL", hl, 2, "22", 0)
    w.segment("TRN", "2", f"{c.claim_id}-{_d8(day)}", SUBMITTER[1])
    w.segment("NM1", "IL", "1", pt.last_name, pt.first_name, None, None, None, "MI",
              pt.member_id)  # fmt: skip
    w.segment("DMG", "D8", _d8(pt.birth_date), pt.sex)
    begin, end, active = coverage_on(pt.coverage_end, service=c.start, day=day)
    w.segment("DTP", "346", "D8", _d8(begin))
    if end is not None:
        w.segment("DTP", "347", "D8", _d8(end))
    w.segment("EB", "1" if active else "6", "IND", "30", c.payer.filing_professional)


def coverage_on(
    coverage_end: date | None, *, service: date, day: date
) -> tuple[date, date | None, bool]:
    """(plan begin, plan end, active) a payer answers on ``day`` for the date of service
    asked (a 270 asks for one: the claim's).

    The plan that covered the service, with its end once the payer knows it; inactive when
    the service fell after the coverage end. The demo's claims treat a coverage end as a gap
    of ``STALE_DAYS`` (registration learns of it then and later claims are paid:
    ``certain.coverage_ended``), so a service after the gap is under a new enrolment."""
    if coverage_end is None:
        return PLAN_BEGIN, None, True
    again = coverage_end + timedelta(days=STALE_DAYS + 1)
    if service <= coverage_end:
        return PLAN_BEGIN, (coverage_end if day > coverage_end else None), True
    if service < again:
        return PLAN_BEGIN, coverage_end, False
    return again, None, True


def _file(day_batches: list[tuple[date, list[Claim]]], payer: Payer, control: int) -> str:
    first = day_batches[0][0]
    when = datetime(first.year, first.month, first.day, 20, 30)
    w = X12Writer(sender=payer.payer_id, receiver=SUBMITTER[1], control=control, when=when)
    with w.group("HB", version="005010X279A1"):
        for day, batch in day_batches:
            with w.transaction("271", guide="005010X279A1"):
                w.segment("BHT", "0022", "11", f"ELG{control}{_d8(day)}", _d8(day), "2030")
                w.segment("HL", 1, None, "20", 1)
                w.segment("NM1", "PR", "2", payer.name, None, None, None, None, "PI",
                          payer.payer_id)  # fmt: skip
                w.segment("HL", 2, 1, "21", 1)
                w.segment("NM1", "1P", "2", SUBMITTER[0], None, None, None, None, "46",
                          SUBMITTER[1])  # fmt: skip
                for hl, c in enumerate(batch, 3):
                    _member(w, hl, day, c)
    return w.getvalue()


def write_271_files(
    out: Path, subs: list[Submission], org: Org, rng: random.Random, *, control_start: int
) -> list[Path]:
    """One file per payer and month, one transaction set per response day."""
    out.mkdir(parents=True, exist_ok=True)
    by_file: dict[tuple[str, str], dict[date, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    payers: dict[str, Payer] = {}
    for day, c in eligibility_inquiries(subs, rng):
        by_file[(c.payer.key, day.strftime("%Y%m"))][day].append(c)
        payers[c.payer.key] = c.payer
    paths: list[Path] = []
    for n, ((payer_key, month), days) in enumerate(sorted(by_file.items()), control_start):
        path = out / f"271_{payer_key}_{month}.x12"
        text = _file(sorted(days.items()), payers[payer_key], n)
        path.write_text(text, encoding="ascii")
        paths.append(path)
    _ = org
    return paths
