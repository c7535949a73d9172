"""277CA claim acknowledgments and 999 transaction-set acknowledgments -> acknowledgments.

A front-end rejection means the payer never adjudicated the claim; it is stored apart from
denials (which only come from 835s) and linked to the claim by its CLM01 when known.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.ingest.lookups import chunks
from denialscope.x12.ack.records import ClaimAcknowledgment, TransactionAcknowledgment

__all__ = ["AckStore", "ack_row"]


def _status(accepted: bool, rejected: bool, with_errors: bool = False) -> str:
    if rejected:
        return "rejected"
    if accepted and with_errors:
        return "accepted_with_errors"
    return "accepted" if accepted else "rejected"


def ack_row(rec: ClaimAcknowledgment | TransactionAcknowledgment) -> dict[str, Any]:
    """The stored row of one acknowledgment (no file or claim link): also the Parquet row."""
    if isinstance(rec, ClaimAcknowledgment):
        categories = [c.category for st in rec.statuses for c in st.codes]
        codes = [c.code for st in rec.statuses for c in st.codes]
        when = next((st.effective_date for st in rec.statuses if st.effective_date), None)
        return {
            "kind": "277CA",
            "control_number": (rec.clearinghouse_trace or "")[:50] or None,
            "patient_control_number": rec.patient_control_number.strip()[:50] or None,
            "payer_claim_number": rec.payer_claim_number[:50] or None,
            # pending (P*/R*) means the claim got in; unknown: no usable status.
            "status": {"pending": "accepted"}.get(rec.outcome, rec.outcome),
            "category_codes": ",".join(categories)[:100] or None,
            "status_codes": ",".join(codes)[:200] or None,
            # The payer's free text may name the patient: not copied.
            "details_json": json.dumps(
                {"actions": [st.action for st in rec.statuses]}, separators=(",", ":")
            ),
            "acknowledged_at": when,
        }
    else:
        code = rec.code
        return {
            "kind": "999",
            "control_number": f"{rec.group_control}/{rec.set_control}"[:50],
            "patient_control_number": None,
            "payer_claim_number": None,
            "status": _status(rec.accepted, rec.rejected, code == "E"),
            "category_codes": code or None,
            "status_codes": ",".join(rec.error_codes)[:200] or None,
            # Segment/element positions only: IK4 bad values may hold patient data.
            "details_json": json.dumps(
                {
                    "set_id": rec.set_id,
                    "errors": [
                        {
                            "segment": e.segment_id,
                            "position": e.position,
                            "code": e.code,
                            "elements": [
                                {"position": el.position, "code": el.code} for el in e.elements
                            ],
                        }
                        for e in rec.errors
                    ],
                },
                separators=(",", ":"),
            ),
            "acknowledged_at": None,
        }


class AckStore:
    def __init__(self, session: Session, *, source_file_id: int) -> None:
        self.session = session
        self.source_file_id = source_file_id
        self._rows: list[dict[str, Any]] = []
        self.stored = 0

    def add(self, rec: ClaimAcknowledgment | TransactionAcknowledgment) -> None:
        self._rows.append({"source_file_id": self.source_file_id, **ack_row(rec)})

    def flush(self) -> None:
        rows, self._rows = self._rows, []
        if not rows:
            return
        numbers = sorted({r["patient_control_number"] for r in rows if r["patient_control_number"]})
        claim_of: dict[str, int] = {}
        for part in chunks(numbers):
            for cid, number in self.session.execute(
                select(Claim.id, Claim.control_number).where(Claim.control_number.in_(part))
            ):
                claim_of.setdefault(number, cid)
        for r in rows:
            r["claim_id"] = claim_of.get(r["patient_control_number"] or "")
        from denialscope.acks.models import Acknowledgment

        self.session.execute(insert(Acknowledgment), rows)
        self.stored += len(rows)
