"""``claims.record``: the one stored-claim -> 837 record adapter (scrub backtest and
corrected claims): what rules read is carried, and the record writes and reads back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim, ClaimLine
from denialscope.claims.record import claim_record, providers_of, stored_claims
from denialscope.orgs.models import Provider
from denialscope.x12.claim837.records import Claim as ClaimRecord
from denialscope.x12.claim837.writer import write_837
from denialscope.x12.diagnostics import Severity
from denialscope.x12.reader import open_x12
from factories.denied import BILLING_NPI, make_denied_claim

DAY = dt.date(2026, 3, 2)
RENDERING_NPI = "1234567893"


def _claim(session: Session, kind: str) -> Claim:
    payment = make_denied_claim(
        session,
        root_cause="medical_necessity",
        dollars=Decimal(500),
        denied_on=DAY,
        kind=kind,
        diagnoses=("J209", "R05"),
    )
    claim = payment.claim
    rendering = Provider(npi=RENDERING_NPI, name="SYNTHETIC DOCTOR", taxonomy="207R00000X")
    session.add(rendering)
    session.flush()
    claim.rendering_provider_id = rendering.id
    line: ClaimLine = claim.lines[0]
    line.rendering_provider_id = rendering.id
    if kind == "837I":
        line.revenue_code = "0450"  # an institutional line is priced by revenue code
    claim.prior_auth = "AUTH123"
    claim.original_payer_claim_number = "PCN-OLD"
    session.flush()
    return claim


def _read_back(tmp_path: Path, record: ClaimRecord) -> ClaimRecord:
    path = tmp_path / "claim.837"
    text = write_837([record], kind=record.kind, sender="CLINIC01", receiver="PAYER01")
    path.write_text(text, encoding="utf-8")
    with open_x12(path) as reader:
        claims = [r for r in reader if isinstance(r, ClaimRecord)]
        errors = [d for d in reader.diagnostics if d.severity == Severity.ERROR]
    assert errors == []
    (claim,) = claims
    return claim


@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_the_record_carries_what_rules_read_and_reads_back(
    session: Session, tmp_path: Path, kind: str
) -> None:
    claim = _claim(session, kind)
    record = claim_record(claim, providers=providers_of(session=session, claim=claim))

    assert (record.control_number, record.kind, record.frequency) == (
        claim.control_number,
        kind,
        "1",
    )
    assert record.billing_provider.npi == BILLING_NPI
    assert record.rendering_provider is not None
    assert record.rendering_provider.npi == RENDERING_NPI
    assert [p.npi for p in record.lines[0].providers] == [RENDERING_NPI]
    assert ("G1", "AUTH123") in record.refs and ("F8", "PCN-OLD") in record.refs
    assert record.submission.created == claim.submitted_at
    assert [c.code for c in record.codes if c.qualifier in ("ABK", "ABF")] == ["J209", "R05"]
    service = DAY - dt.timedelta(days=30)
    if kind == "837I":
        # The statement period is institutional; lines carry no pointers or place of service.
        assert record.statement_from == record.statement_to == service
        assert record.lines[0].diagnosis_pointers == []
        assert record.lines[0].place_of_service == ""
    else:
        assert "434" not in record.dates
        assert record.lines[0].diagnosis_pointers == [1]
        assert record.lines[0].place_of_service == "11"
    back = _read_back(tmp_path, record)
    assert back.control_number == claim.control_number
    assert back.rendering_provider is not None and back.rendering_provider.npi == RENDERING_NPI
    assert back.service_from == service


def test_stored_claims_pages_every_stored_claim_in_id_order(session: Session) -> None:
    first = _claim(session, "837P")
    second = make_denied_claim(
        session, root_cause="timely_filing", dollars=Decimal(90), denied_on=DAY
    ).claim
    rows = list(stored_claims(session=session))
    assert [(i, r.control_number) for i, r in rows] == [
        (first.id, first.control_number),
        (second.id, second.control_number),
    ]
    assert [i for i, _ in stored_claims(session=session, limit=1)] == [first.id]
