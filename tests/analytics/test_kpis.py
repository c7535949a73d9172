"""Every KPI on the eight hand-built claims of factories/tiny.py, on SQLite and PostgreSQL.

The expected figures are worked out by hand from the rows (see the comments); C6 is a stub
claim (remittance only), C7 is submitted but not adjudicated yet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.cohort import Filters
from denialscope.analytics.frontend import front_end
from denialscope.analytics.results import Rate
from denialscope.analytics.summary import kpi_report
from denialscope.errors import InputError
from factories.tiny import Tiny

D = Decimal


def test_claims_submitted_counts_837_claims_only(session: Session, tiny: Tiny) -> None:
    # C1-C5, C7, C8 (C6 is a stub)
    assert kpis.claims_submitted(session) == {"all": 7}


def test_initial_denial_rate_count_and_dollars(session: Session, tiny: Tiny) -> None:
    rates = kpis.initial_denial_rate(session)["all"]
    # denied C2, C3, C4, C8 of 6 adjudicated (C1-C5, C8); C6's duplicate (CARC 18) leaves
    # both the numerator and the denominator
    assert rates["count"] == Rate(D(4), D(6))
    # charges 200 + 300 + 400 + 100 of 100+200+300+400+50+100
    assert rates["charges"].numerator == D("1000")
    assert rates["charges"].denominator == D("1150")
    assert rates["charges"].value == D("0.869565")


def test_zero_and_partial_pay(session: Session, tiny: Tiny) -> None:
    rates = kpis.zero_and_partial_pay_rates(session)["all"]
    assert rates["zero_pay"] == Rate(D(3), D(6))  # C2, C4, C8
    assert rates["partial_pay"] == Rate(D(1), D(6))  # C3


def test_denials_by_stream(session: Session, tiny: Tiny) -> None:
    streams = kpis.denials_by_stream(session)["all"]
    assert streams == {
        "clinical": {"count": D(2), "dollars": D("300")},  # C2 200, C8 100
        "coding": {"count": D(1), "dollars": D("100")},  # C3
        "access": {"count": D(1), "dollars": D("300")},  # C4
        "billing": {"count": D(1), "dollars": D("100")},  # C4's second reason
    }


def test_adjustments_and_revenue(session: Session, tiny: Tiny) -> None:
    categories = kpis.adjustments_by_category(session)["all"]
    assert categories["contractual"] == D("65")  # C1 15 + C2 second adjudication 50
    assert categories["patient_share"] == D("5")
    # NPSR = Σ (CLP04 paid + CLP05 patient responsibility) of primary adjudications: these
    # payments carry no CLP05 (test_net_basis covers it), so 80 + 150 + 200 + 50.
    assert kpi_report(session=session)["all"]["net_patient_service_revenue"] == D("480")


def test_first_pass_yield(session: Session, tiny: Tiny) -> None:
    # C1 and C5; C6 is a duplicate, the rest were denied
    assert front_end(session)["all"].first_pass_yield == Rate(D(2), D(6))


def test_documentation_share_and_days_to_correct(session: Session, tiny: Tiny) -> None:
    share = kpis.documentation_driven_share(
        session, root_causes=frozenset({"documentation_insufficient"})
    )
    assert share == {"all": Rate(D(1), D(2))}  # C8 of C2, C8
    days = kpis.days_to_correct(session)
    assert days == {"all": {"claims": D(1), "mean_days": D("10.0")}}  # C3: Feb 15 -> Feb 25


def test_trailing_three_month_denominator(session: Session, tiny: Tiny) -> None:
    # April: 1 denial (C8) over the mean of 2, 2, 2 claims submitted in Jan, Feb, Mar
    assert kpis.initial_denial_rate_trailing(session) == {"2025-04": Rate(D(1), D("2.00"))}


def test_group_by_payer_month_and_department(session: Session, tiny: Tiny) -> None:
    by_payer = kpis.initial_denial_rate(session, by="payer")
    assert by_payer["ALPHA HEALTH"]["count"] == Rate(D(1), D(3))  # C1, C2, C5 (C6 duplicate)
    assert by_payer["BETA CARE"]["count"] == Rate(D(3), D(3))  # C3, C4, C8
    by_month = kpis.cohort_totals(session, by="month")
    assert {k: v["denied"] for k, v in by_month.items()} == {
        "2025-01": D(1),
        "2025-02": D(2),
        "2025-03": D(0),
        "2025-04": D(1),
    }
    by_quarter = kpis.claims_submitted(session, by="quarter")
    assert by_quarter == {"2025-Q1": 6, "2025-Q2": 1}
    by_department = kpis.claims_submitted(session, by="department")
    assert by_department == {"D1": 4, "D2": 3, "(none)": 0}


def test_filters(session: Session, tiny: Tiny) -> None:
    beta = kpis.initial_denial_rate(session, filters=Filters(payer="beta"))["all"]
    assert beta["count"] == Rate(D(3), D(3))
    coding = kpis.initial_denial_rate(session, filters=Filters(stream="coding"))["all"]
    assert coding["count"] == Rate(D(1), D(6))
    d2 = kpis.initial_denial_rate(session, filters=Filters(department="d2"))["all"]
    assert d2["count"] == Rate(D(2), D(3))  # C3, C4 of C3, C4, C5
    february = Filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 2, 28))
    assert kpis.claims_submitted(session, filters=february) == {"all": 2}
    cardiology = Filters(service_line="Cardiology", facility="f1")
    assert kpis.claims_submitted(session, filters=cardiology) == {"all": 4}


def test_kpi_report_has_the_documented_keys(session: Session, tiny: Tiny) -> None:
    report = kpi_report(
        session=session, documentation_causes=frozenset({"documentation_insufficient"})
    )
    kpi = report["all"]
    assert kpi["claims_submitted"] == 7
    assert kpi["initial_denial_rate"] == {"count": D("0.666667"), "charges": D("0.869565")}
    assert kpi["duplicates"] == {"claims": 1, "charges": D("60")}  # C6
    assert kpi["overturned"]["claims_full"] == 1  # C2
    assert kpi["contractual_adjustments"] == D("65")
    assert kpi["patient_responsibility"] == D("5")
    assert kpi["first_pass_yield"] == D("0.333333")
    # C2 net 150 (its later allowed), C8 100 x (80 + 50) / (100 + 50) = 86.67: 236.67 / 480
    assert kpi["clinical"]["denied_net_pct_of_npsr"] == D("0.493062")
    assert kpi["clinical"]["avg_net_at_risk"] == D("118.335")
    assert kpi["clinical"]["avg_charges_at_risk"] == D("150")  # 300 / 2
    assert kpi["clinical"]["documentation_driven_share"] == D("0.5")
    assert kpi["coding"]["denial_rate"] == D("0.166667")
    assert kpi["denied_charges"] == D("800")  # 200 + 100 + 400 + 100
    # nothing is final yet (no item, 64 days or less before the newest remit) but C2
    assert kpi["denial_write_off_net"] == D("0")
    assert kpi["denials_open_net"] == D("520.01")  # 86.67 + 346.67 + 86.67


def test_unknown_group_is_an_input_error(session: Session, tiny: Tiny) -> None:
    with pytest.raises(InputError, match="cannot group by"):
        kpis.claims_submitted(session, by="colour")


def test_clean_claim_rate_counts_the_first_scrub(session: Session, tiny: Tiny) -> None:
    from denialscope.scrub.models import ScrubClaimResult, ScrubRun

    assert front_end(session)["all"].clean_claim_rate is None  # nothing scrubbed, no acks
    first = ScrubRun(source="batch1.x12", claims=3, clean=2, flagged=1)
    second = ScrubRun(source="batch2.x12", claims=1, clean=1, flagged=0)
    session.add_all([first, second])
    session.flush()

    def result(run: ScrubRun, key: str, clean: bool) -> ScrubClaimResult:
        return ScrubClaimResult(
            run_id=run.id, claim_key=key, control_number=key, claim_id=tiny.claims[key],
            clean=clean, rejects=0 if clean else 1, warnings=0,
        )  # fmt: skip

    session.add_all([result(first, "C1", True), result(first, "C2", False)])
    session.add(result(first, "C3", True))
    session.flush()
    session.add(result(second, "C2", True))  # corrected later: the first scrub counts
    session.commit()
    assert front_end(session)["all"].clean_claim_rate == Rate(D(2), D(3))
    by_payer = front_end(session, by="payer")
    assert by_payer["ALPHA HEALTH"].clean_claim_rate == Rate(D(1), D(2))
    assert by_payer["BETA CARE"].clean_claim_rate == Rate(D(1), D(1))
    assert kpi_report(session=session)["all"]["clean_claim_rate"] == D("0.666667")
