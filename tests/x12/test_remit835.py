"""835 parser, end to end through open_x12, on the synthetic fixtures in fixtures/835/.

Each ``<name>.835`` has ``<name>.expected.json`` beside it: the records (``to_dict()``), the
file summary and the diagnostics. After a deliberate change, rewrite them with
``DENIALSCOPE_REGENERATE=1 pytest tests/x12/test_remit835.py`` and review the diff by hand.
The focused tests below check the figures against the fixture text independently.
"""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from denialscope.x12.diagnostics import Diagnostic
from denialscope.x12.envelope import FileSummary
from denialscope.x12.reader import open_x12
from denialscope.x12.remit835 import (
    ClaimPayment,
    Procedure,
    ProviderAdjustment,
    Remittance,
)

FIXTURES = Path(__file__).parent / "fixtures" / "835"
FIXTURE_FILES = sorted(FIXTURES.glob("*.835"))
Record = Remittance | ClaimPayment | ProviderAdjustment


def read(name: str) -> tuple[list[Record], FileSummary, list[Diagnostic]]:
    with open_x12(FIXTURES / name) as reader:
        records = [
            r for r in reader if isinstance(r, Remittance | ClaimPayment | ProviderAdjustment)
        ]
        return records, reader.summary, reader.diagnostics


def claims(records: list[Record]) -> list[ClaimPayment]:
    return [r for r in records if isinstance(r, ClaimPayment)]


def rules(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.rule for d in diagnostics]


def snapshot(path: Path) -> dict[str, Any]:
    records, summary, diagnostics = read(path.name)
    return {
        "records": [{"type": type(r).__name__, **r.to_dict()} for r in records],
        "summary": {
            "claims": summary.claims,
            "service_lines": summary.service_lines,
            "adjustments": summary.adjustments,
            "provider_adjustments": summary.provider_adjustments,
            "total_charge": str(summary.total_charge),
            "total_paid": str(summary.total_paid),
            "total_payment": str(summary.total_payment),
        },
        "diagnostics": [
            {
                "severity": d.severity.value,
                "rule": d.rule,
                "segment_index": d.segment_index,
                "segment_id": d.segment_id,
                "element": d.element,
                "message": d.message,
            }
            for d in diagnostics
        ],
    }


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_fixture_matches_expected_records(path: Path) -> None:
    expected_path = path.with_suffix(".expected.json")
    actual = snapshot(path)
    if os.environ.get("DENIALSCOPE_REGENERATE"):
        expected_path.write_text(json.dumps(actual, indent=1) + "\n")
        pytest.skip("expected output rewritten; review the diff")
    expected = json.loads(expected_path.read_text())
    assert actual["summary"] == expected["summary"]
    assert actual["diagnostics"] == expected["diagnostics"]
    assert len(actual["records"]) == len(expected["records"])
    for got, want in zip(actual["records"], expected["records"], strict=True):
        assert got == want


def test_every_fixture_has_expected_output() -> None:
    assert len(FIXTURE_FILES) >= 10
    for path in FIXTURE_FILES:
        assert path.with_suffix(".expected.json").exists(), path.name


def test_header_loops() -> None:
    records, summary, diagnostics = read("header_loops.835")
    assert diagnostics == []
    first, claim, second = records
    assert isinstance(first, Remittance) and isinstance(second, Remittance)
    assert isinstance(claim, ClaimPayment) and claim.remittance is first
    assert (first.handling, first.payment_amount, first.credit_debit) == ("I", Decimal(150), "C")
    assert (first.payment_method, first.payment_format) == ("ACH", "CCP")
    assert first.payment_date == date(2024, 1, 16)
    assert (first.trace_type, first.trace_number) == ("1", "EFT0000001")
    assert (first.trace_originator, first.trace_reference) == ("1512345678", "SYNTHETIC")
    assert (first.currency, first.receiver_id, first.version_id) == ("USD", "SYNPROVIDER", "5010A1")
    assert first.production_date == date(2024, 1, 15)
    payer, payee = first.payer, first.payee
    assert payer is not None and payee is not None
    assert (payer.name, payer.id_qualifier, payer.id) == ("SYNTHETIC HEALTH PLAN", "XV", "99999")
    assert payer.address_lines == ["PO BOX 100", "SUITE 2"]
    assert (payer.city, payer.state, payer.postal_code, payer.country) == (
        "SPRINGFIELD",
        "IL",
        "62701",
        "US",
    )
    assert payer.refs == [("2U", "99999"), ("NF", "12345")]
    assert [(c.function, c.name, c.numbers) for c in payer.contacts] == [
        ("CX", "CLAIMS DESK", [("TE", "8005550100"), ("EX", "12")]),
        ("BL", "EDI SUPPORT", [("EM", "EDI@EXAMPLE.TEST")]),
        ("IC", "", [("UR", "WWW.EXAMPLE.TEST")]),
    ]
    assert (payee.id_qualifier, payee.id) == ("XX", "1234567893")
    assert payee.refs == [("TJ", "111223333"), ("PQ", "PAYEE01")]
    assert payee.delivery == ("EM", "BILLING OFFICE", "REMIT@EXAMPLE.TEST")
    # The second transaction has no claims: its header is emitted at SE.
    assert second.payment_method == "NON" and second.payment_amount == Decimal(0)
    assert second.payee is not None and second.payee.id_qualifier == "FI"
    assert summary.total_payment == Decimal(150)


def test_claim_cas_with_all_six_triplets_and_line_cas() -> None:
    records, summary, diagnostics = read("claim_cas_six.835")
    assert diagnostics == []
    (claim,) = claims(records)
    got = [(a.level, a.group, a.reason, a.amount, a.quantity) for a in claim.adjustments]
    one, two = Decimal(1), Decimal(2)
    assert got == [
        ("claim", "CO", "45", Decimal(100), one),
        ("claim", "CO", "253", Decimal(6), one),
        ("claim", "CO", "59", Decimal(14), None),
        ("claim", "CO", "94", Decimal(20), None),
        ("claim", "CO", "97", Decimal(30), None),
        ("claim", "CO", "B7", Decimal(40), two),
        ("claim", "PR", "1", Decimal(20), None),
        ("claim", "PR", "2", Decimal(30), None),
    ]
    # Pairs of one CAS share its segment index (segments 10 and 11 of the file).
    assert [a.segment_index for a in claim.adjustments] == [10] * 6 + [11] * 2
    line_adjustments = [(a.level, a.group, a.reason, a.amount) for a in claim.all_adjustments()]
    assert line_adjustments[8:] == [
        ("line", "CO", "45", Decimal(250)),
        ("line", "OA", "23", Decimal(50)),
        ("line", "CO", "151", Decimal(400)),
    ]
    assert claim.services[1].adjustments[0].quantity == Decimal(4)
    assert summary.adjustments == 11
    assert summary.service_lines == 2


def test_mia_and_moa() -> None:
    records, _, diagnostics = read("mia_moa.835")
    assert diagnostics == []
    inpatient, outpatient = claims(records)
    assert (inpatient.drg, inpatient.drg_weight, inpatient.discharge_fraction) == (
        "470",
        Decimal("1.9133"),
        Decimal(1),
    )
    mia = inpatient.inpatient
    assert mia is not None
    assert (mia.covered_days, mia.drg_amount, mia.cost_report_days) == (
        Decimal(4),
        Decimal("8000.25"),
        Decimal(3),
    )
    assert mia.amounts["MIA02"] == Decimal("125.5")
    assert mia.amounts["MIA24"] == Decimal(140)
    assert [(r.code, r.source, r.level) for r in inpatient.remarks] == [
        ("MA01", "MIA", "claim"),
        ("N20", "MIA", "claim"),
        ("N21", "MIA", "claim"),
        ("N22", "MIA", "claim"),
        ("N23", "MIA", "claim"),
    ]
    parties = [
        inpatient.patient,
        inpatient.insured,
        inpatient.corrected_patient,
        inpatient.rendering_provider,
        inpatient.crossover_carrier,
        inpatient.corrected_payer,
    ]
    assert [p.entity if p else None for p in parties] == ["QC", "IL", "74", "82", "TT", "PR"]
    assert inpatient.insured is not None and inpatient.insured.middle == "Q"
    assert inpatient.rendering_provider is not None
    assert (inpatient.rendering_provider.id_qualifier, inpatient.rendering_provider.id) == (
        "XX",
        "1245319599",
    )
    assert (inpatient.statement_start, inpatient.statement_end) == (
        date(2024, 1, 1),
        date(2024, 1, 4),
    )
    assert inpatient.received == date(2024, 1, 8)
    assert inpatient.coverage_expiration == date(2024, 12, 31)
    assert inpatient.processed == date(2024, 1, 12)
    assert inpatient.refs == [("1L", "GROUP01"), ("EA", "MRN-SYNTH")]
    assert inpatient.amounts == {"AU": Decimal(10000), "I": Decimal("12.34")}
    assert inpatient.quantities == {"CA": Decimal(4)}
    moa = outpatient.outpatient
    assert moa is not None
    assert (moa.reimbursement_rate, moa.hcpcs_payable) == (Decimal("0.85"), Decimal(125))
    assert (moa.esrd_payment, moa.nonpayable_professional) == (Decimal("15.5"), Decimal(7))
    assert [r.code for r in outpatient.remarks] == ["MA01", "MA02", "N1", "N2", "N3"]
    assert {r.source for r in outpatient.remarks} == {"MOA"}


def test_service_lines() -> None:
    records, _, diagnostics = read("service_lines.835")
    assert diagnostics == []
    (claim,) = claims(records)
    first, second, third = claim.services
    assert first.procedure == Procedure("HC", "99215", ("25", "59", "XS", "RT"), "OFFICE VISIT")
    assert first.original_procedure == Procedure("HC", "99215", ("25",))
    assert (first.charge, first.paid, first.revenue_code) == (Decimal(300), Decimal(180), "0510")
    assert (first.service_date, first.service_date_end) == (date(2024, 1, 5), date(2024, 1, 7))
    assert (first.control_number, first.allowed) == ("LINE0005", Decimal(180))
    assert first.refs == [("LU", "OFFICE"), ("APC", "0634")]
    assert first.amounts == {"KH": Decimal(5)}
    assert first.quantities == {"ZK": Decimal(1)}
    assert [(r.code, r.qualifier, r.level) for r in first.remarks] == [
        ("M15", "HE", "line"),
        ("A1", "RX", "line"),
    ]
    assert (second.units_paid, second.original_units) == (Decimal(2), Decimal(5))
    assert second.original_procedure == Procedure("HC", "J1100")
    assert (second.period_start, second.period_end) == (date(2024, 1, 5), date(2024, 1, 6))
    assert second.service_date is None and second.first_date == date(2024, 1, 5)
    assert third.procedure == Procedure("NU", "0450")
    assert third.units_paid == Decimal(1)  # SVC05 blank: the guide's default
    assert third.original_procedure is None


def test_status_codes_reversal_correction_predetermination_unknown() -> None:
    records, summary, diagnostics = read("status_codes.835")
    got = claims(records)
    assert [c.status for c in got] == ["22", "1", "25", "4", "99", "19"]
    reversal, correction = got[0], got[1]
    assert (reversal.charge, reversal.paid) == (Decimal(-500), Decimal(-400))
    assert reversal.adjustments[0].amount == Decimal(-100)
    assert correction.refs == [("F8", "PCN0000006")]
    assert got[2].paid == Decimal(0)
    assert [(d.rule, d.value, d.severity.value) for d in diagnostics] == [
        ("remit835.claim_status", "99", "warning")
    ]
    assert summary.total_paid == Decimal(30)
    assert summary.total_charge == Decimal(1060)


def test_plb_pairs() -> None:
    records, summary, diagnostics = read("plb_pairs.835")
    assert diagnostics == []  # BPR02 455.50 = 500.00 paid - 44.50 PLB
    plb = [r for r in records if isinstance(r, ProviderAdjustment)]
    assert [(p.reason, p.reference, p.amount) for p in plb] == [
        ("WO", "PCN0000001", Decimal(75)),
        ("L6", "PCN0000012", Decimal("-5.5")),
        ("FB", "PCN0000003", Decimal(-30)),
        ("72", "", Decimal(10)),
        ("CS", "", Decimal(5)),
        ("IR", "", Decimal(-10)),
    ]
    assert {(p.provider_id, p.fiscal_period_end) for p in plb} == {
        ("1234567893", date(2024, 12, 31))
    }
    assert [p.segment_index for p in plb] == [12, 12, 12, 13, 13, 13]
    assert summary.provider_adjustments == 6
    assert records[-1] is plb[-1]  # emitted after the claims


def test_multiple_lx_loops() -> None:
    records, _, diagnostics = read("multi_lx.835")
    assert diagnostics == []
    first, second = claims(records)
    assert (first.header_number, second.header_number) == ("11", "13")
    s1, s2 = first.provider_summary, second.provider_summary
    assert s1 is not None and s2 is not None
    assert (s1.facility_type, s1.claim_count, s1.total_charge) == ("11", 1, Decimal(1000))
    assert s1.fiscal_period_end == date(2024, 12, 31)
    assert s1.amounts == {"TS324": Decimal(50), "TS201": Decimal(10), "TS202": Decimal(20)}
    assert (s2.facility_type, s2.amounts) == ("13", {})


def test_4010_file() -> None:
    records, summary, diagnostics = read("v4010.835")
    assert diagnostics == []  # CLP07 is not required in 4010
    remit = records[0]
    assert isinstance(remit, Remittance)
    assert remit.transaction.version == "004010X091A1"
    assert remit.payer is not None and remit.payer.name == "SYNTHETIC HEALTH PLAN OF ILLINOIS"
    assert remit.payee is not None and remit.payee.id_qualifier == "FI"
    (claim,) = claims(records)
    assert claim.payer_claim_number == ""
    assert claim.services[0].procedure == Procedure("HC", "99213", ("25",))
    assert [r.code for r in claim.remarks] == ["MA130"]
    assert summary.adjustments == 2


def test_balancing_failures_state_both_figures() -> None:
    _, _, diagnostics = read("balancing_failures.835")
    found = {(d.rule, d.segment_index): d for d in diagnostics}
    assert set(found) == {
        ("balance.claim", 9),
        ("balance.service", 14),
        ("balance.claim", 12),
        ("balance.payment", 4),
    }
    assert all(d.severity.value == "error" for d in diagnostics)
    assert found[("balance.claim", 9)].message == (
        "Claim charge 200.00 minus paid 150.00 = 50.00 but its adjustments total 40.00 "
        "(off by 10.00)."
    )
    assert "adjustments total 30.00 (off by 10.00)" in found[("balance.service", 14)].message
    assert "claim and service-line adjustments total 190.00" in found[("balance.claim", 12)].message
    assert "260.00" in found[("balance.payment", 4)].message


def test_missing_required_segments_and_elements() -> None:
    records, summary, diagnostics = read("missing_required.835")
    got = {(d.rule, d.segment_id, d.element) for d in diagnostics}
    assert ("remit835.missing_segment", "TRN", None) in got
    assert ("remit835.missing_segment", "N1", None) in got  # no payee
    assert ("remit835.required_element", "CLP", 6) in got
    assert ("remit835.required_element", "CLP", 7) in got
    assert ("remit835.missing_segment", "NM1", None) in got  # first claim has no patient
    assert ("remit835.cas_group", "CAS", 1) in got
    assert ("remit835.cas_amount", "CAS", 3) in got
    assert ("remit835.required_element", "SVC", 3) in got
    assert ("remit835.unknown_segment", "ZZZ", None) in got
    assert ("remit835.unexpected_segment", "TS3", None) in got
    # Everything still read: both claims, the bad CAS kept with its reason.
    second = claims(records)[1]
    assert [(a.group, a.reason, a.amount) for a in second.adjustments] == [
        ("XX", "16", Decimal(60)),
        ("CO", "16", Decimal(0)),
        ("CO", "45", Decimal(40)),
    ]
    assert summary.claims == 2 and summary.service_lines == 1


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_diagnostics_never_name_the_patient(path: Path) -> None:
    _, _, diagnostics = read(path.name)
    for d in diagnostics:
        text = f"{d.message} {d.value or ''}"
        for secret in ("TESTPATIENT", "TESTINSURED", "SYNMEM", "ACCT00", "MRN-SYNTH"):
            assert secret not in text, d
