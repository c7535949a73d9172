"""Stored claims with first adjudications for the prediction tests, and 837 records to score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from denialscope.claims.models import Claim as ClaimRow
from denialscope.claims.models import ClaimDiagnosis, ClaimLine, Patient, claim_key_for
from denialscope.orgs.models import Department, Payer, Provider, ProviderMapping
from denialscope.remits.models import ClaimPayment, Remittance
from denialscope.sources.models import SourceFile
from denialscope.x12.claim837.parties import Party, Submission, Subscriber
from denialscope.x12.claim837.records import Claim, CodeEntry, Line

NPI = "1234567893"
BORN = dt.date(1970, 2, 3)


class Store:
    """Inserts claims through the models: each with a submission day and, optionally, the
    day its first remit arrived and whether it was denied."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.billing = Provider(npi=NPI, taxonomy="207Q00000X", name="CLINIC")
        self.department = Department(code="PT", name="Physical therapy", service_line="rehab")
        source = SourceFile(sha256="0" * 64, name="synthetic.835")
        self.remittance = Remittance(source_file=source)
        self.payers: dict[str, Payer] = {}
        self.patients: dict[str, Patient] = {}
        session.add_all([self.billing, self.department, source, self.remittance])
        session.flush()
        # Claims from the billing NPI belong to the department, as ingest would assign them.
        session.add(
            ProviderMapping(
                match_kind="billing_npi", match_value=NPI, department_id=self.department.id
            )
        )
        self.count = 0

    def payer(self, key: str) -> Payer:
        if key not in self.payers:
            self.payers[key] = Payer(
                payer_key=key, payer_id=key, name=f"PLAN {key}", kind="commercial"
            )
            self.session.add(self.payers[key])
        return self.payers[key]

    def _patient(self, key: str) -> Patient:
        if key not in self.patients:
            self.patients[key] = Patient(
                patient_key=key,
                member_id=key,
                last_name="ROE",
                first_name="SAM",
                birth_date=BORN,
                sex="F",
            )
        return self.patients[key]

    def add(
        self,
        *,
        submitted: dt.date,
        remit: dt.date | None,
        denied: bool = False,
        payer: str = "P1",
        procedure: str = "97110",
        modifiers: str | None = None,
        charge: str = "100",
        patient: str | None = None,
        cause: str = "modifier_missing_invalid",
        served: dt.date | None = None,
    ) -> ClaimRow:
        """``served``: the date of service (default three days before submission)."""
        self.count += 1
        served = served or submitted - dt.timedelta(days=3)
        number = f"C{self.count:05d}"
        row = ClaimRow(
            claim_key=claim_key_for(number, NPI),
            control_number=number,
            kind="837P",
            claim_type="professional",
            facility_code="11",
            frequency="1",
            payer=self.payer(payer),
            patient=self._patient(patient or f"k{number}"),
            billing_provider_id=self.billing.id,
            department_id=self.department.id,
            service_line="rehab",
            total_charge=Decimal(charge),
            statement_from=served,
            submitted_at=submitted,
        )
        row.diagnoses = [ClaimDiagnosis(seq=1, qualifier="ABK", code="M54.50")]
        row.lines = [
            ClaimLine(
                line_no=1,
                procedure=procedure,
                modifiers=modifiers,
                charge=Decimal(charge),
                units=Decimal(1),
                diagnosis_pointers="1",
                service_from=served,
            )
        ]
        self.session.add(row)
        self.session.flush()
        if remit is not None:
            self.session.add(
                ClaimPayment(
                    remittance_id=self.remittance.id,
                    claim_id=row.id,
                    match_method="clp01_payer",
                    seq=1,
                    adjudicated_at=remit,
                    is_denial=denied,
                    denied_amount=Decimal(charge) if denied else Decimal(0),
                    primary_root_cause=cause if denied else None,
                    primary_stream="coding" if denied else None,
                )
            )
            self.session.flush()
        return row


def record(
    number: str,
    *,
    payer: str = "P1",
    procedure: str = "97110",
    modifiers: tuple[str, ...] = (),
    created: dt.date,
) -> Claim:
    """An 837P record about to be submitted."""
    return Claim(
        number,
        Decimal(100),
        codes=[CodeEntry("ABK", "M54.50")],
        lines=[
            Line(
                procedure=procedure,
                charge=Decimal(100),
                modifiers=list(modifiers),
                units=Decimal(1),
                diagnosis_pointers=[1],
                service_from=created - dt.timedelta(days=3),
            )
        ],
        billing_provider=Party(
            "85", name="CLINIC", id_qualifier="XX", identifier=NPI, taxonomy="207Q00000X"
        ),
        subscriber=Subscriber(
            party=Party(
                "IL",
                "1",
                name="ROE",
                first_name="SAM",
                id_qualifier="MI",
                identifier="M9",
                birth_date=BORN,
                sex="F",
            )
        ),
        payer=Party("PR", name=f"PLAN {payer}", id_qualifier="PI", identifier=payer),
        submission=Submission(created=created),
    )
