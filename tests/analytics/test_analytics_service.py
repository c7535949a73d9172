"""The analytics services behind ``report kpis`` and ``report trends`` (and the web): the
scope is checked, the cube refreshed by the service that reads it, and the organization's
configuration comes from the Settings given, not from the environment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from denialscope.analytics.cube import cube_is_fresh
from denialscope.analytics.service import (
    documentation_causes,
    kpi_summary,
    refresh_if_stale,
    scope_filters,
    trends,
)
from denialscope.analytics.trends import TrendPoint
from denialscope.errors import InputError
from denialscope.settings import Settings
from factories.tiny import Tiny

# medical_necessity (C2's clinical denial) becomes documentation-driven for this organization.
MEDICAL_NECESSITY_DOCUMENTED = """\
root_causes:
  medical_necessity:
    documentation_driven: true
"""


def test_scope_filters_check_the_stream_and_the_dates() -> None:
    scope = scope_filters(payer="beta", stream="coding", date_from="2025-02-01")
    assert (scope.payer, scope.stream, scope.date_from, scope.date_to) == (
        "beta",
        "coding",
        dt.date(2025, 2, 1),
        None,
    )
    with pytest.raises(InputError, match="--stream 'none'"):
        scope_filters(stream="none")
    with pytest.raises(InputError, match="--to 'March' is not a date"):
        scope_filters(date_to="March")


def test_the_cube_is_refreshed_once_when_stale(session: Session, tiny: Tiny) -> None:
    assert not cube_is_fresh(session)
    assert refresh_if_stale(session=session) is True
    assert cube_is_fresh(session)
    assert refresh_if_stale(session=session) is False


def test_documentation_causes_follow_the_settings_data_directory(
    session: Session, tiny: Tiny, tmp_path: Path
) -> None:
    shipped = Settings.resolve(data_dir=tmp_path / "shipped")
    assert "documentation_insufficient" in documentation_causes(settings=shipped)
    assert "medical_necessity" not in documentation_causes(settings=shipped)
    # Of the two clinical denials (C2 medical_necessity, C8 documentation_insufficient),
    # one is documentation-driven with the shipped taxonomy ...
    report = kpi_summary(session=session, settings=shipped, filters=scope_filters())
    assert report.groups["all"].clinical.documentation_driven_share == D("0.5")
    assert report.groups["all"].claims_submitted == 7
    assert cube_is_fresh(session)  # kpi_summary brought the cube up to date
    # ... and both with an organization that counts medical necessity as documentation.
    own = Settings.resolve(data_dir=tmp_path / "own")
    own.classification_file.write_text(MEDICAL_NECESSITY_DOCUMENTED, encoding="utf-8")
    assert "medical_necessity" in documentation_causes(settings=own)
    report = kpi_summary(session=session, settings=own, filters=scope_filters())
    assert report.groups["all"].clinical.documentation_driven_share == D("1")


def test_trends_refresh_the_cube_and_hide_rates_below_the_minimum(
    session: Session, tiny: Tiny
) -> None:
    points = trends(session=session, filters=scope_filters(), by="month", min_claims=1)
    assert cube_is_fresh(session)
    assert all(isinstance(p, TrendPoint) for p in points)
    assert sum(p.claims_adjudicated for p in points) == 6
    assert all(p.initial_denial_rate is not None and p.enough_data for p in points)
    first = points[0].to_dict()
    assert list(first)[:3] == ["month", "claims_adjudicated", "initial_denials"]
    assert {"initial_denial_rate_trailing3", "clinical_denials", "data"} <= set(first)
    sparse = trends(session=session, filters=scope_filters(), by="month", min_claims=1000)
    assert all(p.initial_denial_rate is None and not p.enough_data for p in sparse)
    assert sparse[0].data.startswith("not enough data (")
    with pytest.raises(InputError, match="--min-claims 0"):
        trends(session=session, filters=scope_filters(), min_claims=0)


def test_the_kpi_report_is_typed_and_its_json_is_the_documented_one(
    session: Session, tiny: Tiny, tmp_path: Path
) -> None:
    from denialscope.analytics.summary import kpi_report

    settings = Settings.resolve(data_dir=tmp_path / "data")
    report = kpi_summary(session=session, settings=settings, filters=scope_filters())
    kpi = report.groups["all"]
    # As test_kpis.test_kpi_report_has_the_documented_keys, read from typed fields.
    assert (kpi.claims_submitted, kpi.initial_denial_rate_count) == (7, D("0.666667"))
    assert (kpi.duplicate_claims, kpi.duplicate_charges) == (1, D("60"))
    assert kpi.denials_by_stream["clinical"].charges == D("300")
    assert kpi.appeals.worked == 0 and kpi.appeals.overturn_rate_count is None
    documented = kpi_report(
        session=session,
        documentation_causes=documentation_causes(settings=settings),
    )
    assert report.to_dict() == documented["all"]
    by_payer = kpi_summary(session=session, settings=settings, filters=scope_filters(), by="payer")
    assert by_payer.to_dict()["by"] == "payer"
    assert set(by_payer.to_dict()["groups"]) == set(by_payer.groups)
