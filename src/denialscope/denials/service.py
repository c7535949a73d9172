"""Classification over stored data: rebuild, re-apply (``reclassify``) and explain.

Ingest classifies each 835 claim payment from the parsed record (``RemitStore._classify``).
This module rebuilds the same :class:`AdjudicatedClaim` from the stored rows (claim_payments,
service_payments, adjustments, remark_codes, and the claim, remittance, payer and department
they point at), so a configuration change can be applied to every stored payment and a claim
can be explained long after its file was read. Results differ from ingest only when the
configuration or the claim's context (e.g. a stub relinked to its 837) changed.

The caller owns the transaction; functions here only execute statements.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.classify import (
    AdjudicatedClaim,
    AdjudicatedLine,
    Adjustment,
    ClaimClassification,
    Classification,
    ClassificationConfig,
)
from denialscope.classify.stored import (
    ADJUSTMENT_COLUMNS,
    CONFIG_VERSION_WIDTH,
    PAYMENT_COLUMNS,
    adjustment_columns,
    claim_type_with_drg,
    classify_for_storage,
    fit,
    payment_columns,
)
from denialscope.db.base import utcnow
from denialscope.db.change_marks import mark_change
from denialscope.denials.models import ClassificationChange
from denialscope.errors import NotFoundError
from denialscope.orgs.models import Department, Payer
from denialscope.remits.models import Adjustment as AdjustmentRow
from denialscope.remits.models import ClaimPayment, RemarkCode, Remittance, ServicePayment
from denialscope.workqueue.config import WorkqueueConfig
from denialscope.workqueue.reclassified import follow_classification

__all__ = [
    "ReclassifyReport",
    "adjudicated_claim_from_rows",
    "adjudicated_claims_from_rows",
    "reclassify",
]

_ZERO: Final = Decimal(0)
_IN_LIST: Final = 500  # ids per IN (...): well inside every engine's bound-parameter limit
# The stored columns of a classification, as ingest stores them (classify.stored).
_ADJUSTMENT_FIELDS: Final = ADJUSTMENT_COLUMNS
_PAYMENT_FIELDS: Final = PAYMENT_COLUMNS

Values = tuple[Any, ...]
_ROOT_CAUSE: Final = [name for name, _ in _ADJUSTMENT_FIELDS].index("root_cause")
_RULE: Final = [name for name, _ in _ADJUSTMENT_FIELDS].index("rule_id")


# --- rebuilding the classifier's input ------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _StoredAdjustment:
    id: int
    line: int | None  # 0-based index into the payment's lines
    stored: Values  # the columns of _ADJUSTMENT_FIELDS as stored


@dataclass(slots=True)
class _StoredPayment:
    id: int
    seq: int
    status: str | None
    payer: str | None
    payer_claim_number: str | None
    stored: Values  # the columns of _PAYMENT_FIELDS as stored
    config_version: str | None
    claim: AdjudicatedClaim
    adjustments: list[_StoredAdjustment]  # in classify_claim's order: claim level, then lines


def _chunks(values: Sequence[int], size: int = _IN_LIST) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _load(session: Session, ids: Sequence[int]) -> list[_StoredPayment]:
    """The stored payments among ``ids`` with everything classification needs, in id order."""
    heads: dict[int, Any] = {}
    lines: dict[int, list[Any]] = {}
    adjustments: dict[int, list[Any]] = {}
    remarks: dict[int, list[str]] = {}  # by service payment id; claim level by -(payment id)
    for part in _chunks(sorted(set(ids))):
        for row in session.execute(
            select(
                ClaimPayment.id,
                ClaimPayment.seq,
                ClaimPayment.status_code,
                ClaimPayment.charge,
                ClaimPayment.paid,
                ClaimPayment.patient_responsibility,
                ClaimPayment.payer_claim_number,
                ClaimPayment.adjudicated_at,
                ClaimPayment.drg,
                *(getattr(ClaimPayment, name) for name, _ in _PAYMENT_FIELDS),
                ClaimPayment.config_version,
                Payer.payer_id.label("payer_ident"),
                Payer.name.label("payer_name"),
                Claim.claim_type,
                Department.code.label("department"),
                Claim.service_line,
            )
            .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
            .outerjoin(Payer, Payer.id == Remittance.payer_id)
            .outerjoin(Claim, Claim.id == ClaimPayment.claim_id)
            .outerjoin(Department, Department.id == Claim.department_id)
            .where(ClaimPayment.id.in_(part))
        ):
            heads[row.id] = row
        for row in session.execute(
            select(
                ServicePayment.id,
                ServicePayment.claim_payment_id,
                ServicePayment.charge,
                ServicePayment.paid,
                ServicePayment.allowed,
                ServicePayment.procedure,
                ServicePayment.original_procedure,
                ServicePayment.modifiers,
                ServicePayment.original_modifiers,
            )
            .where(ServicePayment.claim_payment_id.in_(part))
            .order_by(ServicePayment.id)
        ):
            lines.setdefault(row.claim_payment_id, []).append(row)
        for row in session.execute(
            select(
                AdjustmentRow.id,
                AdjustmentRow.claim_payment_id,
                AdjustmentRow.service_payment_id,
                AdjustmentRow.group_code,
                AdjustmentRow.reason_code,
                AdjustmentRow.amount,
                *(getattr(AdjustmentRow, name) for name, _ in _ADJUSTMENT_FIELDS),
            )
            .where(AdjustmentRow.claim_payment_id.in_(part))
            .order_by(AdjustmentRow.id)
        ):
            adjustments.setdefault(row.claim_payment_id, []).append(row)
        for cp_id, sp_id, code in session.execute(
            select(RemarkCode.claim_payment_id, RemarkCode.service_payment_id, RemarkCode.code)
            .where(RemarkCode.claim_payment_id.in_(part))
            .order_by(RemarkCode.id)
        ):
            remarks.setdefault(sp_id if sp_id is not None else -cp_id, []).append(code)
    return [
        _assemble(heads[i], lines.get(i, []), adjustments.get(i, []), remarks)
        for i in sorted(heads)
    ]


def _assemble(
    head: Any, lines: list[Any], adjustments: list[Any], remarks: dict[int, list[str]]
) -> _StoredPayment:
    """One payment as ingest builds it from the record (see RemitStore._classify)."""
    position = {line.id: index for index, line in enumerate(lines)}
    by_line: list[list[Any]] = [[] for _ in lines]
    ordered: list[_StoredAdjustment] = []
    claim_level: list[Adjustment] = []
    for row in adjustments:
        index = position.get(row.service_payment_id) if row.service_payment_id else None
        if index is None:
            claim_level.append(Adjustment(row.group_code, row.reason_code, row.amount))
            ordered.append(_stored_adjustment(row, None))
        else:
            by_line[index].append(row)
    for index, rows in enumerate(by_line):
        ordered.extend(_stored_adjustment(row, index) for row in rows)
    claim = AdjudicatedClaim(
        status=head.status_code or "",
        charge=head.charge if head.charge is not None else _ZERO,
        paid=head.paid if head.paid is not None else _ZERO,
        patient_responsibility=head.patient_responsibility,
        # As ingest does: without an 837, a DRG on the remit marks an inpatient stay.
        claim_type=claim_type_with_drg(head.claim_type or None, head.drg),
        payer_id=head.payer_ident or head.payer_name,
        adjudicated_on=head.adjudicated_at,
        department=head.department,
        service_line=head.service_line,
        adjustments=claim_level,
        remarks=remarks.get(-head.id, []),
        lines=[
            AdjudicatedLine(
                charge=line.charge if line.charge is not None else _ZERO,
                paid=line.paid if line.paid is not None else _ZERO,
                allowed=line.allowed,
                procedure_code=line.original_procedure or line.procedure,
                adjustments=[Adjustment(r.group_code, r.reason_code, r.amount) for r in rows],
                remarks=remarks.get(line.id, []),
                modifiers=[
                    m
                    for text in (line.original_modifiers, line.modifiers)
                    for m in (text or "").split(",")
                    if m
                ],
            )
            for line, rows in zip(lines, by_line, strict=True)
        ],
    )
    return _StoredPayment(
        id=head.id,
        seq=head.seq,
        status=head.status_code,
        payer=head.payer_name or head.payer_ident,
        payer_claim_number=head.payer_claim_number,
        stored=tuple(getattr(head, name) for name, _ in _PAYMENT_FIELDS),
        config_version=head.config_version,
        claim=claim,
        adjustments=ordered,
    )


def _stored_adjustment(row: Any, line: int | None) -> _StoredAdjustment:
    return _StoredAdjustment(row.id, line, tuple(getattr(row, n) for n, _ in _ADJUSTMENT_FIELDS))


def adjudicated_claims_from_rows(
    session: Session, claim_payment_ids: Sequence[int]
) -> dict[int, AdjudicatedClaim]:
    """The classification input of each stored claim payment, by id (unknown ids are absent)."""
    return {item.id: item.claim for item in _load(session, claim_payment_ids)}


def adjudicated_claim_from_rows(session: Session, claim_payment_id: int) -> AdjudicatedClaim:
    """The classification input of one stored claim payment, as ingest built it."""
    found = adjudicated_claims_from_rows(session, [claim_payment_id])
    if claim_payment_id not in found:
        raise NotFoundError(f"no claim payment with id {claim_payment_id}", id=claim_payment_id)
    return found[claim_payment_id]


def _adjustment_values(result: Classification) -> Values:
    return tuple(adjustment_columns(result).values())


def _payment_values(result: ClaimClassification) -> Values:
    return tuple(payment_columns(result).values())


# --- reclassify -----------------------------------------------------------------------------


@dataclass(slots=True)
class ReclassifyReport:
    """What a reclassify run examined and changed."""

    config_version: str
    payments_examined: int = 0
    payments_changed: int = 0  # denial type, primary root cause/stream or denied amount
    payments_restamped: int = 0  # same result, only the configuration version is new
    adjustments_examined: int = 0
    adjustments_changed: int = 0  # root cause or rule changed: one history row each
    adjustments_rerouted: int = 0  # only category, stream or layer 3 changed
    adjustments_first_classified: int = 0  # never classified before (no history row)
    transitions: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    work_items_reclassified: int = 0  # open items that took the new root cause (history kept)
    work_items_requeued: int = 0  # ... of which moved to another queue
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "config_version": self.config_version,
            "payments_examined": self.payments_examined,
            "payments_changed": self.payments_changed,
            "payments_restamped": self.payments_restamped,
            "adjustments_examined": self.adjustments_examined,
            "adjustments_changed": self.adjustments_changed,
            "adjustments_rerouted": self.adjustments_rerouted,
            "adjustments_first_classified": self.adjustments_first_classified,
            "transitions": [
                {"from": old, "to": new, "count": count}
                for (old, new), count in sorted(
                    self.transitions.items(), key=lambda item: (-item[1], str(item[0]))
                )
            ],
            "work_items_reclassified": self.work_items_reclassified,
            "work_items_requeued": self.work_items_requeued,
            "seconds": round(self.seconds, 3),
        }


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _update_by_id(model: Any, fields: Sequence[str]) -> Any:
    table = _table(model)
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in fields})
    )


def _payment_batches(
    session: Session, claim_payment_ids: Sequence[int] | None, batch: int
) -> Iterator[Sequence[int]]:
    if claim_payment_ids is not None:
        yield from _chunks(sorted(set(claim_payment_ids)), batch)
        return
    last = 0  # keyset pagination: stable while the rows it pages over are updated
    while True:
        ids = list(
            session.execute(
                select(ClaimPayment.id)
                .where(ClaimPayment.id > last)
                .order_by(ClaimPayment.id)
                .limit(batch)
            ).scalars()
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def reclassify(
    *,
    session: Session,
    config: ClassificationConfig,
    workqueue: WorkqueueConfig,
    claim_payment_ids: Sequence[int] | None = None,
    batch: int = 2000,
) -> ReclassifyReport:
    """Re-apply ``config`` to stored claim payments (all, or the given ids); idempotent.

    Open work items then follow their denial's new classification (root cause, stream,
    queue, with a history event; ``workqueue`` routes them); resolved items are not touched.
    """
    started = time.perf_counter()
    report = ReclassifyReport(config_version=config.version)
    version = fit(config.version, CONFIG_VERSION_WIDTH)
    payment_fields = [name for name, _ in _PAYMENT_FIELDS] + ["config_version"]
    adjustment_fields = [name for name, _ in _ADJUSTMENT_FIELDS]
    update_payments = _update_by_id(ClaimPayment, payment_fields)
    update_adjustments = _update_by_id(AdjustmentRow, adjustment_fields)
    now = utcnow()
    for ids in _payment_batches(session, claim_payment_ids, max(1, batch)):
        payments: list[dict[str, Any]] = []
        adjustments: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for item in _load(session, ids):
            report.payments_examined += 1
            # Adjustment results by the stored adjustment's id, not by list position.
            stored_result = classify_for_storage(
                config, item.claim, [a.id for a in item.adjustments]
            )
            values = _payment_values(stored_result.result)
            if values != item.stored or version != item.config_version:
                report.payments_changed += values != item.stored
                report.payments_restamped += values == item.stored
                row = dict(zip(payment_fields, (*values, version), strict=True))
                payments.append({"b_id": item.id, **{f"b_{k}": v for k, v in row.items()}})
            for stored in item.adjustments:
                report.adjustments_examined += 1
                new = tuple(stored_result.adjustments[stored.id].values())
                if new == stored.stored:
                    continue
                adjustments.append(
                    {"b_id": stored.id}
                    | {f"b_{k}": v for k, v in zip(adjustment_fields, new, strict=True)}
                )
                old_cause, old_rule = stored.stored[_ROOT_CAUSE], stored.stored[_RULE]
                new_cause, new_rule = new[_ROOT_CAUSE], new[_RULE]
                if old_rule is None and old_cause is None:
                    report.adjustments_first_classified += 1
                elif (old_cause, old_rule) == (new_cause, new_rule):
                    report.adjustments_rerouted += 1
                else:
                    report.adjustments_changed += 1
                    report.transitions[(old_cause, new_cause)] += 1
                    history.append(
                        {
                            "adjustment_id": stored.id,
                            "claim_payment_id": item.id,
                            "changed_at": now,
                            "old_root_cause": old_cause,
                            "old_rule_id": old_rule,
                            "old_config_version": item.config_version,
                            "new_root_cause": new_cause,
                            "new_rule_id": new_rule,
                            "new_config_version": version,
                        }
                    )
        if payments:
            session.execute(update_payments, payments)
        if adjustments:
            session.execute(update_adjustments, adjustments)
        if history:
            session.execute(insert(_table(ClassificationChange)), history)
    moved = follow_classification(
        session,
        config=workqueue,
        claim_payment_ids=claim_payment_ids,
        config_version=version,
    )
    # Payments and adjustments rewritten in place: the pages that keep figures see it here.
    mark_change(session, "reclassify")
    report.work_items_reclassified = len(moved)
    report.work_items_requeued = sum(1 for m in moved if m.old_queue != m.new_queue)
    report.seconds = time.perf_counter() - started
    return report


# --- explain one claim ----------------------------------------------------------------------

# CLP02 in our own short words (the code list itself is X12's).
