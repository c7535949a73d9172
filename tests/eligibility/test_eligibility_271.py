"""The 271 reader, its storage by ingest (SQLite and PostgreSQL) and the coverage check."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from denialscope.eligibility.models import EligibilityResponseRow
from denialscope.eligibility.records import EligibilityResponse, inactive_on
from denialscope.eligibility.store import EligibilityFeed
from denialscope.sources.models import SourceFile
from denialscope.x12.reader import X12Reader
from factories.database import Db, Files

D = dt.date


def x271(*members: str, bht: str = "20250610") -> str:
    """One 271 from payer 12345 answered on ``bht``; each member is its segments."""
    body = [
        f"BHT*0022*11*REF1*{bht}*1200~",
        "HL*1**20*1~",
        "NM1*PR*2*ACME HEALTH*****PI*12345~",
        "HL*2*1*21*1~",
        "NM1*1P*2*CLINIC*****XX*1234567893~",
    ]
    for n, member in enumerate(members):
        body.append(member.replace("{hl}", str(n + 3)))
    count = len(body) + 2
    return (
        "ISA*00*          *00*          *ZZ*12345          *ZZ*CLINIC         *250610*1200*^*"
        "00501*000000001*0*P*:~GS*HB*12345*CLINIC*20250610*1200*1*X*005010X279A1~"
        "ST*271*0001*005010X279A1~" + "".join(body) + f"SE*{count}*0001~GE*1*1~IEA*1*000000001~"
    )


ACTIVE = "HL*{hl}*2*22*1~NM1*IL*1*DOE*JO****MI*M100~DTP*346*D8*20250101~EB*1*IND*30*CI~"
ENDED = (
    "HL*{hl}*2*22*0~NM1*IL*1*ROE*AL****MI*M200~DTP*346*D8*20240101~DTP*347*D8*20250331~EB*6*IND*30~"
)
NOT_FOUND = "HL*{hl}*2*22*0~NM1*IL*1*POE*ED****MI*M300~AAA*N**72*C~"


def read(text: str) -> list[EligibilityResponse]:
    reader = X12Reader(io.BytesIO(text.encode()), name="t.271")
    return [r for r in reader if isinstance(r, EligibilityResponse)]


def test_reads_coverage_dates_and_status() -> None:
    # a dependent (HL*23) under the first subscriber is covered under its member id
    dependent = "HL*{hl}*3*23*0~NM1*03*1*DOE*KIM~EB*1*IND*30~"
    got = read(x271(ACTIVE, dependent, ENDED, NOT_FOUND))
    assert [(r.payer_id, r.member_id, r.status, r.plan_begin, r.plan_end) for r in got] == [
        ("12345", "M100", "active", D(2025, 1, 1), None),
        ("12345", "M100", "active", None, None),
        ("12345", "M200", "inactive", D(2024, 1, 1), D(2025, 3, 31)),
        ("12345", "M300", "", None, None),
    ]
    assert {r.responded for r in got} == {D(2025, 6, 10)}
    assert got[3].rejection == "72" and not any(r.problem for r in got)


def test_a_member_level_without_a_member_id_is_a_problem_at_its_segment() -> None:
    (bad,) = read(x271("HL*{hl}*2*22*0~NM1*IL*1*DOE*JO~EB*1~"))
    # segments counted from 1: ISA, GS, ST, BHT, HL, NM1, HL, NM1, then this HL (9)
    assert bad.problem.startswith("no member id") and bad.problem_at == 9


def test_inactive_on_the_date_of_service() -> None:
    def says(status: str, begin: D | None, end: D | None, service: D) -> bool | None:
        return inactive_on(status=status, plan_begin=begin, plan_end=end, service=service)

    assert says("inactive", None, D(2025, 3, 31), D(2025, 4, 1)) is True
    assert says("inactive", None, D(2025, 3, 31), D(2025, 3, 31)) is False  # last covered day
    assert says("active", D(2025, 5, 1), None, D(2025, 4, 30)) is True  # not yet covered
    assert says("active", D(2025, 1, 1), None, D(2025, 4, 30)) is False
    assert says("inactive", None, None, D(2025, 4, 30)) is True
    assert says("", None, None, D(2025, 4, 30)) is None


def test_only_a_response_received_before_the_submission_day_counts() -> None:
    feed = EligibilityFeed()
    feed.add(payer_id="12345", member_id="m200", responded=D(2025, 2, 1), status="active",
             plan_begin=D(2024, 1, 1))  # fmt: skip
    feed.add(payer_id="12345", member_id="M200", responded=D(2025, 4, 10), status="inactive",
             plan_end=D(2025, 3, 31))  # fmt: skip
    service = D(2025, 4, 5)

    def flag(submitted: D, member: str = "M200") -> float:
        return feed.inactive(payer_id="12345", member_id=member, submitted=submitted,
                             service=service)  # fmt: skip

    assert flag(D(2025, 4, 11)) == 1.0  # the April 10 response said: ended March 31
    assert flag(D(2025, 4, 10)) == 0.0  # same day: it may have come after the claim left
    assert flag(D(2025, 3, 1)) == 0.0  # only the February response was known: covered
    assert flag(D(2025, 1, 15)) != flag(D(2025, 1, 15))  # NaN: nothing known yet
    assert flag(D(2025, 4, 11), member="M999") != flag(D(2025, 4, 11), member="M999")


def test_ingest_stores_the_responses(db: Db, files: Files) -> None:
    path = files.text("elig.271", x271(ACTIVE, ENDED))
    result = db.ingest_one(path)
    assert result.status == "ingested", result.error
    assert result.eligibility_responses == 2 and result.file_type == "271"
    rows = db.rows(
        select(
            EligibilityResponseRow.member_id,
            EligibilityResponseRow.status,
            EligibilityResponseRow.responded_on,
            EligibilityResponseRow.plan_end,
        ).order_by(EligibilityResponseRow.member_id)
    )
    assert [tuple(r) for r in rows] == [
        ("M100", "active", D(2025, 6, 10), None),
        ("M200", "inactive", D(2025, 6, 10), D(2025, 3, 31)),
    ]
    assert db.ingest_one(path).status == "already_ingested"


@pytest.mark.parametrize(
    ("member", "says"),
    [
        ("HL*{hl}*2*22*0~NM1*IL*1*DOE*JO~EB*1~", "no member id"),
        ("HL*{hl}*2*22*0~NM1*IL*1*DOE*JO****MI*M1~DTP*347*D8*20251399~EB*6~", "DTP*347"),
        ("HL*{hl}*2*22*0~NM1*IL*1*DOE*JO****MI*M1~DTP*346*D8*20250101~", "no coverage status"),
    ],
    ids=["member-id", "date", "status"],
)
def test_a_bad_271_is_refused_whole_naming_file_and_segment(
    db: Db, files: Files, member: str, says: str
) -> None:
    path = files.text("bad.271", x271(ACTIVE, member))
    before = db.counts()
    result = db.ingest_one(path)
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith(f"{path} at segment ")
    assert says in result.error and re.search(r"segment \d+", result.error)
    assert db.counts() == before
    assert db.scalars(select(SourceFile.name)) == []
