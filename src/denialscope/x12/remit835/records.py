"""Records the 835 parser emits: a remittance header, one record per claim, PLB adjustments.

Money is :class:`~decimal.Decimal`, dates are :class:`~datetime.date`, codes stay the strings
the payer sent (an unknown code is kept, never replaced). ``to_dict()`` gives a JSON-ready
view (Decimal and date as strings) used by tests, the CLI and the API.

A :class:`ClaimPayment` points at its :class:`Remittance` (payer, trace number, payment date)
so a consumer that streams claims never has to remember the header itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from denialscope.x12.envelope import TransactionSet

__all__ = [
    "Adjustment",
    "ClaimPayment",
    "Contact",
    "InpatientAdjudication",
    "Organization",
    "OutpatientAdjudication",
    "Party",
    "Procedure",
    "ProviderAdjustment",
    "ProviderSummary",
    "RemarkCode",
    "Remittance",
    "ServicePayment",
    "to_plain",
]

Level = Literal["claim", "line"]
RemarkSource = Literal["MIA", "MOA", "LQ"]


def to_plain(value: Any, *, skip: frozenset[str] = frozenset()) -> Any:
    """JSON-ready copy: dataclasses to dicts, Decimal to str, date to ISO text, tuples to lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name)) for f in fields(value) if f.name not in skip
        }
    return value


@dataclass(slots=True)
class Contact:
    """PER: who to call at the payer (or about one claim)."""

    function: str  # PER01: CX claims, BL technical, IC website
    name: str
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (TE|EM|FX|UR|EX, number)


@dataclass(slots=True)
class Organization:
    """The payer (N1*PR) or payee (N1*PE) loop of the 835 header."""

    entity: str  # N101: PR or PE
    name: str
    id_qualifier: str  # N103: XV, XX (NPI), FI (tax id), PI, PC ...
    id: str
    address_lines: list[str] = field(default_factory=list)  # N301, N302
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    refs: list[tuple[str, str]] = field(default_factory=list)  # REF 2U/EO/HI/NF, TJ/PQ/...
    contacts: list[Contact] = field(default_factory=list)  # PER (payer only)
    delivery: tuple[str, str, str] | None = None  # RDM01 method, RDM02 name, RDM03 number


@dataclass(slots=True)
class Remittance:
    """The header of one 835 transaction set: the payment and who sent it to whom."""

    transaction: TransactionSet
    segment_index: int  # of the BPR (or of the first header segment if BPR is missing)
    handling: str = ""  # BPR01: C payment with advice, H advice only, I remittance ...
    payment_amount: Decimal | None = None  # BPR02
    credit_debit: str = ""  # BPR03: C or D
    payment_method: str = ""  # BPR04: ACH, CHK, NON, BOP, FWT
    payment_format: str = ""  # BPR05: CCP, CTX
    payment_date: date | None = None  # BPR16
    trace_type: str = ""  # TRN01
    trace_number: str = ""  # TRN02: check or EFT trace number
    trace_originator: str = ""  # TRN03
    trace_reference: str = ""  # TRN04
    currency: str = ""  # CUR02
    receiver_id: str = ""  # REF*EV
    version_id: str = ""  # REF*F2
    production_date: date | None = None  # DTM*405
    other_refs: list[tuple[str, str]] = field(default_factory=list)
    other_dates: dict[str, date] = field(default_factory=dict)
    payer: Organization | None = None
    payee: Organization | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_plain(self, skip=frozenset({"transaction"}))
        t = self.transaction
        data["transaction"] = {
            "kind": t.kind,
            "version": t.version,
            "control": t.control,
            "segment_index": t.segment_index,
        }
        return data


@dataclass(slots=True)
class ProviderSummary:
    """TS3 (and TS2 amounts) of an LX header-number loop."""

    provider_id: str  # TS301
    facility_type: str  # TS302
    fiscal_period_end: date | None  # TS303
    claim_count: int | None  # TS304
    total_charge: Decimal | None  # TS305
    amounts: dict[str, Decimal] = field(default_factory=dict)  # "TS313": ..., "TS201": ...


@dataclass(slots=True)
class Adjustment:
    """One reason/amount pair of a CAS segment."""

    level: Level
    group: str  # CO, CR, OA, PI, PR (kept as sent when invalid)
    reason: str  # CARC number
    amount: Decimal  # positive reduces payment; an unreadable amount is 0 plus a diagnostic
    quantity: Decimal | None
    segment_index: int  # of the CAS segment: several pairs share one


@dataclass(slots=True)
class RemarkCode:
    """A remark (RARC) from MIA, MOA or LQ. ``qualifier`` is LQ01 (HE, RX); None for MIA/MOA."""

    code: str
    source: RemarkSource
    level: Level
    qualifier: str | None = None


@dataclass(slots=True)
class Party:
    """An NM1 of the claim loop (patient, insured, corrected patient, rendering provider...)."""

    entity: str  # NM101: QC, IL, 74, 82, TT, PR, GB
    last_or_org: str
    first: str
    middle: str
    id_qualifier: str
    id: str


@dataclass(slots=True)
class InpatientAdjudication:
    """MIA. Amounts the guide names are kept by element ("MIA06": Decimal) in ``amounts``."""

    covered_days: Decimal | None  # MIA01
    lifetime_psychiatric_days: Decimal | None  # MIA03
    drg_amount: Decimal | None  # MIA04
    cost_report_days: Decimal | None  # MIA15
    amounts: dict[str, Decimal] = field(default_factory=dict)


@dataclass(slots=True)
class OutpatientAdjudication:
    """MOA."""

    reimbursement_rate: Decimal | None  # MOA01, a fraction (0.8 = 80%)
    hcpcs_payable: Decimal | None  # MOA02
    esrd_payment: Decimal | None  # MOA08
    nonpayable_professional: Decimal | None  # MOA09


@dataclass(slots=True)
class Procedure:
    """A procedure composite (SVC01 or SVC06): qualifier:code:modifiers...:description."""

    qualifier: str  # HC (CPT/HCPCS), AD (dental), NU (revenue code), N4 (NDC), ER, HP, IV, WK
    code: str
    modifiers: tuple[str, ...] = ()
    description: str = ""


@dataclass(slots=True)
class ServicePayment:
    """One SVC loop."""

    procedure: Procedure
    charge: Decimal | None  # SVC02
    paid: Decimal | None  # SVC03
    revenue_code: str  # SVC04 (NUBC number only)
    units_paid: Decimal | None  # SVC05; 1 when blank, as the guide says
    original_procedure: Procedure | None  # SVC06 when the payer paid another code
    original_units: Decimal | None  # SVC07
    segment_index: int
    service_date: date | None = None  # DTM*472 (start of an RD8 range)
    service_date_end: date | None = None  # DTM*472 RD8 end; same as start for one day
    period_start: date | None = None  # DTM*150
    period_end: date | None = None  # DTM*151
    control_number: str = ""  # REF*6R line item control number (837 REF*6R)
    allowed: Decimal | None = None  # AMT*B6
    adjustments: list[Adjustment] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)  # other line REFs
    amounts: dict[str, Decimal] = field(default_factory=dict)  # other line AMTs (KH, T, ZK..)
    quantities: dict[str, Decimal] = field(default_factory=dict)
    remarks: list[RemarkCode] = field(default_factory=list)

    @property
    def first_date(self) -> date | None:
        """The date of service however the payer sent it (472 or 150)."""
        return self.service_date or self.period_start


@dataclass(slots=True)
class ClaimPayment:
    """One CLP loop with its service lines."""

    remittance: Remittance
    header_number: str | None  # LX01
    provider_summary: ProviderSummary | None  # TS3/TS2 of the LX loop
    segment_index: int  # of the CLP
    patient_control_number: str  # CLP01 = 837 CLM01
    status: str  # CLP02, kept as sent
    charge: Decimal | None  # CLP03
    paid: Decimal | None  # CLP04
    patient_responsibility: Decimal | None  # CLP05
    filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07
    facility_type: str  # CLP08
    frequency: str  # CLP09
    drg: str  # CLP11
    drg_weight: Decimal | None  # CLP12
    discharge_fraction: Decimal | None  # CLP13
    adjustments: list[Adjustment] = field(default_factory=list)  # claim-level CAS only
    patient: Party | None = None  # NM1*QC
    insured: Party | None = None  # NM1*IL
    corrected_patient: Party | None = None  # NM1*74
    rendering_provider: Party | None = None  # NM1*82
    crossover_carrier: Party | None = None  # NM1*TT
    corrected_payer: Party | None = None  # NM1*PR
    other_subscriber: Party | None = None  # NM1*GB
    inpatient: InpatientAdjudication | None = None  # MIA
    outpatient: OutpatientAdjudication | None = None  # MOA
    remarks: list[RemarkCode] = field(default_factory=list)  # MIA/MOA remark codes
    statement_start: date | None = None  # DTM*232
    statement_end: date | None = None  # DTM*233
    received: date | None = None  # DTM*050
    coverage_expiration: date | None = None  # DTM*036
    processed: date | None = None  # DTM*009
    other_dates: dict[str, date] = field(default_factory=dict)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (qualifier, value)
    amounts: dict[str, Decimal] = field(default_factory=dict)  # AMT: AU, D8, I (interest)...
    quantities: dict[str, Decimal] = field(default_factory=dict)  # QTY
    contacts: list[Contact] = field(default_factory=list)  # claim-level PER
    services: list[ServicePayment] = field(default_factory=list)

    def all_adjustments(self) -> list[Adjustment]:
        """Claim- and line-level adjustments together, claim level first."""
        result = list(self.adjustments)
        for line in self.services:
            result.extend(line.adjustments)
        return result

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_plain(self, skip=frozenset({"remittance"}))
        data["trace_number"] = self.remittance.trace_number
        return data


@dataclass(slots=True)
class ProviderAdjustment:
    """One reason/amount pair of a PLB segment: money moved outside any claim."""

    remittance: Remittance
    provider_id: str  # PLB01
    fiscal_period_end: date | None  # PLB02
    reason: str  # first component: WO, L6, FB, 72, CS, IR, J1 ...
    reference: str  # second component: often the payer claim number
    amount: Decimal  # as sent: positive reduces the payment
    segment_index: int

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_plain(self, skip=frozenset({"remittance"}))
        data["trace_number"] = self.remittance.trace_number
        return data
