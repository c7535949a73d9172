"""Denial dollars on the net basis, on the hand-built claims of factories/tiny.py.

C1 gets a patient share (CLP05) of 5 so the payment-to-charge ratio is round: the claims paid
clean on their first adjudication are C1 (80 + 5 of 100) and C5 (50 of 50), so the ratio is
135 / 150 = 0.9 for every payer and quarter (BETA has no clean claim: the 837P fallback).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from denialscope.analytics.netbasis import net_basis, payment_to_charge_ratios
from denialscope.analytics.summary import kpi_report
from denialscope.remits.models import ClaimPayment
from denialscope.workqueue.models import WorkItem
from factories.tiny import Tiny

D = Decimal


def _patient_share(session: Session, tiny: Tiny) -> None:
    session.execute(
        update(ClaimPayment)
        .where(ClaimPayment.claim_id == tiny.claims["C1"])
        .values(patient_responsibility=D("5"))
    )
    session.commit()


def test_ratio_and_net_denials(session: Session, tiny: Tiny) -> None:
    _patient_share(session, tiny)
    ratios = payment_to_charge_ratios(session)
    assert ratios[()] == D("0.9")
    g = net_basis(session)["all"]
    # C2: its later payment allows 150 of 200 -> ratio 0.75, net 150, overturned in full.
    # C3 100 x 0.9 = 90, C4 400 x 0.9 = 360, C8 100 x 0.9 = 90 (estimates).
    assert g.denied_charges == D("800")
    assert g.denied_net == D("690")
    assert (g.claims_allowed_basis, g.claims_estimated) == (1, 3)
    assert g.denied_net_estimated == D("540")
    assert g.recovered_net == D("150")  # 100% of C2's denied net
    assert g.overturned_full == 1
    assert g.streams["access"] == {"charges": D("300"), "net": D("270")}
    assert g.streams["billing"] == {"charges": D("100"), "net": D("90")}
    assert g.streams["clinical"] == {"charges": D("300"), "net": D("240")}  # 150 + 90
    # NPSR: primary paid + patient share: 80 + 5 + 150 + 200 + 50 = 485
    assert g.npsr == D("485")
    assert g.written_off_net == D("0")
    assert g.open_net == D("540")


def test_write_off_once_final(session: Session, tiny: Tiny) -> None:
    _patient_share(session, tiny)
    # A year and more after C3, C4 and C8 were denied, with C3 still worked in the queue.
    c3 = session.get(ClaimPayment, _initial(session, tiny.claims["C3"]))
    assert c3 is not None
    session.add(
        WorkItem(
            claim_id=tiny.claims["C3"], denial_payment_id=c3.id, queue="coding",
            stream="coding", root_cause="modifier_missing_invalid",
            dollars_at_risk=D("100"), status="in_review",
        )
    )  # fmt: skip
    session.commit()
    g = net_basis(session, as_of=dt.date(2026, 6, 1))["all"]
    assert g.written_off_net == D("450")  # C4 360 + C8 90
    assert g.open_net == D("90")  # C3: its item is open
    report = kpi_report(session=session)["all"]
    # the report's as-of date is the newest remit (2025-04-20): nothing is past a year
    assert report["denial_write_off_net"] == D("0")
    assert report["net_patient_service_revenue"] == D("485")
    assert report["overturned"]["recovered_pct_of_denied_net"] == D("0.217391")  # 150 / 690
    item = session.query(WorkItem).one()
    item.status = "resolved"
    item.outcome = "upheld"
    session.commit()
    assert kpi_report(session=session)["all"]["denial_write_off_net"] == D("90")
    assert kpi_report(session=session)["all"]["denial_write_off_pct_of_npsr"] == D("0.185567")


def _initial(session: Session, claim_id: int) -> int:
    return int(
        session.query(ClaimPayment.id)
        .filter(ClaimPayment.claim_id == claim_id, ClaimPayment.seq == 1)
        .scalar()
    )


def test_group_by_attending_and_rendering_provider(session: Session, tiny: Tiny) -> None:
    from denialscope.analytics import kpis
    from denialscope.analytics.cube import refresh_cube
    from denialscope.analytics.results import Rate
    from denialscope.claims.models import Claim
    from denialscope.orgs.models import Provider

    house = Provider(npi="1111111112", name="HOUSE GREGORY")
    wilson = Provider(npi="2222222224", name="WILSON JAMES")
    session.add_all([house, wilson])
    session.flush()
    for key, attending, rendering in (("C1", house, wilson), ("C2", house, wilson)):
        claim = session.get(Claim, tiny.claims[key])
        assert claim is not None
        claim.attending_provider_id = attending.id
        claim.rendering_provider_id = rendering.id
    claim = session.get(Claim, tiny.claims["C3"])
    assert claim is not None
    claim.attending_provider_id = wilson.id
    refresh_cube(session)  # a fresh cube must not answer a physician grouping
    session.commit()
    by_attending = kpis.initial_denial_rate(session, by="attending")
    # HOUSE: C1 paid, C2 denied; WILSON: C3 denied; the rest have no attending
    assert by_attending["HOUSE GREGORY (1111111112)"]["count"] == Rate(D(1), D(2))
    assert by_attending["WILSON JAMES (2222222224)"]["count"] == Rate(D(1), D(1))
    assert by_attending["(none)"]["count"] == Rate(D(2), D(3))  # C4, C8 of C4, C5, C8
    report = kpi_report(session=session, by="rendering_provider")
    assert report["WILSON JAMES (2222222224)"]["initial_denials"] == 1
    assert report["WILSON JAMES (2222222224)"]["claims_adjudicated"] == 2
    assert report["(none)"]["denied_charges"] == D("600")  # C3 100 + C4 400 + C8 100


def test_an_item_past_its_deadline_is_written_off(session: Session, tiny: Tiny) -> None:
    _patient_share(session, tiny)
    c8 = _initial(session, tiny.claims["C8"])
    session.add(
        WorkItem(
            claim_id=tiny.claims["C8"], denial_payment_id=c8, queue="cdi", stream="clinical",
            root_cause="documentation_insufficient", dollars_at_risk=D("100"), status="new",
            deadline=dt.date(2025, 4, 19),  # the day before the newest remit
        )
    )  # fmt: skip
    session.commit()
    g = net_basis(session)["all"]
    assert g.written_off_net == D("90")  # C8: 100 x 0.9
    assert g.open_net == D("450")  # C3 90 + C4 360
