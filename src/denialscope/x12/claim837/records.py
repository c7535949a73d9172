"""Records of an 837 claim: what an analyst and an appeal writer need, one `Claim` per CLM.

Everything has a default so a claim can be built by hand (corrected claims, demo data)::

    Claim(
        "PCN123",
        Decimal("150"),
        billing_provider=Party("85", name="CLINIC", id_qualifier="XX", identifier="1234567893"),
        subscriber=Subscriber(party=Party("IL", "1", name="DOE", first_name="JO", ...)),
        payer=Party("PR", name="ACME HEALTH", id_qualifier="PI", identifier="12345"),
        codes=[CodeEntry("ABK", "J209")],
        lines=[Line("99213", Decimal("150"), diagnosis_pointers=[1])],
    )

Parties shared by several claims (submitter, billing provider, subscriber) are the same
objects on each claim: treat records as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from denialscope.x12.claim837.codes import DIAGNOSIS, HI_CATEGORY, INPATIENT_FACILITY_TYPES
from denialscope.x12.claim837.parties import (
    Address,
    Contact,
    Party,
    Patient,
    Submission,
    Subscriber,
)
from denialscope.x12.envelope import TransactionSet

__all__ = [
    "Address",
    "Adjustment",
    "Attachment",
    "Claim",
    "CodeEntry",
    "Contact",
    "DateRange",
    "Drug",
    "Line",
    "LineAdjudication",
    "OtherPayer",
    "Party",
    "Patient",
    "Submission",
    "Subscriber",
    "to_plain",
]

DateRange = tuple[date | None, date | None]  # (start, end); a single date is (d, d)
_Date = date  # CodeEntry has a field named ``date``


def to_plain(value: Any) -> Any:
    """JSON-ready copy of a record: dates ISO, amounts as strings, no envelope back-links."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in fields(value) if f.compare}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def _ref(refs: list[tuple[str, str]], qualifier: str) -> str | None:
    for q, value in refs:
        if q == qualifier:
            return value
    return None


@dataclass(slots=True)
class CodeEntry:
    """One HI composite. ``date``/``end_date`` carry D8 dates and RD8 ranges."""

    qualifier: str  # HIxx-1
    code: str  # HIxx-2
    date_qualifier: str = ""  # HIxx-3: D8 or RD8
    date: _Date | None = None  # HIxx-4 (start of an RD8 range)
    end_date: _Date | None = None  # end of an RD8 range; equals ``date`` for D8
    amount: Decimal | None = None  # HIxx-5 (value codes)
    poa: str = ""  # HIxx-9 present on admission: Y, N, U, W, 1

    @property
    def category(self) -> str:
        """diagnosis.principal, diagnosis.other, procedure.principal, drg, value ... or ''."""
        return HI_CATEGORY.get(self.qualifier, "")


@dataclass(slots=True)
class Attachment:
    """PWK: paperwork sent apart from the claim."""

    report_type: str  # PWK01: 09 progress report, OZ support data, B4 referral ...
    transmission: str = "FX"  # PWK02: AA available on request, BM mail, EL electronic, FX fax
    control_qualifier: str = "AC"  # PWK05
    control_number: str = ""  # PWK06 attachment control number


@dataclass(slots=True)
class Adjustment:
    """One reason/amount pair of a CAS in a COB loop."""

    group: str  # CO, PR, OA, PI, CR
    reason: str  # CARC number
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(slots=True)
class OtherPayer:
    """2320/2330: another payer on the claim and what it paid (coordination of benefits)."""

    responsibility: str = "P"  # SBR01 of the other payer
    relationship: str = "18"  # SBR02: the patient's relationship to the other subscriber
    group_number: str = ""
    group_name: str = ""
    insurance_type: str = ""
    filing_indicator: str = ""  # SBR09
    paid_amount: Decimal | None = None  # AMT D payer paid (4010: AMT C4 prior payment)
    amounts: list[tuple[str, Decimal]] = field(default_factory=list)  # other AMT (A8, EAF ...)
    adjustments: list[Adjustment] = field(default_factory=list)
    benefits_assignment: str = "Y"  # OI03
    release_of_information: str = "Y"  # OI06
    subscriber: Party | None = None  # 2330A NM1*IL
    payer: Party | None = None  # 2330B NM1*PR
    paid_date: date | None = None  # 2330B DTP 573 adjudication or payment date

    @property
    def payer_id(self) -> str | None:
        return (self.payer.identifier or None) if self.payer else None

    @property
    def payer_name(self) -> str | None:
        return (self.payer.name or None) if self.payer else None


@dataclass(slots=True)
class Drug:
    """2410 LIN/CTP/REF: the drug given on a line."""

    ndc: str  # LIN03
    qualifier: str = "N4"  # LIN02
    quantity: Decimal | None = None  # CTP04
    unit: str = ""  # CTP05-1: F2 international unit, GR gram, ME milligram, ML, UN unit
    reference_qualifier: str = ""  # REF XZ prescription number, VY link sequence
    reference: str = ""


@dataclass(slots=True)
class LineAdjudication:
    """2430 SVD/CAS/DTP/AMT: how another payer adjudicated this line."""

    payer_id: str  # SVD01, matches an other payer's NM109
    paid: Decimal | None = None  # SVD02
    procedure_qualifier: str = ""
    procedure: str = ""
    modifiers: list[str] = field(default_factory=list)
    revenue_code: str = ""  # SVD04
    units: Decimal | None = None  # SVD05
    bundled_line: str = ""  # SVD06
    adjustments: list[Adjustment] = field(default_factory=list)
    paid_date: date | None = None  # DTP 573
    amounts: list[tuple[str, Decimal]] = field(default_factory=list)  # AMT EAF


@dataclass(slots=True)
class Line:
    """2400: one service line, from SV1 (837P), SV2 (837I) or SV3 (837D)."""

    procedure: str = ""  # SV101-2 / SV202-2; may be empty on an 837I room-and-board line
    charge: Decimal | None = None  # SV102 / SV203
    procedure_qualifier: str = "HC"  # HC HCPCS/CPT, ER jurisdiction, IV HIEC, WK ABC ...
    modifiers: list[str] = field(default_factory=list)  # up to 4
    description: str = ""  # SV101-7 / SV202-7
    unit_qualifier: str = "UN"  # UN unit, MJ minutes (anesthesia), DA days (4010 837I)
    units: Decimal | None = None
    place_of_service: str = ""  # SV105
    diagnosis_pointers: list[int] = field(default_factory=list)  # SV107, 1-based into HI
    emergency: str = ""  # SV109 Y
    epsdt: str = ""  # SV111 Y
    family_planning: str = ""  # SV112 Y
    revenue_code: str = ""  # SV201
    rate: Decimal | None = None  # SV206 per-day rate
    non_covered: Decimal | None = None  # SV207
    number: int = 0  # LX01
    service_from: date | None = None  # DTP 472
    service_to: date | None = None
    dates: dict[str, DateRange] = field(default_factory=dict)  # other line DTP qualifiers
    control_number: str = ""  # REF 6R line item control number
    refs: list[tuple[str, str]] = field(default_factory=list)  # other line REFs
    amounts: list[tuple[str, Decimal]] = field(default_factory=list)  # AMT
    notes: list[tuple[str, str]] = field(default_factory=list)  # NTE (code, text)
    attachments: list[Attachment] = field(default_factory=list)
    providers: list[Party] = field(default_factory=list)  # 2420 rendering, referring ...
    drug: Drug | None = None
    adjudications: list[LineAdjudication] = field(default_factory=list)  # 2430

    @property
    def rendering_provider(self) -> Party | None:
        return _provider(self.providers, ("82",))


def _provider(providers: list[Party], codes: tuple[str, ...]) -> Party | None:
    for p in providers:
        if p.entity_code in codes:
            return p
    return None


@dataclass(slots=True)
class Claim:
    """2300 CLM with everything around it: submission, billing provider, subscriber, lines.

    ``claim_type`` is decided from content, see its docstring.
    """

    control_number: str  # CLM01 patient control number: our claim id
    total_charge: Decimal | None = None  # CLM02; the writer fills Σ line charges when None
    kind: str = "837P"  # 837P / 837I / 837D, or "837" when nothing told
    facility_code: str = ""  # CLM05-1: place of service (837P) / facility type (837I)
    facility_qualifier: str = ""  # CLM05-2: B place of service, A facility type
    frequency: str = "1"  # CLM05-3: 1 original, 7 replacement, 8 void
    provider_signature: str = "Y"  # CLM06
    assignment: str = "A"  # CLM07 provider accepts assignment (837P)
    benefits_assignment: str = "Y"  # CLM08
    release_of_information: str = "Y"  # CLM09
    patient_signature_source: str = ""  # CLM10
    related_causes: list[str] = field(default_factory=list)  # CLM11-1..3: AA auto, EM, OA
    accident_state: str = ""  # CLM11-4
    accident_country: str = ""  # CLM11-5
    special_program: str = ""  # CLM12
    delay_reason: str = ""  # CLM20
    dates: dict[str, DateRange] = field(default_factory=dict)  # DTP qualifier -> (start, end)
    times: dict[str, str] = field(default_factory=dict)  # DTP DT/TM qualifier -> HHMM
    admission_type: str = ""  # CL101 (837I)
    admission_source: str = ""  # CL102
    patient_status: str = ""  # CL103 discharge status
    refs: list[tuple[str, str]] = field(default_factory=list)  # claim REF (qualifier, value)
    amounts: list[tuple[str, Decimal]] = field(default_factory=list)  # AMT F5 patient paid ...
    notes: list[tuple[str, str]] = field(default_factory=list)  # NTE (code, text)
    k3: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    codes: list[CodeEntry] = field(default_factory=list)  # every HI composite, in order
    providers: list[Party] = field(default_factory=list)  # 2310 attending, rendering ...
    other_payers: list[OtherPayer] = field(default_factory=list)  # 2320
    lines: list[Line] = field(default_factory=list)
    billing_provider: Party = field(default_factory=lambda: Party("85"))
    pay_to_provider: Party | None = None  # NM1*87
    pay_to_plan: Party | None = None  # NM1*PE
    subscriber: Subscriber = field(default_factory=Subscriber)
    payer: Party = field(default_factory=lambda: Party("PR", id_qualifier="PI"))
    patient: Patient | None = None  # None: the patient is the subscriber (SBR02 = 18)
    submission: Submission = field(default_factory=Submission)
    transaction: TransactionSet | None = field(default=None, compare=False, repr=False)
    segment_index: int = field(default=0, compare=False)  # of the CLM in its file
    offset: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        # Hand-built claims get the qualifier and code their kind implies: office (11) for a
        # professional claim, hospital outpatient (13) for an institutional one.
        if not self.facility_qualifier:
            self.facility_qualifier = "A" if self.kind == "837I" else "B"
        if not self.facility_code:
            self.facility_code = "13" if self.kind == "837I" else "11"
        for number, line in enumerate(self.lines, 1):
            if not line.number:
                line.number = number

    # --- claim type -------------------------------------------------------------------

    @property
    def claim_type(self) -> str | None:
        """professional (837P), dental (837D), inpatient or outpatient (837I), None if unknown.

        An 837I is inpatient when its facility type (CLM05-1) is a hospital, swing-bed,
        skilled-nursing or religious non-medical inpatient type (11, 12, 18, 21, 22, 41).
        When CLM05-1 is not a two-digit facility type, an admission date (DTP 435) together
        with a CL1 admission type marks an inpatient stay. Everything else is outpatient.
        """
        if self.kind == "837P":
            return "professional"
        if self.kind == "837D":
            return "dental"
        if self.kind != "837I":
            return None
        code = self.facility_code
        if len(code) == 2 and code.isdigit():
            return "inpatient" if code in INPATIENT_FACILITY_TYPES else "outpatient"
        if "435" in self.dates and self.admission_type:
            return "inpatient"
        return "outpatient"

    @property
    def bill_type(self) -> str:
        """Facility type + frequency, e.g. "111" on an 837I (837P: place of service + frequency)."""
        return self.facility_code + self.frequency

    # --- references and amounts -------------------------------------------------------

    def ref(self, qualifier: str) -> str | None:
        return _ref(self.refs, qualifier)

    def amount(self, qualifier: str) -> Decimal | None:
        for q, value in self.amounts:
            if q == qualifier:
                return value
        return None

    @property
    def prior_authorization(self) -> str | None:
        return _ref(self.refs, "G1")

    @property
    def referral_number(self) -> str | None:
        return _ref(self.refs, "9F")

    @property
    def original_claim_number(self) -> str | None:
        """REF F8: the payer's claim number of the claim this one replaces or voids."""
        return _ref(self.refs, "F8")

    @property
    def medical_record_number(self) -> str | None:
        return _ref(self.refs, "EA")

    @property
    def patient_paid(self) -> Decimal | None:
        return self.amount("F5")

    # --- dates --------------------------------------------------------------------------

    def _date(self, qualifier: str, end: bool = False) -> date | None:
        pair = self.dates.get(qualifier)
        return None if pair is None else pair[1 if end else 0]

    @property
    def statement_from(self) -> date | None:
        return self._date("434")

    @property
    def statement_to(self) -> date | None:
        return self._date("434", end=True)

    @property
    def admission_date(self) -> date | None:
        return self._date("435")

    @property
    def discharge_date(self) -> date | None:
        return self._date("096")

    @property
    def service_from(self) -> date | None:
        """Earliest service date: claim DTP 472, else line 472 dates, else the statement."""
        found = self._date("472")
        if found is None:
            starts = [ln.service_from for ln in self.lines if ln.service_from]
            found = min(starts) if starts else self.statement_from
        return found

    @property
    def service_to(self) -> date | None:
        found = self._date("472", end=True)
        if found is None:
            ends = [ln.service_to for ln in self.lines if ln.service_to]
            found = max(ends) if ends else self.statement_to
        return found

    # --- HI codes grouped by meaning --------------------------------------------------

    def _codes(self, category: str) -> list[CodeEntry]:
        return [c for c in self.codes if HI_CATEGORY.get(c.qualifier) == category]

    @property
    def diagnoses(self) -> list[CodeEntry]:
        """Every diagnosis (principal, other, admitting, external cause, reason for visit)."""
        return [c for c in self.codes if c.qualifier in DIAGNOSIS]

    @property
    def principal_diagnosis(self) -> CodeEntry | None:
        found = self._codes("diagnosis.principal")
        return found[0] if found else None

    @property
    def other_diagnoses(self) -> list[CodeEntry]:
        return self._codes("diagnosis.other")

    @property
    def admitting_diagnosis(self) -> CodeEntry | None:
        found = self._codes("diagnosis.admitting")
        return found[0] if found else None

    @property
    def external_causes(self) -> list[CodeEntry]:
        return self._codes("diagnosis.external_cause")

    @property
    def reasons_for_visit(self) -> list[CodeEntry]:
        return self._codes("diagnosis.reason_for_visit")

    @property
    def procedures(self) -> list[CodeEntry]:
        """Principal procedure first (as sent), then the others."""
        return [c for c in self.codes if HI_CATEGORY.get(c.qualifier, "").startswith("proc")]

    @property
    def principal_procedure(self) -> CodeEntry | None:
        found = self._codes("procedure.principal")
        return found[0] if found else None

    @property
    def drg(self) -> str | None:
        found = self._codes("drg")
        return found[0].code if found else None

    @property
    def occurrence_codes(self) -> list[CodeEntry]:
        return self._codes("occurrence")

    @property
    def occurrence_spans(self) -> list[CodeEntry]:
        return self._codes("occurrence_span")

    @property
    def value_codes(self) -> list[CodeEntry]:
        return self._codes("value")

    @property
    def condition_codes(self) -> list[CodeEntry]:
        return self._codes("condition")

    @property
    def treatment_codes(self) -> list[CodeEntry]:
        return self._codes("treatment")

    def pointed_diagnosis(self, pointer: int) -> CodeEntry | None:
        """The diagnosis an SV107 pointer (1-based) designates, or None."""
        if pointer < 1:
            return None
        seen = 0
        for c in self.codes:
            if c.qualifier in ("ABK", "BK", "ABF", "BF"):
                seen += 1
                if seen == pointer:
                    return c
        return None

    # --- people and providers ----------------------------------------------------------

    @property
    def patient_party(self) -> Party:
        """The patient: the 2000C person, or the subscriber when they are the same."""
        return self.patient.party if self.patient is not None else self.subscriber.party

    @property
    def patient_relationship(self) -> str:
        return self.patient.relationship if self.patient is not None else "18"

    def provider(self, *codes: str) -> Party | None:
        """The first claim-level provider with one of these NM101 codes."""
        return _provider(self.providers, codes)

    @property
    def attending_provider(self) -> Party | None:
        return _provider(self.providers, ("71",))

    @property
    def operating_provider(self) -> Party | None:
        return _provider(self.providers, ("72",))

    @property
    def rendering_provider(self) -> Party | None:
        """Claim-level rendering (82); the billing provider renders when there is none."""
        return _provider(self.providers, ("82",))

    @property
    def referring_provider(self) -> Party | None:
        return _provider(self.providers, ("DN", "P3"))

    @property
    def service_facility(self) -> Party | None:
        return _provider(self.providers, ("77", "FA"))

    @property
    def supervising_provider(self) -> Party | None:
        return _provider(self.providers, ("DQ",))

    def to_dict(self) -> dict[str, Any]:
        """The claim as JSON-ready data (see :func:`to_plain`), with its claim type."""
        data: dict[str, Any] = to_plain(self)
        data["claim_type"] = self.claim_type
        return data

    # --- corrected claims ---------------------------------------------------------------

    def corrected(self, payer_claim_number: str, *, frequency: str = "7") -> Claim:
        """A replacement (7) or void (8) of this claim referring to the payer's claim number."""
        refs = [(q, v) for q, v in self.refs if q != "F8"]
        refs.append(("F8", payer_claim_number))
        return replace(self, frequency=frequency, refs=refs)
