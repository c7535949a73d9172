"""Payer kind from the claim (org table > filing indicator > name), and the windows it sets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.errors import ConfigurationError
from denialscope.orgs.models import Payer
from denialscope.orgs.payer_kinds import PayerKind, filing_indicator_kinds, resolve_payer_kind
from denialscope.orgs.service import load_org_yaml
from denialscope.workqueue.service import sync_work_items
from factories.denied import make_denied_claim
from factories.rows import work_item_for as _item

DAY = dt.date(2026, 3, 2)


# Letters, configuration and loaded tables go to a data dir of the test's own.
pytestmark = pytest.mark.usefixtures("data_dir")


@pytest.mark.parametrize(
    ("org", "codes", "name", "expected"),
    [
        ("managed_medicaid", ("MC",), "medicaid", PayerKind("managed_medicaid", "org")),
        (None, ("16",), "commercial", PayerKind("medicare_advantage", "filing_indicator")),
        (None, ("MB",), None, PayerKind("medicare", "filing_indicator")),
        (None, ("ZZ", "CI"), "medicare", PayerKind("commercial", "filing_indicator")),
        (None, ("ZZ", None), "medicaid", PayerKind("medicaid", "name")),
        (None, ("",), None, PayerKind(None, None)),
    ],
)
def test_resolution_order(
    org: str | None, codes: tuple[str | None, ...], name: str | None, expected: PayerKind
) -> None:
    assert resolve_payer_kind(org_kind=org, filing_indicators=codes, name_kind=name) == expected


def test_the_filing_indicator_table_is_data() -> None:
    table = filing_indicator_kinds()
    assert (table["MA"], table["MB"], table["MC"], table["16"]) == (
        "medicare",
        "medicare",
        "medicaid",
        "medicare_advantage",
    )
    assert (table["CI"], table["BL"], table["HM"], table["ZZ"]) == (
        "commercial",
        "commercial",
        "commercial",
        None,
    )


def test_the_claim_decides_the_kind_and_its_windows(session: Session, tmp_path: Path) -> None:
    # The payer's name looked commercial, but the claim was filed as HMO Medicare risk (16).
    advantage = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(5000), denied_on=DAY, kind="837I"
    )
    claim = session.get(Claim, advantage.claim_id)
    assert claim is not None
    claim.filing_indicator = "16"
    # The organization says this plan is managed Medicaid, whatever its claims say (MC).
    managed = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=D(5000),
        denied_on=DAY,
        payer_code="CNTY",
        payer_kind="medicaid",
        kind="837I",
    )
    other = session.get(Claim, managed.claim_id)
    assert other is not None
    other.filing_indicator = "MC"
    text = 'payers:\n  - payer_id: "CNTY"\n    kind: managed_medicaid\n'
    (tmp_path / "orgs.yaml").write_text(text)
    load_org_yaml(session, tmp_path / "orgs.yaml")
    plain = make_denied_claim(
        session, root_cause="medical_necessity", dollars=D(5000), denied_on=DAY, kind="837I"
    )
    sync_work_items(session=session, as_of=DAY)

    item = _item(session, advantage.claim_id)
    assert (item.payer_kind, item.payer_kind_source) == ("medicare_advantage", "filing_indicator")
    # Medicare Advantage reconsideration: 65 days from the denial.
    assert item.deadline == DAY + dt.timedelta(days=65)
    item = _item(session, managed.claim_id)
    assert (item.payer_kind, item.payer_kind_source) == ("managed_medicaid", "org")
    assert item.deadline == DAY + dt.timedelta(days=60)  # plan appeal: 60 days
    item = _item(session, plain.claim_id)
    assert (item.payer_kind, item.payer_kind_source) == ("commercial", "name")
    assert item.deadline == DAY + dt.timedelta(days=180)


def test_the_org_table_carries_appeal_address_and_two_midnight(
    session: Session, tmp_path: Path
) -> None:
    text = (
        "payers:\n"
        '  - payer_id: "87726"\n'
        "    kind: medicare_advantage\n"
        '    appeal_address: "Appeals, PO Box 1, Town ST 00000"\n'
        "    two_midnight: true\n"
    )
    (tmp_path / "orgs.yaml").write_text(text)
    load_org_yaml(session, tmp_path / "orgs.yaml")
    payer = session.scalar(select(Payer).where(Payer.payer_id == "87726"))
    assert payer is not None
    assert (payer.kind, payer.kind_source, payer.appeal_address, payer.two_midnight) == (
        "medicare_advantage",
        "org",
        "Appeals, PO Box 1, Town ST 00000",
        True,
    )
    (tmp_path / "bad.yaml").write_text(text.replace("two_midnight: true", "two_midnight: yes!"))
    with pytest.raises(ConfigurationError, match=r"payers\[0\]\.two_midnight: must be true"):
        load_org_yaml(session, tmp_path / "bad.yaml")
