"""The services behind the leaders' web pages, on the hand-built claims of factories/tiny.py
(SQLite and PostgreSQL): the dashboard's streams, the Pareto's net dollars, the claims list
of a drill-down, the payer-kind filter.

Tiny (initial adjudications): C2 ALPHA clinical medical_necessity CO-50 $200 (paid $150 on
its second adjudication: net ratio 0.75); C3 BETA coding CO-4 $100; C4 BETA access CO-27
$300 + billing CO-16 $100; C8 BETA clinical documentation_insufficient CO-50 $100. Claims
adjudicated: C1, C2, C3, C4, C5, C8 (6), gross charges 100+200+300+400+50+100 = $1,150.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.claim_list import claim_list, scope_choices
from denialscope.analytics.cohort import Filters
from denialscope.analytics.dashboard import dashboard, pareto_both_bases
from denialscope.analytics.netbasis import net_basis
from denialscope.analytics.service import refresh_if_stale, scope_filters
from denialscope.errors import InputError
from denialscope.orgs.models import Payer
from denialscope.settings import Settings
from factories.tiny import Tiny

D = Decimal


def _numbers(result: object, tiny: Tiny) -> list[str]:
    names = {v: k for k, v in tiny.claims.items()}
    return [names[row.claim_id] for row in result.rows]  # type: ignore[attr-defined]


def test_dashboard_puts_the_four_streams_side_by_side(
    session: Session, tiny: Tiny, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://")
    data = dashboard(session=session, settings=settings, filters=Filters())
    streams = {s.stream: s for s in data.streams}
    assert list(streams) == ["clinical", "coding", "access", "billing"]
    clinical = streams["clinical"]
    assert clinical.denied_claims == 2  # C2, C8
    assert clinical.denial_rate_count == D("0.333333")  # 2 of 6
    assert clinical.denial_rate_charges == D("0.260870")  # (200 + 100) / 1,150
    assert clinical.denied_charges == D("300")
    assert streams["coding"].denial_rate_count == D("0.166667")  # C3: 1 of 6
    assert streams["access"].denial_rate_charges == D("0.347826")  # C4: 400 / 1,150
    assert streams["billing"].denied_charges == D("100")
    assert data.kpis is not None and data.kpis.claims_adjudicated == 6
    assert [p.period for p in data.trend] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    # a stream filter keeps that stream's column only
    coding = dashboard(session=session, settings=settings, filters=Filters(stream="coding"))
    assert [s.stream for s in coding.streams] == ["coding"]


def test_pareto_adds_the_net_dollars_of_each_cause(session: Session, tiny: Tiny) -> None:
    view = pareto_both_bases(session=session, filters=Filters(), target=D("0.7"))
    entries = {e.root_cause: e for e in view.result.entries}
    assert len(entries) == 5  # one claim each
    # C2's $200 at its allowed ratio 150 / 200
    assert view.net_of(entries["medical_necessity"]) == D("150.00")
    ratios = net_basis(session)["all"].claim_ratios
    c4 = ratios[tiny.claims["C4"]]
    assert view.net_of(entries["eligibility_terminated"]) == (D(300) * c4).quantize(D("0.01"))
    document = view.to_dict()
    assert document["entries"][0]["dollars_net"] == view.net_of(view.result.entries[0])
    assert document["vital_few"] == [e.root_cause for e in view.result.vital_few]


def test_claims_list_holds_the_matching_denials_largest_first(session: Session, tiny: Tiny) -> None:
    everything = claim_list(session=session, filters=Filters())
    assert _numbers(everything, tiny) == ["C4", "C2", "C3", "C8"]  # 400, 200, 100, 100 by id
    assert everything.total == 4
    assert everything.total_denied_charges == D("800")
    c4 = everything.rows[0]
    assert c4.carcs == ["CO-16", "CO-27"]
    assert c4.streams == ["access", "billing"]
    assert c4.payer == "BETA CARE"
    assert c4.charge == D("400")

    clinical = claim_list(
        session=session, filters=Filters(stream="clinical"), root_cause="medical_necessity"
    )
    assert _numbers(clinical, tiny) == ["C2"]
    assert clinical.rows[0].denied_net == D("150.00")

    by_carc = claim_list(session=session, filters=Filters(), carc="co-27")
    assert _numbers(by_carc, tiny) == ["C4"]
    assert by_carc.rows[0].denied_charges == D("300")  # the CO-27 adjustment only
    assert _numbers(claim_list(session=session, filters=Filters(), carc="16"), tiny) == ["C4"]

    beta = claim_list(session=session, filters=Filters(payer="beta"))
    assert _numbers(beta, tiny) == ["C4", "C3", "C8"]
    second = claim_list(session=session, filters=Filters(), limit=1, offset=1)
    assert _numbers(second, tiny) == ["C2"] and second.total == 4


def test_claims_list_shows_a_worker_only_their_streams(session: Session, tiny: Tiny) -> None:
    coder = claim_list(session=session, filters=Filters(), streams={"coding"})
    assert _numbers(coder, tiny) == ["C3"]
    assert coder.rows[0].carcs == ["CO-4"]
    billing = claim_list(session=session, filters=Filters(), streams={"billing"})
    assert _numbers(billing, tiny) == ["C4"]
    assert billing.rows[0].denied_charges == D("100")  # not the access part of C4
    assert claim_list(session=session, filters=Filters(), streams=set()).total == 0


def test_claims_list_refuses_bad_input(session: Session, tiny: Tiny) -> None:
    with pytest.raises(InputError, match="CARC"):
        claim_list(session=session, filters=Filters(), carc="C0-5!")
    with pytest.raises(InputError, match="limit"):
        claim_list(session=session, filters=Filters(), limit=0)


@pytest.mark.parametrize("use_cube", [False, True])
def test_payer_kind_filter(session: Session, tiny: Tiny, use_cube: bool) -> None:
    beta = session.scalars(select(Payer).where(Payer.payer_key == "BETA")).one()
    beta.kind = "medicaid"
    session.commit()
    if use_cube:
        refresh_if_stale(session=session)
    filters = scope_filters(payer_kind="medicaid")
    totals = kpis.cohort_totals(session, filters=filters, use_cube=use_cube)["all"]
    assert (totals["remitted"], totals["denied"]) == (D(3), D(3))  # C3, C4, C8
    assert kpis.cohort_totals(session, filters=scope_filters(payer_kind="commercial")) == {}
    with pytest.raises(InputError, match="payer kind"):
        scope_filters(payer_kind="martian")


def test_scope_choices_list_what_is_stored(session: Session, tiny: Tiny) -> None:
    choices = scope_choices(session=session)
    assert choices.payers == ["ALPHA HEALTH", "BETA CARE"]
    assert choices.departments == ["D1", "D2"]
    assert choices.service_lines == ["cardiology", "orthopedics"]
    assert "medicare" in choices.payer_kinds


def test_documentation_causes_reread_an_edited_classification_file(tmp_path: Path) -> None:
    from denialscope.analytics.service import documentation_causes

    settings = Settings.resolve(data_dir=tmp_path / "org")
    assert "medical_necessity" not in documentation_causes(settings=settings)
    path = settings.classification_file
    path.write_text(
        "root_causes:\n  medical_necessity:\n    documentation_driven: true\n", encoding="utf-8"
    )
    assert "medical_necessity" in documentation_causes(settings=settings)
    # the same file edited (other size): read again, not the kept answer
    path.write_text(
        "root_causes:\n  medical_necessity:\n    documentation_driven: false\n", encoding="utf-8"
    )
    assert "medical_necessity" not in documentation_causes(settings=settings)
