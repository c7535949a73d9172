"""277CA claim acknowledgments: records from synthetic fixtures, outcomes, diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from denialscope.x12.ack.records import (
    BatchAcknowledgment,
    ClaimAcknowledgment,
    ClaimStatus,
    StatusCode,
    category_outcome,
)

if TYPE_CHECKING:
    from .conftest import ReadResult


@pytest.fixture
def mixed(read_fixture: Callable[[str], ReadResult]) -> ReadResult:
    return read_fixture("ack/277ca_mixed.x12")


@pytest.fixture
def broken(read_fixture: Callable[[str], ReadResult]) -> ReadResult:
    return read_fixture("ack/277ca_broken.x12")


def test_mixed_fixture_reads_without_diagnostics(mixed: ReadResult) -> None:
    assert mixed.diagnostics == []
    assert mixed.summary.transaction == "277CA"
    assert mixed.summary.version == "005010X214"


def test_one_record_per_claim_level_with_its_parties(mixed: ReadResult) -> None:
    claims = mixed.of(ClaimAcknowledgment)
    assert [c.patient_control_number for c in claims] == ["PCN-1001", "PCN-1002", "PCN-1003"]
    first = claims[0]
    assert first.payer is not None and first.payer.id == "PAYER01"
    assert first.receiver is not None and first.receiver.id == "CH0001"
    assert first.billing_provider_npi == "1234567893"
    assert first.payer_claim_number == "PAYERCLAIM1001"
    assert first.clearinghouse_trace == "CHTRACE1001"
    assert (first.service_date, first.service_date_end) == (date(2024, 3, 1), date(2024, 3, 3))
    assert (first.received, first.processed) == (date(2024, 3, 14), date(2024, 3, 15))
    assert claims[1].bill_type == "131"


def test_claim_status_composites(mixed: ReadResult) -> None:
    claim = mixed.of(ClaimAcknowledgment)[1]
    (status,) = claim.statuses
    assert status.codes == [
        StatusCode("A7", "562", "85"),
        StatusCode("A6", "128", "IL"),
        StatusCode("A8", "509"),
    ]
    assert status.action == "U"
    assert status.charge == Decimal("500")
    assert status.effective_date == date(2024, 3, 15)
    assert claim.categories == ["A7", "A6", "A8"]


def test_service_lines_with_their_own_status_and_control_number(mixed: ReadResult) -> None:
    lines = mixed.of(ClaimAcknowledgment)[0].services
    assert [(s.procedure, s.modifiers, s.charge, s.control_number) for s in lines] == [
        ("99213", ("25",), Decimal("600"), "LINE1"),
        ("80053", (), Decimal("400"), "LINE2"),
    ]
    assert lines[0].service_date == date(2024, 3, 1)
    assert lines[1].service_date is None  # the claim's DTP does not leak into a line
    assert [s.outcome for s in lines] == ["accepted", "accepted"]


def test_accepted_and_rejected_claims_and_summary(mixed: ReadResult) -> None:
    claims = mixed.of(ClaimAcknowledgment)
    # A2 accepted; A7 rejected; A1 then A3 on the same claim: the rejection wins.
    assert [c.accepted for c in claims] == [True, False, False]
    assert [c.outcome for c in claims] == ["accepted", "rejected", "rejected"]
    s = mixed.summary
    assert (s.claims, s.accepted, s.rejected, s.service_lines) == (3, 1, 2, 2)
    assert s.total_charge == Decimal("1750")


def test_batch_levels_are_kept(mixed: ReadResult) -> None:
    receiver, provider = mixed.of(BatchAcknowledgment)
    assert receiver.level == "receiver" and provider.level == "provider"
    assert receiver.trace == "BATCH0001"
    assert receiver.outcome == "accepted"
    assert receiver.quantities == {"90": Decimal(2), "AA": Decimal(1)}
    assert provider.amounts == {"YU": Decimal(1250), "YY": Decimal(500)}
    assert provider.party is not None and provider.party.id == "1234567893"
    # Emitted in file order: a level before the claims below it.
    order = [type(r).__name__ for r in mixed.records if "Acknowledgment" in type(r).__name__]
    assert order == ["BatchAcknowledgment", "BatchAcknowledgment", *["ClaimAcknowledgment"] * 3]


def test_to_dict_is_json_ready(mixed: ReadResult) -> None:
    data = mixed.of(ClaimAcknowledgment)[0].to_dict()
    assert data["outcome"] == "accepted"
    assert data["statuses"][0]["charge"] == "1000"
    assert data["service_date"] == "2024-03-01"
    assert data["transaction"]["kind"] == "277CA"


@pytest.mark.parametrize(
    ("category", "outcome"),
    [("A1", "accepted"), ("A2", "accepted"), ("A5", "accepted"), ("A0", "accepted")]
    + [(c, "rejected") for c in ("A3", "A4", "A6", "A7", "A8", "E0", "E1", "E2", "E3", "E4")]
    + [("P1", "pending"), ("F1", "accepted"), ("ZZ", "unknown")],
)
def test_category_outcomes(category: str, outcome: str) -> None:
    assert category_outcome(category) == outcome


def _claim(*statuses: tuple[list[str], str]) -> ClaimAcknowledgment:
    claim = ClaimAcknowledgment(transaction=None, segment_index=1, patient_control_number="X")  # type: ignore[arg-type]
    for i, (categories, action) in enumerate(statuses):
        codes = [StatusCode(c, "1") for c in categories]
        claim.statuses.append(ClaimStatus(codes, None, action, None, "", i))
    return claim


def test_outcome_rules() -> None:
    assert _claim((["A1"], "WQ"), (["A7"], "U")).rejected
    assert _claim((["P1"], "")).accepted  # pending means it got in
    assert _claim(([], "U")).outcome == "rejected"  # no category: the action code decides
    assert _claim(([], "WQ")).outcome == "accepted"
    assert _claim().outcome == "unknown"
    assert not _claim().accepted and not _claim().rejected


def test_broken_fixture_diagnostics(broken: ReadResult) -> None:
    where = {(d.rule, d.segment_index) for d in broken.diagnostics}
    assert where == {
        ("ack277ca.missing_nm1", 6),  # receiver level without NM1*41
        ("ack277ca.category_code", 11),
        ("ack277ca.action_code", 11),
        ("ack277ca.missing_trn", 9),
        ("ack277ca.hl_parent", 12),
        ("ack277ca.missing_stc", 12),
        ("ack277ca.missing_nm1", 12),
        ("ack277ca.hl_level", 14),
        ("ack277ca.unexpected_segment", 16),
        ("element.date", 20),
        ("element.amount", 20),
        ("ack277ca.action_mismatch", 20),
        ("ack277ca.missing_bht", 21),
    }
    assert broken.find("ack277ca.category_code").value == "Z9"
    assert broken.find("ack277ca.hl_level").element == 3


def test_broken_fixture_still_yields_every_claim(broken: ReadResult) -> None:
    claims = broken.of(ClaimAcknowledgment)
    assert [c.patient_control_number for c in claims] == ["", "PCN-2002", "PCN-2003"]
    assert [c.outcome for c in claims] == ["unknown", "unknown", "rejected"]
    assert claims[1].payer is None  # its HL02 points nowhere
    s = broken.summary
    assert (s.claims, s.accepted, s.rejected) == (3, 0, 1)


def test_missing_information_source_level(read_x12: Callable[..., ReadResult]) -> None:
    segs = [
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              "
        "*240101*1200*^*00501*000000001*0*P*:",
        "GS*HN*A*B*20240101*1200*1*X*005010X214",
        "ST*277*0001*005010X214",
        "BHT*0085*08*X*20240101*1200*TH",
        "SE*3*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    result = read_x12("".join(s + "~" for s in segs).encode())
    assert result.rules() == ["ack277ca.missing_level"]
    assert result.summary.claims == 0


def test_no_patient_data_in_diagnostic_messages(broken: ReadResult, mixed: ReadResult) -> None:
    for d in broken.diagnostics + mixed.diagnostics:
        for secret in ("PATIENT", "MEMBER0", "PCN-"):
            assert secret not in d.message
