"""837 claims -> claims, claim_versions, diagnoses, procedures, codes and lines.

The same claim (CLM01 + billing NPI) arriving again, as a replacement (frequency 7), a void
(8) or a plain resend, becomes a new version of the one claim row: the header and codes take
the latest submission, lines are updated in place by line number (so remittance lines
already matched to them stay matched), and every submission is kept in claim_versions.
A stub made earlier for a remittance without its claim is filled in the same way.
Which stored claim a submission belongs to, if any, is decided from its content
(claim_identity.py): the same claim resent stores nothing, and an original that reuses a
claim number is never a quiet replacement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from denialscope.claims.models import (
    Claim as ClaimRow,
)
from denialscope.claims.models import (
    ClaimCode,
    ClaimDiagnosis,
    ClaimLine,
    ClaimProcedure,
    ClaimVersion,
    claim_key_for,
)
from denialscope.db.base import utcnow
from denialscope.ingest.claim_identity import (
    StoredClaim,
    claim_fingerprint,
    decide,
)
from denialscope.ingest.identity import IdentityFinding
from denialscope.ingest.lookups import ProviderInfo, chunks, clip, table_of
from denialscope.ingest.scope import FileScope
from denialscope.x12.claim837.records import Claim, Party

__all__ = ["ClaimStore"]

BATCH = 1000
_CODE_KINDS = {
    "occurrence": "occurrence",
    "occurrence_span": "occurrence_span",
    "value": "value",
    "condition": "condition",
}


def _npi(party: Party | None) -> str | None:
    if party is None or party.id_qualifier != "XX":
        return None
    return clip(party.identifier, 10)


class ClaimStore:
    """Buffers claims of one file and writes them in batches."""

    def __init__(self, scope: FileScope, *, file_date: dt.date) -> None:
        self.scope = scope
        self.file_date = file_date
        self._pending: list[Claim] = []
        self._pending_keys: set[str] = set()
        self.stored = 0
        self.lines = 0
        self.control_numbers: set[str] = set()  # for matching remittances that came first
        self.findings: list[IdentityFinding] = []
        self.duplicates = 0  # claims already stored with the same content
        self.claim_ids: set[int] = set()  # claims this file stored a version of

    def add(self, claim: Claim) -> None:
        key = claim_key_for(claim.control_number, claim.billing_provider.identifier)
        if key in self._pending_keys:  # the same claim twice in one batch: keep their order
            self.flush()
        self._pending.append(claim)
        self._pending_keys.add(key)
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        claims, self._pending = self._pending, []
        self._pending_keys = set()
        if not claims:
            return
        fps = [claim_fingerprint(c) for c in claims]
        stored = self._stored(claims)
        keys: list[str] = []
        targets: list[StoredClaim | None] = []
        kept: list[Claim] = []
        kept_fps: list[str] = []
        for claim, fp in zip(claims, fps, strict=True):
            base = claim_key_for(claim.control_number, claim.billing_provider.identifier)
            decision = decide(claim, base=base, fp=fp, stored=stored.get(base, []))
            if decision.finding is not None:
                self.findings.append(decision.finding)
            if not decision.store:
                self.duplicates += 1
                continue
            kept.append(claim)
            kept_fps.append(fp)
            keys.append(decision.key)
            targets.append(decision.target)
        claims = kept
        if not claims:
            return
        table = table_of(ClaimRow)
        self._prefetch(claims)
        new_ids = iter(self.scope.ids.take(table, sum(1 for t in targets if t is None)))
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        claim_ids: list[int] = []
        for claim, key, target, fp in zip(claims, keys, targets, kept_fps, strict=True):
            header = self._header(claim, key)
            submitted = header["submitted_at"]  # this submission's own date
            if target is not None:
                claim_id, is_stub = target.id, target.is_stub
                first_submitted = target.submitted_at
                version = 1 if is_stub else target.current_version + 1
                if not is_stub and first_submitted is not None:
                    # Denials are counted in the cohort of the ORIGINAL submission month; a
                    # correction months later must not move the claim (claim_versions keeps
                    # each submission's own date).
                    header["submitted_at"] = first_submitted
                header.update(b_id=claim_id, current_version=version, is_stub=False, updated_at=now)
                updates.append(header)
            else:
                claim_id, version = next(new_ids), 1
                header.update(
                    id=claim_id, current_version=1, is_stub=False, created_at=now, updated_at=now
                )
                inserts.append(header)
            claim_ids.append(claim_id)
            versions.append(
                {
                    "claim_id": claim_id,
                    "version_no": version,
                    "frequency": clip(claim.frequency, 1),
                    "source_file_id": self.scope.source_file_id,
                    "submitted_at": submitted,
                    "total_charge": claim.total_charge,
                    "original_payer_claim_number": clip(claim.original_claim_number, 50),
                    "fingerprint": fp,
                    "transaction_control": _transaction_control(claim),
                }
            )
            self.control_numbers.add(claim.control_number.strip())
        self.scope.bulk.insert(table, inserts)
        if updates:
            cols: dict[str, Any] = {k: bindparam(k) for k in updates[0] if k != "b_id"}
            self.scope.session.execute(
                update(table).where(table.c.id == bindparam("b_id")).values(cols),
                updates,
                execution_options={"synchronize_session": False},
            )
            updated = [u["b_id"] for u in updates]
            for model in (ClaimDiagnosis, ClaimProcedure, ClaimCode):
                for part in chunks(updated):
                    self.scope.session.execute(
                        delete(model).where(model.claim_id.in_(part)),
                        execution_options={"synchronize_session": False},
                    )
        self.scope.bulk.insert(table_of(ClaimVersion), versions)
        self._codes(claims, claim_ids)
        self._lines(claims, claim_ids, {u["b_id"] for u in updates})
        self.stored += len(claims)
        self.claim_ids.update(claim_ids)

    def _prefetch(self, claims: Sequence[Claim]) -> None:
        people = []
        providers: list[ProviderInfo] = []
        for c in claims:
            pp = c.patient_party
            people.append(
                (c.subscriber.party.identifier, pp.birth_date, pp.name, pp.first_name, pp.sex)
            )
            b = c.billing_provider
            providers.append((_npi(b), b.name, b.taxonomy, b.ref("EI") or b.ref("SY"), "billing"))
            for party, role in (
                (c.rendering_provider, "rendering"),
                (c.attending_provider, "attending"),
                (c.referring_provider, "referring"),
            ):
                if party is not None:
                    providers.append((_npi(party), _full_name(party), party.taxonomy, None, role))
            for ln in c.lines:
                r = ln.rendering_provider
                if r is not None:
                    providers.append((_npi(r), _full_name(r), r.taxonomy, None, "rendering"))
        self.scope.lookups.prefetch_patients(people)
        self.scope.lookups.prefetch_providers(providers)

    def _header(self, c: Claim, key: str) -> dict[str, Any]:
        lk = self.scope.lookups
        billing = c.billing_provider
        billing_npi = _npi(billing)
        rendering = c.rendering_provider or (c.lines[0].rendering_provider if c.lines else None)
        attending = c.attending_provider
        referring = c.referring_provider
        patient = c.patient_party
        member_id = c.subscriber.party.identifier
        principal = c.principal_diagnosis
        doer = rendering or attending or billing
        org = self.scope.resolver.resolve(
            rendering_npi=_npi(rendering) or _npi(attending),
            billing_npi=billing_npi,
            taxonomy=(doer.taxonomy or billing.taxonomy) or None,
            facility_code=c.facility_code or None,
        )
        return {
            "claim_key": key[:120],
            "control_number": c.control_number.strip()[:50],
            "kind": clip(c.kind, 4),
            "claim_type": c.claim_type,
            "payer_id": lk.payer(c.payer.identifier, c.payer.name, c.payer.id_qualifier),
            "patient_id": lk.patient(
                member_id, patient.birth_date, patient.name, patient.first_name, patient.sex
            ),
            "billing_provider_id": lk.provider(
                billing_npi,
                name=billing.name,
                taxonomy=billing.taxonomy,
                tax_id=billing.ref("EI") or billing.ref("SY"),
                role="billing",
            ),
            "rendering_provider_id": lk.provider(
                _npi(rendering),
                name=_full_name(rendering),
                taxonomy=rendering.taxonomy if rendering else None,
                role="rendering",
            ),
            "attending_provider_id": lk.provider(
                _npi(attending),
                name=_full_name(attending),
                taxonomy=attending.taxonomy if attending else None,
                role="attending",
            ),
            "referring_provider_id": lk.provider(
                _npi(referring), name=_full_name(referring), role="referring"
            ),
            "facility_id": org.facility_id,
            "department_id": org.department_id,
            "service_line": clip(org.service_line, 80),
            "facility_code": clip(c.facility_code, 4),
            "frequency": clip(c.frequency, 1),
            "total_charge": c.total_charge,
            "statement_from": c.statement_from or c.service_from,
            "statement_to": c.statement_to or c.service_to,
            "admission_date": c.admission_date,
            "discharge_date": c.discharge_date,
            "admission_type": clip(c.admission_type, 2),
            "patient_status": clip(c.patient_status, 2),
            "drg": clip(c.drg, 4),
            "principal_dx": clip(principal.code if principal else None, 8),
            "prior_auth": clip(c.prior_authorization, 50),
            "filing_indicator": clip(c.subscriber.filing_indicator, 2),
            "referral": clip(c.referral_number, 50),
            "original_payer_claim_number": clip(c.original_claim_number, 50),
            "medical_record": clip(c.medical_record_number, 50),
            "submitted_at": c.submission.created or self.file_date,
            "source_file_id": self.scope.source_file_id,
        }

    def _codes(self, claims: Sequence[Claim], claim_ids: Sequence[int]) -> None:
        diagnoses: list[dict[str, Any]] = []
        procedures: list[dict[str, Any]] = []
        codes: list[dict[str, Any]] = []
        for claim, claim_id in zip(claims, claim_ids, strict=True):
            for seq, dx in enumerate(claim.diagnoses, 1):
                diagnoses.append(
                    {
                        "claim_id": claim_id,
                        "seq": seq,
                        "qualifier": dx.qualifier[:3],
                        "code": dx.code[:8],
                        "poa": clip(dx.poa, 1),
                    }
                )
            for seq, px in enumerate(claim.procedures, 1):
                procedures.append(
                    {
                        "claim_id": claim_id,
                        "seq": seq,
                        "qualifier": px.qualifier[:3],
                        "code": px.code[:8],
                        "date": px.date,
                    }
                )
            for kind, entries in (
                ("occurrence", claim.occurrence_codes),
                ("occurrence_span", claim.occurrence_spans),
                ("value", claim.value_codes),
                ("condition", claim.condition_codes),
            ):
                for entry in entries:
                    codes.append(
                        {
                            "claim_id": claim_id,
                            "kind": _CODE_KINDS[kind],
                            "code": entry.code[:4],
                            "date_from": entry.date,
                            "date_to": entry.end_date,
                            "amount": entry.amount,
                        }
                    )
        for model, rows in (
            (ClaimDiagnosis, diagnoses),
            (ClaimProcedure, procedures),
            (ClaimCode, codes),
        ):
            self.scope.bulk.insert(table_of(model), rows)

    def _lines(self, claims: Sequence[Claim], claim_ids: Sequence[int], updated: set[int]) -> None:
        current: dict[tuple[int, int], int] = {}
        line_table = table_of(ClaimLine)
        if updated:
            for part in chunks(sorted(updated)):
                for found in self.scope.session.execute(
                    select(line_table.c.id, line_table.c.claim_id, line_table.c.line_no).where(
                        line_table.c.claim_id.in_(part)
                    )
                ):
                    current[(found.claim_id, found.line_no)] = found.id
        rows_new: list[dict[str, Any]] = []
        rows_upd: list[dict[str, Any]] = []
        keep: set[int] = set()
        for claim, claim_id in zip(claims, claim_ids, strict=True):
            for number, ln in enumerate(claim.lines, 1):
                line_no = ln.number or number
                row: dict[str, Any] = {
                    "claim_id": claim_id,
                    "line_no": line_no,
                    "line_control": clip(ln.control_number, 50),
                    "procedure_qualifier": clip(ln.procedure_qualifier, 2),
                    "procedure": clip(ln.procedure, 48),
                    "modifiers": clip(",".join(m for m in ln.modifiers if m), 20),
                    "revenue_code": clip(ln.revenue_code, 4),
                    "charge": ln.charge,
                    "units": ln.units,
                    "place_of_service": clip(ln.place_of_service, 2)
                    or (clip(claim.facility_code, 2) if claim.kind == "837P" else None),
                    "diagnosis_pointers": clip(",".join(str(p) for p in ln.diagnosis_pointers), 20),
                    "service_from": ln.service_from or claim.service_from,
                    "service_to": ln.service_to or ln.service_from or claim.service_to,
                    "rendering_provider_id": self.scope.lookups.provider(
                        _npi(ln.rendering_provider),
                        name=_full_name(ln.rendering_provider),
                        taxonomy=ln.rendering_provider.taxonomy if ln.rendering_provider else None,
                        role="rendering",
                    ),
                    "ndc": clip(ln.drug.ndc if ln.drug else None, 20),
                }
                existing = current.get((claim_id, line_no))
                if existing is not None:
                    row["b_id"] = existing
                    keep.add(existing)
                    rows_upd.append(row)
                else:
                    rows_new.append(row)
        if rows_upd:
            cols: dict[str, Any] = {k: bindparam(k) for k in rows_upd[0] if k != "b_id"}
            self.scope.session.execute(
                update(line_table).where(line_table.c.id == bindparam("b_id")).values(cols),
                rows_upd,
                execution_options={"synchronize_session": False},
            )
        gone = [line_id for line_id in current.values() if line_id not in keep]
        for part in chunks(gone):
            self.scope.session.execute(
                delete(ClaimLine).where(ClaimLine.id.in_(part)),
                execution_options={"synchronize_session": False},
            )
        if rows_new:
            ids = self.scope.ids.take(line_table, len(rows_new))
            for new_row, line_id in zip(rows_new, ids, strict=True):
                new_row["id"] = line_id
            self.scope.bulk.insert(line_table, rows_new)
        self.lines += len(rows_new) + len(rows_upd)

    def _stored(self, claims: Sequence[Claim]) -> dict[str, list[StoredClaim]]:
        """Stored claims by base key (CLM01|NPI), separate claims of a reused number included."""
        numbers = sorted({c.control_number.strip()[:50] for c in claims})
        table = table_of(ClaimRow)
        rows: list[Any] = []
        for part in chunks(numbers):
            rows.extend(
                self.scope.session.execute(
                    select(
                        table.c.id,
                        table.c.claim_key,
                        table.c.current_version,
                        table.c.is_stub,
                        table.c.submitted_at,
                        table.c.statement_from,
                        table.c.statement_to,
                        table.c.total_charge,
                    ).where(table.c.control_number.in_(part))
                ).all()
            )
        prints: dict[int, set[str]] = {r.id: set() for r in rows}
        vt = table_of(ClaimVersion)
        for part in chunks(sorted(prints)):
            for claim_id, fp in self.scope.session.execute(
                select(vt.c.claim_id, vt.c.fingerprint).where(
                    vt.c.claim_id.in_(part), vt.c.fingerprint.is_not(None)
                )
            ):
                prints[claim_id].add(fp)
        out: dict[str, list[StoredClaim]] = {}
        for r in sorted(rows, key=lambda r: r.id):
            number, npi = r.claim_key.split("|")[:2]
            out.setdefault(f"{number}|{npi}", []).append(
                StoredClaim(
                    id=r.id,
                    claim_key=r.claim_key,
                    current_version=r.current_version,
                    is_stub=r.is_stub,
                    submitted_at=r.submitted_at,
                    service_from=r.statement_from,
                    service_to=r.statement_to,
                    total_charge=r.total_charge,
                    fingerprints=frozenset(prints[r.id]),
                )
            )
        return out


def _full_name(party: Party | None) -> str | None:
    if party is None:
        return None
    if party.first_name:
        return f"{party.name}, {party.first_name}"
    return party.name or None


def _transaction_control(claim: Any) -> str | None:
    """ "GS06/ST02" of the claim's 837 transaction set, as a 999 names it (None if unknown)."""
    transaction = getattr(claim, "transaction", None)
    if transaction is None or transaction.group is None:
        return None
    return f"{transaction.group.control}/{transaction.control}"[:50]
