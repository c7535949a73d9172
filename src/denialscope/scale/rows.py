"""One X12 file, or one part of it, to the rows of the Parquet tables.

Our own reader (:mod:`denialscope.x12`) reads the bytes and our own classifier
(:func:`denialscope.ingest.classify_payments.classify_payments`, the function ingest calls)
gives every claim payment and adjustment its three layers; nothing here re-decides a rule.

A part is a byte range of a file that starts at an ST and ends after an SE, read with the
file's ISA/GS header in front (see :mod:`denialscope.scale.split`). Keys are built from
positions in the whole file (``base_offset``), so a file read whole or in parts gives the
same rows with the same keys.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from denialscope.classify.config import ClassificationConfig
from denialscope.errors import PartlyUnreadableError
from denialscope.ingest.classify_payments import ClaimContext, classify_payments
from denialscope.ingest.store_acks import ack_row
from denialscope.ingest.store_remits import _payer_ident
from denialscope.scale.manifest import record_identity
from denialscope.scale.schema import TABLES
from denialscope.x12.ack.records import ClaimAcknowledgment, TransactionAcknowledgment
from denialscope.x12.claim837.records import Claim
from denialscope.x12.envelope import FunctionalGroup, Interchange, TransactionSet
from denialscope.x12.reader import X12Reader
from denialscope.x12.remit835.records import ClaimPayment, ProviderAdjustment, Remittance

__all__ = ["FileRows", "TruncatedPartError", "file_date_of", "read_rows"]


class TruncatedPartError(PartlyUnreadableError):
    """The file ends inside a transaction set: its last claim may be cut."""


@dataclass(slots=True)
class FileRows:
    """Rows per table of one file (or part), and the claim types its 837 claims declare."""

    tables: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in TABLES}
    )
    file_date: dt.date | None = None
    content: int = 0  # sum of record identities, see denialscope.scale.manifest

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def file_date_of(interchange: Interchange | None, group: FunctionalGroup | None) -> dt.date | None:
    """GS04 (CCYYMMDD) of the first group, else ISA09 (YYMMDD); None when neither reads."""
    for text, fmt in (
        (group.date if group else "", "%Y%m%d"),
        (interchange.date if interchange else "", "%y%m%d"),
    ):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def read_rows(
    data: bytes,
    *,
    name: str,
    sha256: str,
    config: ClassificationConfig,
    claim_types: Mapping[str, str] | None = None,
    base_offset: int = 0,
) -> FileRows:
    """Parse ``data`` (a whole file or a part) and return its table rows.

    ``claim_types`` maps CLM01 to the claim type of its 837 (``professional``,
    ``inpatient`` ...) so that rules limited to a claim type apply as they do after ingest;
    a payment whose claim is not there is classified as ingest classifies an unmatched one
    (inpatient when CLP11 has a DRG). ``base_offset`` is added to byte offsets read in
    ``data`` to give positions in the whole file. A part that cannot be read (a failed
    transaction-set parser, a truncated set) raises: nothing of the file may be written.
    """
    reader = X12Reader(io.BytesIO(data), name=name)
    builder = _Builder(name=name, sha256=sha256, config=config, base_offset=base_offset)
    builder.claim_types = claim_types or {}
    for rec in reader:
        builder.add(rec)
    builder.flush_payments()
    failed = reader.unreadable_at or reader.bad_isa_at
    if failed is not None:
        index, offset, problem = failed
        raise PartlyUnreadableError(
            f"{problem}; nothing of the file was written.",
            file=name,
            segment=index,
            offset=offset + base_offset,
        )
    if reader.truncated_at is not None:
        index, offset = reader.truncated_at
        raise TruncatedPartError(
            "the file ends inside a transaction set that has no SE (its last claim may be "
            "cut); nothing of the file was written.",
            file=name,
            segment=index,
            offset=offset + base_offset,
        )
    return builder.rows


# The records whose content identifies a file (envelopes and positions left out).
_CONTENT = (
    Claim,
    Remittance,
    ClaimPayment,
    ProviderAdjustment,
    ClaimAcknowledgment,
    TransactionAcknowledgment,
)


def _join(values: Any) -> str | None:
    return ",".join(str(v) for v in values if v) or None


class _Builder:
    """Turns the reader's records into rows, one table at a time; see :func:`read_rows`."""

    def __init__(
        self, *, name: str, sha256: str, config: ClassificationConfig, base_offset: int
    ) -> None:
        self.rows = FileRows()
        self.common: dict[str, Any] = {"source_file": name, "file_sha256": sha256}
        self.prefix = sha256[:16]
        self.config = config
        self.base_offset = base_offset
        self.claim_types: Mapping[str, str] = {}
        self._payments: list[ClaimPayment] = []
        self._remittance: Remittance | None = None

    def key(self, tset: TransactionSet | None, segment_index: int) -> str:
        """<file hash>:<byte offset of the ST in the file>:<segment index inside the set>."""
        if tset is None:
            return f"{self.prefix}:0:{segment_index}"
        return (
            f"{self.prefix}:{tset.offset + self.base_offset}:{segment_index - tset.segment_index}"
        )

    def emit(self, table: str, row: dict[str, Any]) -> None:
        row.update(self.common)
        self.rows.tables[table].append(row)

    def add(self, rec: Any) -> None:
        if isinstance(rec, _CONTENT):
            self.rows.content = (self.rows.content + record_identity(rec)) % 2**256
        if isinstance(rec, TransactionSet):
            if self.rows.file_date is None:
                self.rows.file_date = file_date_of(rec.interchange, rec.group)
                self.common["file_date"] = self.rows.file_date
        elif isinstance(rec, Claim):
            self.claim(rec)
        elif isinstance(rec, Remittance):
            self.flush_payments()
            self._remittance = rec
        elif isinstance(rec, ClaimPayment):
            self._payments.append(rec)
        elif isinstance(rec, ProviderAdjustment):
            self.provider_adjustment(rec)
        elif isinstance(rec, ClaimAcknowledgment | TransactionAcknowledgment):
            row = ack_row(rec)
            row.pop("details_json", None)  # free-form detail stays in the database
            self.emit("acknowledgments", row)

    # --- 837 ----------------------------------------------------------------------------

    def claim(self, c: Claim) -> None:
        key = self.key(c.transaction, c.segment_index)
        pcn = c.control_number.strip()
        dx = c.principal_diagnosis
        self.emit(
            "claims",
            {
                "claim_key": key,
                "patient_control_number": pcn,
                "kind": c.kind,
                "claim_type": c.claim_type,
                "facility_code": c.facility_code,
                "frequency": c.frequency,
                "total_charge": c.total_charge,
                "payer_id": c.payer.identifier or None,
                "payer_name": c.payer.name or None,
                "billing_npi": c.billing_provider.identifier or None,
                "filing_indicator": c.subscriber.filing_indicator or None,
                # The same dates ingest stores (store_claims): the statement, else service.
                "statement_from": c.statement_from or c.service_from,
                "statement_to": c.statement_to or c.service_to,
                "admission_date": c.admission_date,
                "discharge_date": c.discharge_date,
                "drg": c.drg,
                "principal_dx": dx.code if dx else None,
                "prior_auth": c.prior_authorization,
                "original_payer_claim_number": c.original_claim_number,
                "submitted_at": c.submission.created or self.rows.file_date,
            },
        )
        for line in c.lines:
            self.emit(
                "claim_lines",
                {
                    "claim_key": key,
                    "patient_control_number": pcn,
                    "line_number": line.number,
                    "line_control": line.control_number or None,
                    "procedure_qualifier": line.procedure_qualifier or None,
                    "procedure": line.procedure or None,
                    "modifiers": _join(line.modifiers),
                    "revenue_code": line.revenue_code or None,
                    "charge": line.charge,
                    "units": line.units,
                    # As ingest stores lines (store_claims): an 837P line without SV105
                    # takes the claim's place of service; dates fall back to the claim's.
                    "place_of_service": line.place_of_service
                    or (c.facility_code if c.kind == "837P" else None)
                    or None,
                    "diagnosis_pointers": _join(line.diagnosis_pointers),
                    "service_from": line.service_from or c.service_from,
                    "service_to": line.service_to or line.service_from or c.service_to,
                    "ndc": line.drug.ndc if line.drug else None,
                },
            )
        for position, code in enumerate(c.diagnoses, 1):
            self.emit(
                "diagnoses",
                {
                    "claim_key": key,
                    "patient_control_number": pcn,
                    "position": position,
                    "qualifier": code.qualifier,
                    "code": code.code,
                    "poa": code.poa or None,
                },
            )

    # --- 835 ----------------------------------------------------------------------------

    def provider_adjustment(self, p: ProviderAdjustment) -> None:
        ident, name, _ = _payer_ident(p.remittance)
        self.emit(
            "provider_adjustments",
            {
                "trace_number": p.remittance.trace_number or None,
                "payer_id": ident or name,
                "provider_id": p.provider_id or None,
                "fiscal_period_end": p.fiscal_period_end,
                "reason": p.reason,
                "reference": p.reference or None,
                "amount": p.amount,
            },
        )

    def flush_payments(self) -> None:
        """Classify the payments of one remittance together, as ingest does, then emit them."""
        payments, self._payments = self._payments, []
        remit = self._remittance
        if not payments or remit is None:
            return
        ident, name, _ = _payer_ident(remit)
        payer = ident or name
        adjudicated = remit.payment_date or remit.production_date
        cp_rows: list[dict[str, Any]] = []
        adj_rows: list[dict[str, Any]] = []
        context: ClaimContext = {}
        positions: list[int | None] = []
        for number, p in enumerate(payments):
            key = self.key(remit.transaction, p.segment_index)
            pcn = p.patient_control_number.strip()
            claim_type = self.claim_types.get(pcn)
            # classify_payments looks claims up by id and treats 0 as "no claim": from 1.
            if claim_type is not None:
                context[number + 1] = (None, claim_type, None, None)
            positions.append(number + 1)
            cp_rows.append(
                {
                    "payment_key": key,
                    "patient_control_number": pcn,
                    "payer_claim_number": p.payer_claim_number or None,
                    "status_code": p.status.strip(),
                    "charge": p.charge,
                    "paid": p.paid,
                    "patient_responsibility": p.patient_responsibility,
                    "filing_indicator": p.filing_indicator or None,
                    "facility_type": p.facility_type or None,
                    "frequency": p.frequency or None,
                    "drg": p.drg.strip() or None,
                    "payer_id": payer,
                    "payer_name": name,
                    "trace_number": remit.trace_number or None,
                    "payment_date": remit.payment_date,
                    "claim_type": claim_type or ("inpatient" if p.drg.strip() else None),
                    "remarks": _join(r.code for r in p.remarks),
                }
            )
            claim_rarcs = _join(r.code for r in p.remarks)
            for a in p.adjustments:
                adj_rows.append(_adjustment(key, None, "claim", a, claim_rarcs))
            for seq, s in enumerate(p.services, 1):
                line_rarcs = _join(r.code for r in s.remarks)
                orig = s.original_procedure
                self.emit(
                    "service_payments",
                    {
                        "payment_key": key,
                        "service_seq": seq,
                        "line_control": s.control_number or None,
                        "procedure_qualifier": s.procedure.qualifier or None,
                        "procedure": s.procedure.code or None,
                        "modifiers": _join(s.procedure.modifiers),
                        "original_procedure": orig.code if orig else None,
                        "revenue_code": s.revenue_code or None,
                        "charge": s.charge,
                        "paid": s.paid,
                        "allowed": s.allowed,
                        "units": s.units_paid,
                        "service_date": s.first_date,
                        "remarks": line_rarcs,
                    },
                )
                for a in s.adjustments:
                    adj_rows.append(_adjustment(key, seq, "line", a, line_rarcs))
        classify_payments(
            self.config, payer, payments, cp_rows, adj_rows, positions, context, adjudicated
        )
        for row in cp_rows:
            self.emit("claim_payments", row)
        for row in adj_rows:
            self.emit("adjustments", row)


def _adjustment(key: str, seq: int | None, level: str, a: Any, rarcs: str | None) -> dict[str, Any]:
    amount: Decimal = a.amount
    return {
        "payment_key": key,
        "service_seq": seq,
        "level": level,
        "group_code": a.group,
        "reason_code": a.reason,
        "remark_codes": rarcs,
        "amount": amount,
        "quantity": a.quantity,
    }
