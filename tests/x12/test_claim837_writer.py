"""write_837 round trips: what the writer writes reads back as equal records, with no findings."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from denialscope.errors import InputError
from denialscope.x12.claim837 import (
    Address,
    Adjustment,
    Attachment,
    Claim,
    CodeEntry,
    Contact,
    Drug,
    Line,
    LineAdjudication,
    OtherPayer,
    Party,
    Patient,
    Submission,
    Subscriber,
    write_837,
)
from denialscope.x12.diagnostics import Diagnostic
from denialscope.x12.reader import X12Reader, open_x12

FIXTURES = Path(__file__).parent / "fixtures" / "837"
D = Decimal


def read_text(text: str) -> tuple[list[Claim], list[Diagnostic], dict[str, int]]:
    reader = X12Reader(io.BytesIO(text.encode()), name="written.edi")
    claims = [r for r in reader if isinstance(r, Claim)]
    return claims, reader.diagnostics, reader.summary.kinds


def submission() -> Submission:
    return Submission(
        reference="BATCH9",
        created=date(2024, 5, 1),
        time="0815",
        submitter=Party(
            "41",
            "2",
            "CLINIC",
            id_qualifier="46",
            identifier="S9",
            contacts=[Contact("DESK", [("TE", "5550001234"), ("EM", "x@example.org")])],
        ),
        receiver=Party("40", "2", "PAYER", id_qualifier="46", identifier="R9"),
    )


def professional_claim() -> Claim:
    billing = Party(
        "85",
        "2",
        "CLINIC",
        id_qualifier="XX",
        identifier="1999999984",
        taxonomy="207Q00000X",
        address=Address("1 MAIN ST", "FLOOR 2", "TOWN", "MA", "010000000"),
        refs=[("EI", "990000009")],
        contacts=[Contact("BILLING", [("TE", "5550009999")])],
    )
    subscriber = Subscriber(
        party=Party(
            "IL",
            "1",
            "HOLDER",
            "HANA",
            "Q",
            "JR",
            "MI",
            "MEM9",
            address=Address("2 ELM", "", "TOWN", "MA", "01000"),
            birth_date=date(1980, 1, 2),
            sex="F",
        ),
        responsibility="P",
        relationship="",
        group_number="G9",
        group_name="EMPLOYER",
        filing_indicator="CI",
    )
    return Claim(
        "PCN-9",
        D("275.50"),
        facility_code="11",
        related_causes=["AA"],
        accident_state="NY",
        delay_reason="7",
        special_program="03",
        patient_signature_source="P",
        dates={
            "431": (date(2024, 4, 1), date(2024, 4, 1)),
            "472": (date(2024, 4, 2), date(2024, 4, 3)),
        },
        refs=[("G1", "AUTH9"), ("9F", "REFERRAL9"), ("EA", "MRN9")],
        amounts=[("F5", D(25))],
        notes=[("ADD", "A NOTE")],
        k3=["K3 TEXT"],
        attachments=[Attachment("OZ", "EL", "AC", "ATT9")],
        codes=[CodeEntry("ABK", "J209"), CodeEntry("ABF", "R05"), CodeEntry("BG", "AP")],
        providers=[
            Party("DN", "1", "REFERRER", "RAY", id_qualifier="XX", identifier="1999999976"),
            Party(
                "82",
                "1",
                "RENDERER",
                "RUE",
                id_qualifier="XX",
                identifier="1999999968",
                taxonomy="207Q00000X",
                refs=[("G2", "R-82")],
            ),
            Party(
                "77",
                "2",
                "ANNEX",
                id_qualifier="XX",
                identifier="1999999950",
                address=Address("3 OAK", "", "TOWN", "MA", "01000"),
            ),
        ],
        other_payers=[
            OtherPayer(
                responsibility="S",
                relationship="01",
                group_number="G8",
                filing_indicator="MC",
                paid_amount=D("100"),
                amounts=[("EAF", D("20"))],
                adjustments=[
                    Adjustment("CO", "45", D("30"), D(1)),
                    Adjustment("CO", "253", D(2)),
                    Adjustment("PR", "2", D("15.5")),
                ],
                subscriber=Party("IL", "1", "HOLDER", "SPOUSE", id_qualifier="MI", identifier="M8"),
                payer=Party(
                    "PR",
                    "2",
                    "MEDICAID",
                    id_qualifier="PI",
                    identifier="MCD9",
                    refs=[("F8", "OTHER-9")],
                ),
                paid_date=date(2024, 4, 20),
            )
        ],
        lines=[
            Line(
                "99214",
                D("200"),
                modifiers=["25", "GT", "59", "XE"],
                description="VISIT",
                units=D(1),
                place_of_service="11",
                diagnosis_pointers=[1, 2],
                emergency="Y",
                epsdt="N",
                family_planning="N",
                service_from=date(2024, 4, 2),
                service_to=date(2024, 4, 2),
                dates={"471": (date(2024, 3, 30), date(2024, 3, 30))},
                control_number="L-1",
                refs=[("9B", "LINE-REPRICE")],
                amounts=[("T", D(5))],
                notes=[("ADD", "LINE NOTE")],
                attachments=[Attachment("09", "FX", "AC", "A2")],
                providers=[
                    Party(
                        "82",
                        "1",
                        "RENDERER",
                        "RUE",
                        id_qualifier="XX",
                        identifier="1999999968",
                        taxonomy="207Q00000X",
                    )
                ],
                adjudications=[
                    LineAdjudication(
                        "MCD9",
                        D(100),
                        "HC",
                        "99214",
                        ["25"],
                        units=D(1),
                        adjustments=[Adjustment("CO", "45", D(100))],
                        paid_date=date(2024, 4, 20),
                        amounts=[("EAF", D(0))],
                    )
                ],
            ),
            Line(
                "J3420",
                D("75.50"),
                units=D(2),
                unit_qualifier="UN",
                diagnosis_pointers=[1],
                service_from=date(2024, 4, 3),
                service_to=date(2024, 4, 3),
                drug=Drug(
                    "00013264681",
                    quantity=D("1.5"),
                    unit="ML",
                    reference_qualifier="XZ",
                    reference="RX1",
                ),
            ),
        ],
        billing_provider=billing,
        pay_to_provider=Party(
            "87", "2", "LOCKBOX", address=Address("PO BOX 9", "", "TOWN", "MA", "01000")
        ),
        subscriber=subscriber,
        payer=Party(
            "PR",
            "2",
            "ACME",
            id_qualifier="PI",
            identifier="P9",
            address=Address("PO BOX 1", "", "CITY", "CT", "06000"),
            refs=[("2U", "ALT")],
        ),
        patient=Patient(
            Party("QC", "1", "CHILD", "KIM", birth_date=date(2012, 6, 1), sex="M"), "19"
        ),
        submission=submission(),
    )


def institutional_claim() -> Claim:
    return Claim(
        "INST-9",
        D("15000"),
        kind="837I",
        facility_code="11",
        frequency="1",
        dates={
            "434": (date(2024, 3, 1), date(2024, 3, 4)),
            "435": (date(2024, 3, 1), date(2024, 3, 1)),
        },
        times={"435": "0800", "096": "1300"},
        admission_type="1",
        admission_source="7",
        patient_status="01",
        codes=[
            CodeEntry("ABK", "K3580", poa="Y"),
            CodeEntry("ABJ", "R1031"),
            CodeEntry("APR", "R1031"),
            CodeEntry("ABN", "W010XXA", poa="N"),
            CodeEntry("ABF", "E119", poa="Y"),
            CodeEntry("ABF", "I10", poa="U"),
            CodeEntry("BBR", "0DTJ4ZZ", "D8", date(2024, 3, 1), date(2024, 3, 1)),
            CodeEntry("BBQ", "0DJ08ZZ", "D8", date(2024, 3, 2), date(2024, 3, 2)),
            CodeEntry("BI", "70", "RD8", date(2024, 2, 20), date(2024, 2, 22)),
            CodeEntry("BH", "11", "D8", date(2024, 2, 28), date(2024, 2, 28)),
            CodeEntry("BE", "80", amount=D(3)),
            CodeEntry("BG", "20"),
            CodeEntry("TC", "T1"),
            CodeEntry("DR", "343"),
        ],
        providers=[
            Party(
                "71",
                "1",
                "ATTENDING",
                "AL",
                id_qualifier="XX",
                identifier="1999999927",
                taxonomy="207R00000X",
            ),
            Party("72", "1", "OPERATING", "OZ", id_qualifier="XX", identifier="1999999919"),
        ],
        lines=[
            Line(
                "",
                D(12000),
                procedure_qualifier="",
                revenue_code="0120",
                unit_qualifier="DA",
                units=D(3),
                rate=D(4000),
                service_from=date(2024, 3, 1),
                service_to=date(2024, 3, 4),
            ),
            Line(
                "0DTJ4ZZ",
                D(3000),
                revenue_code="0360",
                units=D(1),
                non_covered=D(100),
                modifiers=["XS"],
                service_from=date(2024, 3, 1),
                service_to=date(2024, 3, 1),
                control_number="L-2",
            ),
        ],
        billing_provider=Party(
            "85",
            "2",
            "HOSPITAL",
            id_qualifier="XX",
            identifier="1999999935",
            address=Address("5 WAY", "", "CITY", "WY", "82501"),
            refs=[("EI", "990000001")],
        ),
        subscriber=Subscriber(
            party=Party(
                "IL",
                "1",
                "SELF",
                "SAM",
                id_qualifier="MI",
                identifier="M7",
                birth_date=date(1950, 1, 1),
                sex="M",
            )
        ),
        payer=Party("PR", "2", "MEDICARE", id_qualifier="PI", identifier="MAC01"),
        submission=submission(),
    )


def test_professional_round_trip() -> None:
    claim = professional_claim()
    claims, diags, kinds = read_text(write_837([claim], kind="837P", sender="S9", receiver="R9"))
    assert diags == []
    assert kinds == {"837P": 1}
    assert claims == [claim]


def test_institutional_round_trip() -> None:
    claim = institutional_claim()
    claims, diags, kinds = read_text(write_837([claim], kind="837I", sender="S9", receiver="R9"))
    assert diags == []
    assert kinds == {"837I": 1}
    assert claims == [claim]
    assert claims[0].claim_type == "inpatient"


def test_corrected_claim_round_trip() -> None:
    original = professional_claim()
    corrected = original.corrected("PAYER-CLAIM-77")
    assert (original.frequency, original.original_claim_number) == ("1", None)
    claims, diags, _ = read_text(
        write_837([original, corrected], kind="837P", sender="S9", receiver="R9")
    )
    assert diags == []
    assert claims == [original, corrected]
    assert claims[1].frequency == "7"
    assert claims[1].original_claim_number == "PAYER-CLAIM-77"
    assert claims[1].control_number == original.control_number


def test_hand_built_minimal_claim_gets_defaults() -> None:
    """Only what a demo generator has: the writer fills the rest and the reader finds no fault."""
    claim = Claim(
        "MIN-1",
        codes=[CodeEntry("ABK", "R51")],
        lines=[
            Line(
                "99213",
                D(80),
                units=D(1),
                diagnosis_pointers=[1],
                service_from=date(2024, 1, 5),
                service_to=date(2024, 1, 5),
            )
        ],
        billing_provider=Party("85", name="CLINIC", id_qualifier="XX", identifier="1999999984"),
        subscriber=Subscriber(
            party=Party("IL", "1", "DOE", "JO", id_qualifier="MI", identifier="M1")
        ),
        payer=Party("PR", name="ACME", id_qualifier="PI", identifier="P1"),
    )
    text = write_837([claim], kind="837P", sender="SENDER", receiver="RECEIVER", control=42)
    claims, diags, _ = read_text(text)
    assert diags == []
    (back,) = claims
    assert back.total_charge == D(80)  # the sum of the lines
    assert (back.facility_code, back.facility_qualifier, back.frequency) == ("11", "B", "1")
    assert back.lines[0].number == 1
    assert back.submission.submitter.name == "SENDER"
    assert back.submission.reference == "000000042"


def test_many_claims_share_levels_and_stream_to_a_file(tmp_path: Path) -> None:
    base = professional_claim()
    claims_in = [base.corrected(f"P{i}", frequency="7") for i in range(5)]
    other = Claim(
        "OTHER-SUB",
        D(10),
        codes=[CodeEntry("ABK", "R51")],
        lines=[
            Line(
                "99211",
                D(10),
                units=D(1),
                diagnosis_pointers=[1],
                service_from=date(2024, 1, 1),
                service_to=date(2024, 1, 1),
            )
        ],
        billing_provider=base.billing_provider,
        pay_to_provider=base.pay_to_provider,
        payer=base.payer,
        subscriber=Subscriber(
            party=Party("IL", "1", "OTHER", "OLA", id_qualifier="MI", identifier="M2")
        ),
        submission=base.submission,
    )
    claims_in.append(other)
    path = tmp_path / "out.837"
    with path.open("w") as fh:
        assert write_837(iter(claims_in), kind="837P", sender="S", receiver="R", out=fh) == ""
    text = path.read_text()
    assert text.count("\nHL*") == 4  # one billing, one subscriber + patient, one subscriber
    with open_x12(path) as reader:
        back = [r for r in reader if isinstance(r, Claim)]
        assert reader.diagnostics == []
    assert back == claims_in


@pytest.mark.parametrize(
    "name",
    ["837p_modifiers_pointers", "837i_inpatient", "837p_nested_hl", "837_generic_outpatient"],
)
def test_fixtures_survive_a_write_read_cycle(name: str) -> None:
    with open_x12(FIXTURES / f"{name}.edi") as reader:
        claims = [r for r in reader if isinstance(r, Claim)]
    text = write_837(claims, kind=claims[0].kind, sender="S", receiver="R")
    back, diags, _ = read_text(text)
    assert diags == []
    assert back == claims


def test_kind_mismatch_is_refused() -> None:
    with pytest.raises(InputError, match="837I"):
        write_837([institutional_claim()], kind="837P", sender="S", receiver="R")
    with pytest.raises(InputError, match="837D"):
        write_837([], kind="837D", sender="S", receiver="R")


def test_old_hl_nodes_are_forgotten_without_losing_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    from denialscope.x12.claim837 import tree

    monkeypatch.setattr(tree, "MAX_NODES", 20)
    base = institutional_claim()
    claims_in = [
        replace(
            base,
            control_number=f"C{i}",
            subscriber=Subscriber(
                party=Party("IL", "1", f"P{i}", id_qualifier="MI", identifier=f"M{i}")
            ),
        )
        for i in range(60)
    ]
    back, diags, _ = read_text(write_837(claims_in, kind="837I", sender="S", receiver="R"))
    assert diags == []
    assert back == claims_in
