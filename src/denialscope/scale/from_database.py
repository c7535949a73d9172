"""``denialscope export parquet --from-database``: the stored data as the same Parquet tables.

Rows come out in chunks of claims or claim payments (memory: one chunk) with the
classification ingest stored. ``file_date`` is the day the source file was ingested (the
database does not keep the envelope date); keys are ``db:<id>``. Stub claims (placeholders
for payments whose 837 never came) are exported flagged ``is_stub`` so that every payment's
``claim_key`` names a claim row. The relational columns (claim links, adjudication order,
organization mapping) and the db-only tables (claim versions, work items) are what KPIs on
Spark read (:mod:`denialscope.scale.spark_views`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased

from denialscope.acks.models import Acknowledgment
from denialscope.claims.models import Claim, ClaimDiagnosis, ClaimLine, ClaimVersion
from denialscope.orgs.models import Department, Facility, Payer, Provider
from denialscope.remits.models import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    ServicePayment,
)
from denialscope.sources.models import SourceFile
from denialscope.workqueue.models import WorkItem

__all__ = ["CHUNK", "database_chunks"]

CHUNK = 5000

Rows = dict[str, list[dict[str, Any]]]


def _file_columns() -> list[Any]:
    return [
        SourceFile.received_at.label("file_date"),
        SourceFile.name.label("source_file"),
        SourceFile.sha256.label("file_sha256"),
    ]


def _payer_ident() -> Any:
    # What classification was given as the payer at ingest: its id, else its name.
    return func.coalesce(Payer.payer_id, Payer.name).label("payer_id")


def _ids(conn: Connection, column: Any, where: Sequence[Any] = ()) -> Iterator[list[int]]:
    ids = [i for (i,) in conn.execute(select(column).where(*where).order_by(column))]
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _rows(conn: Connection, query: Select[Any]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(query)]


def database_chunks(engine: Engine) -> Iterator[tuple[str, Rows]]:
    """(chunk name, rows per table) for the whole database, claims first."""
    with engine.connect() as conn:
        for number, ids in enumerate(_ids(conn, Claim.id)):
            yield f"claims-{number}", _claims(conn, ids)
        for number, ids in enumerate(_ids(conn, ClaimPayment.id)):
            yield f"payments-{number}", _payments(conn, ids)
        for number, ids in enumerate(_ids(conn, ProviderAdjustment.id)):
            yield f"plb-{number}", {"provider_adjustments": _plb(conn, ids)}
        for number, ids in enumerate(_ids(conn, Acknowledgment.id)):
            yield f"acks-{number}", {"acknowledgments": _acks(conn, ids)}


def _claims(conn: Connection, ids: list[int]) -> Rows:
    billing = aliased(Provider)
    attending = aliased(Provider)
    rendering = aliased(Provider)
    claims = _rows(
        conn,
        select(
            *_file_columns(),
            Claim.id,
            Claim.control_number.label("patient_control_number"),
            Claim.kind,
            Claim.claim_type,
            Claim.facility_code,
            Claim.frequency,
            Claim.total_charge,
            Payer.payer_id,
            Payer.name.label("payer_name"),
            billing.npi.label("billing_npi"),
            Claim.filing_indicator,
            Claim.statement_from,
            Claim.statement_to,
            Claim.admission_date,
            Claim.discharge_date,
            Claim.drg,
            Claim.principal_dx,
            Claim.prior_auth,
            Claim.original_payer_claim_number,
            Claim.submitted_at,
            Claim.is_stub,
            Payer.payer_key,
            Department.code.label("department"),
            Department.service_line.label("department_service_line"),
            Facility.code.label("facility"),
            Claim.service_line,
            attending.npi.label("attending_npi"),
            attending.name.label("attending_name"),
            rendering.npi.label("rendering_npi"),
            rendering.name.label("rendering_name"),
        )
        .outerjoin(SourceFile, SourceFile.id == Claim.source_file_id)
        .outerjoin(Payer, Payer.id == Claim.payer_id)
        .outerjoin(billing, billing.id == Claim.billing_provider_id)
        .outerjoin(attending, attending.id == Claim.attending_provider_id)
        .outerjoin(rendering, rendering.id == Claim.rendering_provider_id)
        .outerjoin(Department, Department.id == Claim.department_id)
        .outerjoin(Facility, Facility.id == Claim.facility_id)
        .where(Claim.id.in_(ids))
        .order_by(Claim.id),
    )
    common = {
        c["id"]: {**_common(c), "patient_control_number": c["patient_control_number"]}
        for c in claims
    }
    for c in claims:
        c["claim_key"] = f"db:{c.pop('id')}"
    lines = _rows(
        conn,
        select(
            ClaimLine.claim_id,
            ClaimLine.line_no.label("line_number"),
            ClaimLine.line_control,
            ClaimLine.procedure_qualifier,
            ClaimLine.procedure,
            ClaimLine.modifiers,
            ClaimLine.revenue_code,
            ClaimLine.charge,
            ClaimLine.units,
            ClaimLine.place_of_service,
            ClaimLine.diagnosis_pointers,
            ClaimLine.service_from,
            ClaimLine.service_to,
            ClaimLine.ndc,
        )
        .where(ClaimLine.claim_id.in_(ids))
        .order_by(ClaimLine.claim_id, ClaimLine.line_no),
    )
    diagnoses = _rows(
        conn,
        select(
            ClaimDiagnosis.claim_id,
            ClaimDiagnosis.seq.label("position"),
            ClaimDiagnosis.qualifier,
            ClaimDiagnosis.code,
            ClaimDiagnosis.poa,
        )
        .where(ClaimDiagnosis.claim_id.in_(ids))
        .order_by(ClaimDiagnosis.claim_id, ClaimDiagnosis.seq),
    )
    versions = _rows(
        conn,
        select(
            *_file_columns(),
            ClaimVersion.claim_id,
            ClaimVersion.version_no,
            ClaimVersion.frequency,
            ClaimVersion.submitted_at,
            ClaimVersion.total_charge,
            ClaimVersion.transaction_control,
        )
        .outerjoin(SourceFile, SourceFile.id == ClaimVersion.source_file_id)
        .where(ClaimVersion.claim_id.in_(ids))
        .order_by(ClaimVersion.id),
    )
    items = _rows(
        conn,
        select(
            WorkItem.claim_id,
            WorkItem.queue,
            WorkItem.stream,
            WorkItem.root_cause,
            WorkItem.denial_type,
            WorkItem.status,
            WorkItem.outcome,
            WorkItem.dollars_at_risk,
            WorkItem.recovered_amount,
            WorkItem.recommended_action,
            WorkItem.action,
            WorkItem.denied_on,
            WorkItem.deadline,
            WorkItem.submitted_on,
            WorkItem.resolved_on,
            WorkItem.cycle_days,
        )
        .where(WorkItem.claim_id.in_(ids))
        .order_by(WorkItem.id),
    )
    for row in (*lines, *diagnoses, *items):
        claim_id = row.pop("claim_id")
        row.update(common[claim_id], claim_key=f"db:{claim_id}")
    for row in versions:
        row["claim_key"] = f"db:{row.pop('claim_id')}"
    return {
        "claims": claims,
        "claim_lines": lines,
        "diagnoses": diagnoses,
        "claim_versions": versions,
        "work_items": items,
    }


def _key(prefix: str, value: int | None) -> str | None:
    return None if value is None else f"{prefix}{value}"


def _common(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("file_date", "source_file", "file_sha256")}


def _codes(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict[Any, str]:
    out: dict[Any, list[str]] = {}
    for r in rows:
        out.setdefault(key(r), []).append(r["code"])
    return {k: ",".join(v) for k, v in out.items()}


def _payments(conn: Connection, ids: list[int]) -> Rows:
    payments = _rows(
        conn,
        select(
            *_file_columns(),
            ClaimPayment.id,
            ClaimPayment.patient_control_number,
            ClaimPayment.payer_claim_number,
            ClaimPayment.status_code,
            ClaimPayment.charge,
            ClaimPayment.paid,
            ClaimPayment.patient_responsibility,
            ClaimPayment.filing_indicator,
            ClaimPayment.facility_type,
            ClaimPayment.frequency,
            ClaimPayment.drg,
            _payer_ident(),
            Payer.name.label("payer_name"),
            Remittance.trace_number,
            Remittance.payment_date,
            Claim.claim_type,
            ClaimPayment.denial_type,
            ClaimPayment.is_denial,
            ClaimPayment.primary_stream,
            ClaimPayment.primary_root_cause,
            ClaimPayment.denied_amount,
            ClaimPayment.config_version,
            ClaimPayment.claim_id,
            ClaimPayment.seq,
            ClaimPayment.payer_responsibility,
            ClaimPayment.is_reversal,
            ClaimPayment.reverses_payment_id,
            ClaimPayment.adjudicated_at,
        )
        .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
        .join(SourceFile, SourceFile.id == Remittance.source_file_id)
        .outerjoin(Payer, Payer.id == Remittance.payer_id)
        .outerjoin(Claim, Claim.id == ClaimPayment.claim_id)
        .where(ClaimPayment.id.in_(ids))
        .order_by(ClaimPayment.id),
    )
    remarks = _rows(
        conn,
        select(RemarkCode.claim_payment_id, RemarkCode.service_payment_id, RemarkCode.code)
        .where(RemarkCode.claim_payment_id.in_(ids))
        .order_by(RemarkCode.id),
    )
    claim_remarks = _codes(
        [r for r in remarks if r["service_payment_id"] is None], lambda r: r["claim_payment_id"]
    )
    line_remarks = _codes(
        [r for r in remarks if r["service_payment_id"] is not None],
        lambda r: r["service_payment_id"],
    )
    common = {p["id"]: _common(p) for p in payments}
    for p in payments:
        p["remarks"] = claim_remarks.get(p["id"])
        p["payment_key"] = f"db:{p.pop('id')}"
        p["claim_key"] = _key("db:", p.pop("claim_id"))
        p["reverses_payment_key"] = _key("db:", p.pop("reverses_payment_id"))
    services = _rows(
        conn,
        select(
            ServicePayment.id,
            ServicePayment.claim_payment_id,
            ServicePayment.line_control,
            ServicePayment.procedure_qualifier,
            ServicePayment.procedure,
            ServicePayment.modifiers,
            ServicePayment.original_procedure,
            ServicePayment.revenue_code,
            ServicePayment.charge,
            ServicePayment.paid,
            ServicePayment.allowed,
            ServicePayment.units,
            ServicePayment.service_from.label("service_date"),
        )
        .where(ServicePayment.claim_payment_id.in_(ids))
        .order_by(ServicePayment.claim_payment_id, ServicePayment.id),
    )
    seq_of: dict[int, int] = {}
    counter: dict[int, int] = {}
    for s in services:
        cp = s.pop("claim_payment_id")
        counter[cp] = counter.get(cp, 0) + 1
        seq_of[s["id"]] = counter[cp]
        s.update(
            common[cp],
            payment_key=f"db:{cp}",
            service_seq=counter[cp],
            remarks=line_remarks.get(s["id"]),
        )
        del s["id"]
    adjustments = _rows(
        conn,
        select(
            Adjustment.claim_payment_id,
            Adjustment.service_payment_id,
            Adjustment.level,
            Adjustment.group_code,
            Adjustment.reason_code,
            Adjustment.amount,
            Adjustment.quantity,
            Adjustment.category,
            Adjustment.is_denial,
            Adjustment.stream,
            Adjustment.root_cause,
            Adjustment.rule_id,
            Adjustment.process_step,
            Adjustment.owner_role,
            Adjustment.owner_name,
        )
        .where(Adjustment.claim_payment_id.in_(ids))
        .order_by(Adjustment.id),
    )
    for a in adjustments:
        cp = a.pop("claim_payment_id")
        sp = a.pop("service_payment_id")
        a.update(
            common[cp],
            payment_key=f"db:{cp}",
            service_seq=seq_of.get(sp) if sp is not None else None,
            remark_codes=line_remarks.get(sp) if sp is not None else claim_remarks.get(cp),
        )
    return {"claim_payments": payments, "service_payments": services, "adjustments": adjustments}


def _plb(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    return _rows(
        conn,
        select(
            *_file_columns(),
            Remittance.trace_number,
            _payer_ident(),
            ProviderAdjustment.provider_id_text.label("provider_id"),
            ProviderAdjustment.fiscal_date.label("fiscal_period_end"),
            ProviderAdjustment.reason,
            ProviderAdjustment.reference,
            ProviderAdjustment.amount,
        )
        .join(Remittance, Remittance.id == ProviderAdjustment.remittance_id)
        .join(SourceFile, SourceFile.id == Remittance.source_file_id)
        .outerjoin(Payer, Payer.id == Remittance.payer_id)
        .where(ProviderAdjustment.id.in_(ids))
        .order_by(ProviderAdjustment.id),
    )


def _acks(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    rows = _rows(
        conn,
        select(
            *_file_columns(),
            Acknowledgment.kind,
            Acknowledgment.control_number,
            Acknowledgment.patient_control_number,
            Acknowledgment.payer_claim_number,
            Acknowledgment.status,
            Acknowledgment.category_codes,
            Acknowledgment.status_codes,
            Acknowledgment.acknowledged_at,
            Acknowledgment.claim_id,
        )
        .join(SourceFile, SourceFile.id == Acknowledgment.source_file_id)
        .where(Acknowledgment.id.in_(ids))
        .order_by(Acknowledgment.id),
    )
    for row in rows:
        row["claim_key"] = _key("db:", row.pop("claim_id"))
    return rows
