"""Front-end rejections (999, 277CA) in first-pass yield and the clean claim rate, on the
hand-built claims of factories/tiny.py (SQLite and PostgreSQL).

Adjudicated and counted: C1-C5 and C8 (C6 is a duplicate); first pass without acks: C1, C5.
Acks: a 277CA rejects C1; a 999 rejects the 837 set "7/0002" that carried C7 (not
adjudicated yet); a 999 rejects "9/0001", a pair found in two different 837 files (C5's and
C8's), so it links to nothing.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from denialscope.acks.models import Acknowledgment
from denialscope.analytics.frontend import front_end
from denialscope.analytics.results import Rate
from denialscope.analytics.summary import kpi_report
from denialscope.claims.models import ClaimVersion
from denialscope.scrub.models import ScrubClaimResult, ScrubRun
from denialscope.sources.models import SourceFile
from factories.tiny import Tiny

D = Decimal


def _scrub(session: Session, tiny: Tiny) -> None:
    run = ScrubRun(source="batch.x12", claims=3, clean=2, flagged=1)
    session.add(run)
    session.flush()
    for key, clean in (("C1", True), ("C5", True), ("C3", False)):
        session.add(
            ScrubClaimResult(
                run_id=run.id, claim_key=key, control_number=key, claim_id=tiny.claims[key],
                clean=clean, rejects=0 if clean else 1, warnings=0,
            )
        )  # fmt: skip
    session.commit()


def _acks(session: Session, tiny: Tiny) -> None:
    first = SourceFile(sha256="1" * 64, name="batch1.837")
    second = SourceFile(sha256="2" * 64, name="batch2.837")
    acks = SourceFile(sha256="3" * 64, name="acks.999")
    session.add_all([first, second, acks])
    session.flush()
    for key, control, source in (
        ("C7", "7/0002", first),
        ("C5", "9/0001", first),
        ("C8", "9/0001", second),
    ):
        session.add(
            ClaimVersion(
                claim_id=tiny.claims[key], version_no=9, frequency="1",
                source_file_id=source.id, transaction_control=control,
            )
        )  # fmt: skip
    session.add_all(
        [
            Acknowledgment(source_file_id=acks.id, kind="277CA", patient_control_number="C1",
                           claim_id=tiny.claims["C1"], status="rejected"),
            Acknowledgment(source_file_id=acks.id, kind="277CA", patient_control_number="C3",
                           claim_id=tiny.claims["C3"], status="accepted"),
            Acknowledgment(source_file_id=acks.id, kind="999", control_number="7/0002",
                           status="rejected"),
            Acknowledgment(source_file_id=acks.id, kind="999", control_number="9/0001",
                           status="rejected"),
        ]
    )  # fmt: skip
    session.commit()


def test_without_acknowledgments(session: Session, tiny: Tiny) -> None:
    report = kpi_report(session=session)["all"]
    assert report["first_pass_yield"] == D("0.333333")  # C1, C5 of 6
    assert report["front_end_rejections"] == {"acknowledgments_loaded": False, "claims": 0}
    assert report["clean_claim_rate"] is None
    assert "no claim in scope went through" in report["clean_claim_rate_note"]
    assert "no 999/277CA acknowledgment is loaded" in report["clean_claim_rate_note"]
    _scrub(session, tiny)
    report = kpi_report(session=session)["all"]
    assert report["clean_claim_rate"] == D("0.666667")  # C1, C5 of C1, C3, C5
    assert "no 999/277CA acknowledgment is loaded" in report["clean_claim_rate_note"]


def test_rejections_leave_the_first_pass(session: Session, tiny: Tiny) -> None:
    _acks(session, tiny)
    _scrub(session, tiny)
    result = front_end(session)["all"]
    assert result.rejected == 2  # C1 (277CA), C7 (999); "9/0001" is ambiguous
    # C5 only, over the 6 adjudicated + C7 rejected and not adjudicated
    assert result.first_pass_yield == Rate(D(1), D(7))
    assert result.clean_claim_rate == Rate(D(1), D(3))  # C5: C1 was rejected after all
    report = kpi_report(session=session)["all"]
    assert report["front_end_rejections"] == {"acknowledgments_loaded": True, "claims": 2}
    assert report["first_pass_yield"] == D("0.142857")
    by_payer = front_end(session, by="payer")
    assert by_payer["ALPHA HEALTH"].first_pass_yield == Rate(D(1), D(4))  # C5 of C1,C2,C5+C7
    assert by_payer["BETA CARE"].rejected == 0


def test_without_scrub_the_acknowledgments_give_the_clean_claim_rate(
    session: Session, tiny: Tiny
) -> None:
    _acks(session, tiny)
    result = front_end(session)["all"]
    # Submitted (not stubs): C1-C5, C7, C8; C1 (277CA) and C7 (999) were rejected.
    assert result.clean_claim_rate == Rate(D(5), D(7))
    assert result.clean_basis == "acknowledgments"
    report = kpi_report(session=session)["all"]
    assert report["clean_claim_rate"] == D("0.714286")
    assert "999/277CA edits only" in report["clean_claim_rate_note"]
