"""837 parser semantics, asserted by hand on small synthetic transaction sets."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from denialscope.x12.claim837 import Claim
from denialscope.x12.diagnostics import Diagnostic
from denialscope.x12.envelope import FileSummary
from denialscope.x12.reader import X12Reader, open_x12

FIXTURES = Path(__file__).parent / "fixtures" / "837"

ISA = (
    "ISA*00*          *00*          *ZZ*S1             *ZZ*R1             "
    "*240301*1200*^*00501*000000001*0*T*:"
)
HEADER = [
    "BHT*0019*00*B1*20240301*1200*CH",
    "NM1*41*2*SUBMITTER*****46*S1",
    "PER*IC*DESK*TE*5550000000",
    "NM1*40*2*RECEIVER*****46*R1",
]
BILLING = ["HL*1**20*1", "NM1*85*2*CLINIC*****XX*1999999984", "N3*1 ST", "N4*TOWN*MA*01000"]
SUBSCRIBER = [
    "HL*2*1*22*0",
    "SBR*P*18*******CI",
    "NM1*IL*1*LAST*FIRST****MI*M1",
    "NM1*PR*2*PAYER*****PI*P1",
]


def read(
    body: list[str], guide: str = "005010X222A1"
) -> tuple[list[Claim], FileSummary, list[Diagnostic]]:
    """Wrap segments in ISA/GS/ST..SE/GE/IEA with correct counts and read them."""
    st = [f"ST*837*0001*{guide}" if guide else "ST*837*0001", *body]
    segments = [
        ISA,
        f"GS*HC*S1*R1*20240301*1200*1*X*{guide or '005010'}",
        *st,
        f"SE*{len(st) + 1}*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    reader = X12Reader(io.BytesIO(("~\n".join(segments) + "~\n").encode()), name="test.edi")
    claims = [r for r in reader if isinstance(r, Claim)]
    return claims, reader.summary, reader.diagnostics


def rules(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.rule for d in diagnostics]


def test_professional_claim_fields() -> None:
    claims, summary, diags = read(
        [
            *HEADER,
            *BILLING,
            *SUBSCRIBER,
            "CLM*A1*150***21:B:1*Y*A*Y*Y",
            "REF*G1*AUTH1",
            "HI*ABK:J209*ABF:R05",
            "LX*1",
            "SV1*HC:99223:25:57*100*UN*1*21**2:1",
            "DTP*472*D8*20240210",
            "LX*2",
            "SV1*HC:36415*50*UN*1*21**1",
            "DTP*472*RD8*20240210-20240211",
        ]
    )
    assert diags == []
    (claim,) = claims
    assert claim.control_number == "A1"
    assert claim.total_charge == Decimal("150")
    assert (claim.kind, claim.claim_type) == ("837P", "professional")
    assert (claim.facility_code, claim.facility_qualifier, claim.frequency) == ("21", "B", "1")
    assert claim.prior_authorization == "AUTH1"
    assert [ln.modifiers for ln in claim.lines] == [["25", "57"], []]
    assert claim.lines[0].diagnosis_pointers == [2, 1]
    pointed = claim.pointed_diagnosis(claim.lines[0].diagnosis_pointers[0])
    assert pointed is not None and pointed.code == "R05"
    assert claim.lines[1].service_to == date(2024, 2, 11)
    assert claim.service_from == date(2024, 2, 10) and claim.service_to == date(2024, 2, 11)
    assert claim.billing_provider.npi == "1999999984"
    assert claim.patient is None and claim.patient_party is claim.subscriber.party
    assert (summary.claims, summary.service_lines, summary.total_charge) == (1, 2, Decimal(150))


def test_claims_are_emitted_one_at_a_time() -> None:
    """A claim is emitted when the next CLM arrives, not at the end of the transaction."""
    text = "~".join(
        [
            ISA,
            "GS*HC*S1*R1*20240301*1200*1*X*005010X222A1",
            "ST*837*0001*005010X222A1",
            *HEADER,
            *BILLING,
            *SUBSCRIBER,
            "CLM*A1*10***11:B:1",
            "HI*ABK:R51",
            "LX*1",
            "SV1*HC:99211*10*UN*1***1",
            "DTP*472*D8*20240210",
            "CLM*A2*10***11:B:1",
        ]
    )
    reader = iter(X12Reader(io.BytesIO(text.encode()), name="t"))
    first_claim = next(r for r in reader if isinstance(r, Claim))
    assert first_claim.control_number == "A1"


def test_patient_level_and_subscriber_as_patient() -> None:
    claims, _, diags = read(
        [
            *HEADER,
            *BILLING,
            "HL*2*1*22*1",
            "SBR*P**GRP*****CI",
            "NM1*IL*1*HOLDER*H****MI*M1",
            "NM1*PR*2*PAYER*****PI*P1",
            "HL*3*2*23*0",
            "PAT*19",
            "NM1*QC*1*CHILD*C",
            "DMG*D8*20150101*F",
            "CLM*C1*10***11:B:1",
            "HI*ABK:R51",
            "LX*1",
            "SV1*HC:99211*10*UN*1***1",
            "DTP*472*D8*20240210",
        ]
    )
    assert diags == []
    (claim,) = claims
    assert claim.patient is not None
    assert claim.patient_relationship == "19"
    assert claim.patient_party.name == "CHILD"
    assert claim.patient_party.birth_date == date(2015, 1, 1)
    assert claim.subscriber.party.name == "HOLDER"


def test_subscriber_self_with_patient_level_is_reported() -> None:
    _, _, diags = read(
        [
            *HEADER,
            *BILLING,
            "HL*2*1*22*1",
            "SBR*P*18*******CI",
            "NM1*IL*1*HOLDER*H****MI*M1",
            "NM1*PR*2*PAYER*****PI*P1",
            "HL*3*2*23*0",
            "PAT*19",
            "NM1*QC*1*CHILD*C",
            "CLM*C1*10***11:B:1",
            "HI*ABK:R51",
            "LX*1",
            "SV1*HC:99211*10*UN*1***1",
            "DTP*472*D8*20240210",
        ]
    )
    assert rules(diags) == ["claim837.patient_relationship"]


def test_hl_parent_levels_are_checked() -> None:
    _, _, diags = read(
        [
            *HEADER,
            *BILLING,
            *SUBSCRIBER,
            "HL*3*1*23*0",  # a patient directly under a billing provider
            "PAT*19",
            "NM1*QC*1*CHILD*C",
            "HL*4*9*22*0",  # unknown parent
            "SBR*P*18*******CI",
            "NM1*IL*1*LAST*FIRST****MI*M2",
            "NM1*PR*2*PAYER*****PI*P1",
            "HL*5**24*0",  # unknown level
            "CLM*C1*10***11:B:1",
            "HI*ABK:R51",
            "LX*1",
            "SV1*HC:99211*10*UN*1***1",
            "DTP*472*D8*20240210",
        ]
    )
    # segments: ISA 1, GS 2, ST 3, header 4-7, billing 8-11, subscriber 12-15, HL*3 is 16
    assert [(d.rule, d.segment_index, d.element) for d in diags] == [
        ("claim837.hl_level", 16, 3),
        ("claim837.hl_parent", 19, 2),
        ("claim837.hl_level", 23, 3),
        ("claim837.clm_level", 24, None),
    ]


def test_generic_guide_is_decided_from_content() -> None:
    claims, summary, _ = read(
        [
            *HEADER,
            *BILLING,
            *SUBSCRIBER,
            "CLM*G1*10***11",  # no CLM05-2: the SV2 decides
            "DTP*434*D8*20240210",
            "HI*ABK:R51",
            "LX*1",
            "SV2*0450*HC:99283*10*UN*1",
        ],
        guide="",
    )
    assert summary.kinds == {"837I": 1}
    assert claims[0].kind == "837I"
    assert claims[0].claim_type == "inpatient"  # facility type 11
    assert claims[0].lines[0].revenue_code == "0450"


def test_outpatient_without_facility_type_uses_admission() -> None:
    claim = Claim("X", kind="837I", facility_code="", facility_qualifier="A")
    claim.facility_code = "X"  # not a facility type: fall back to admission date + CL1
    assert claim.claim_type == "outpatient"
    claim.dates["435"] = (date(2024, 1, 1), date(2024, 1, 1))
    claim.admission_type = "1"
    assert claim.claim_type == "inpatient"


def test_codes_grouped_by_meaning() -> None:
    with open_x12(FIXTURES / "837i_inpatient.edi") as reader:
        (claim,) = [r for r in reader if isinstance(r, Claim)]
    assert claim.principal_diagnosis is not None
    assert (claim.principal_diagnosis.code, claim.principal_diagnosis.poa) == ("K3580", "Y")
    assert [c.code for c in claim.other_diagnoses] == ["E119", "I10", "Z794"]
    assert [c.poa for c in claim.other_diagnoses] == ["Y", "U", "1"]
    assert claim.admitting_diagnosis is not None and claim.admitting_diagnosis.code == "R1031"
    assert [c.code for c in claim.external_causes] == ["W010XXA"]
    assert [c.code for c in claim.reasons_for_visit] == ["R1031"]
    assert claim.principal_procedure is not None
    assert claim.principal_procedure.date == date(2024, 3, 1)
    assert [c.code for c in claim.procedures] == ["0DTJ4ZZ", "0DJ08ZZ", "3E0436Z"]
    assert claim.drg == "343"
    span = claim.occurrence_spans[0]
    assert (span.code, span.date, span.end_date) == ("70", date(2024, 2, 25), date(2024, 2, 28))
    assert [c.amount for c in claim.value_codes] == [Decimal(4), Decimal("125.5")]
    assert [c.code for c in claim.condition_codes] == ["20", "39"]
    assert [c.code for c in claim.treatment_codes] == ["T1"]
    assert claim.admission_date == date(2024, 3, 1) and claim.times["435"] == "0815"
    assert claim.times["096"] == "1430" and claim.discharge_date is None
    assert (claim.statement_from, claim.statement_to) == (date(2024, 3, 1), date(2024, 3, 5))
    assert (claim.admission_type, claim.admission_source, claim.patient_status) == ("1", "7", "01")
    assert claim.attending_provider is not None
    assert claim.attending_provider.taxonomy == "207R00000X"
    assert claim.operating_provider is not None and claim.operating_provider.npi == "1999999919"
    assert claim.claim_type == "inpatient"


def test_4010_qualifiers_and_prior_payment() -> None:
    with open_x12(FIXTURES / "837i_4010.edi") as reader:
        (claim,) = [r for r in reader if isinstance(r, Claim)]
        assert reader.diagnostics == []
    assert claim.principal_diagnosis is not None and claim.principal_diagnosis.code == "486"
    assert [c.code for c in claim.reasons_for_visit] == ["7865"]  # 4010 ZZ
    (other,) = claim.other_payers
    assert other.paid_amount == Decimal(5000)  # AMT C4
    assert [(a.group, a.reason, a.amount) for a in other.adjustments] == [
        ("CO", "45", Decimal(1200)),
        ("PR", "1", Decimal(1068)),
    ]
    assert other.payer_id == "MCR01"


def test_hi_qualifier_not_for_kind() -> None:
    _, _, diags = read(
        [
            *HEADER,
            *BILLING,
            *SUBSCRIBER,
            "CLM*Q1*10***11:B:1",
            "HI*ABK:R51*DR:343",
            "LX*1",
            "SV1*HC:99211*10*UN*1***1",
            "DTP*472*D8*20240210",
        ]
    )
    (d,) = diags
    assert (d.rule, d.element, d.value) == ("claim837.hi_qualifier", 2, "DR")


def test_messages_do_not_name_the_patient() -> None:
    with open_x12(FIXTURES / "837p_missing_required.edi") as reader:
        list(reader)
        messages = " ".join(d.message for d in reader.diagnostics)
    for identifier in ("MISSINGPAYER", "ORPHAN", "MEM0800", "MEM0900", "BAD-1"):
        assert identifier not in messages


def test_a_repeated_lx_number_becomes_the_next_free_line_with_an_error() -> None:
    # Found by the fuzz test: two lines under LX*1 overwrote each other when stored.
    line = ["SV1*HC:99213*100*UN*1***1", "DTP*472*D8*20240301"]
    claim = ["CLM*LX-1*200***11:B:1*Y*A*Y*Y", "HI*ABK:J069"]
    body = [*HEADER, *BILLING, *SUBSCRIBER, *claim, "LX*1", *line, "LX*1", *line]
    claims, _, diagnostics = read(body)
    assert [ln.number for ln in claims[0].lines] == [1, 2]
    assert rules(diagnostics) == ["claim837.lx_duplicate"]
    assert diagnostics[0].segment_index == 3 + len(body) - 2  # ISA, GS, ST, then the body
