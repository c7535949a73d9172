"""FHIR R4 bundles (Encounter, Condition, Procedure, Patient, Coverage) as ADT events.

The JSON is read with the standard library: only a handful of elements matter here. Each
Encounter becomes one event whose control id is the Encounter's id and version (meta
versionId, else lastUpdated), so the same bundle loaded twice changes nothing and a newer
version of the Encounter is applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from denialscope.adt.events import AdtEvent, Coverage
from denialscope.errors import InputError

__all__ = ["bundle_events"]

# v3 ActCode encounter classes -> HL7 v2 patient class.
_CLASS = {"IMP": "I", "ACUTE": "I", "NONAC": "I", "OBSENC": "O", "AMB": "O", "EMER": "E"}
_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def _time(value: Any, where: str, file: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{file}: {where} is not a FHIR dateTime", file=file) from None
    return moment.replace(tzinfo=None)  # the facility's wall clock, as for HL7 v2


def _ref_id(reference: Any) -> str:
    text = str((reference or {}).get("reference") or "")
    return text.rsplit("/", 1)[-1]


def _code(concept: Any, system: str | None = None) -> str | None:
    for coding in (concept or {}).get("coding") or []:
        if system is None or coding.get("system") == system:
            code = coding.get("code")
            if code:
                return str(code)
    return None


def bundle_events(bundle: Any, *, file: str) -> list[AdtEvent]:
    """The events of a Bundle; raises :class:`InputError` naming the entry that is wrong."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InputError(f"{file}: not a FHIR Bundle (resourceType)", file=file)
    by_type: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = (entry or {}).get("resource")
        if not isinstance(resource, dict) or "resourceType" not in resource:
            raise InputError(f"{file}: entry {index} has no resource", file=file)
        by_type.setdefault(str(resource["resourceType"]), []).append((index, resource))
    patients = {str(r.get("id")): r for _, r in by_type.get("Patient", [])}
    coverages = [r for _, r in by_type.get("Coverage", [])]
    stamp = _time(bundle.get("timestamp"), "Bundle.timestamp", file)
    events = []
    for index, enc in by_type.get("Encounter", []):
        where = f"entry {index} (Encounter)"
        enc_id = str(enc.get("id") or "")
        ident = next((i.get("value") for i in enc.get("identifier") or [] if i.get("value")), None)
        visit = str(ident or enc_id)
        if not visit:
            raise InputError(f"{file}: {where} has neither identifier nor id", file=file)
        cls = _CLASS.get(str((enc.get("class") or {}).get("code") or ""))
        if cls is None:
            raise InputError(f"{file}: {where} class is not IMP, OBSENC, AMB or EMER", file=file)
        period = enc.get("period") or {}
        start = _time(period.get("start"), f"{where} period.start", file)
        end = _time(period.get("end"), f"{where} period.end", file)
        status = str(enc.get("status") or "")
        meta = enc.get("meta") or {}
        at = _time(meta.get("lastUpdated"), f"{where} meta.lastUpdated", file) or stamp or start
        if at is None:
            raise InputError(f"{file}: {where} has no time (meta.lastUpdated, period)", file=file)
        if status in ("cancelled", "entered-in-error"):
            event = "A11"
        elif status == "finished":
            event = "A03"
            at = end or at
        elif status in ("in-progress", "arrived", "planned", "triaged", "onleave"):
            event = "A01" if cls == "I" else "A04"
        else:
            raise InputError(f"{file}: {where} status {status!r} is not an encounter status",
                             file=file)  # fmt: skip
        ranked = sorted(
            enc.get("diagnosis") or [], key=lambda d: int(d.get("rank") or 99)
        )  # principal first
        order = [_ref_id(d.get("condition")) for d in ranked]
        conditions = {
            str(r.get("id")): _code(r.get("code"), _ICD10CM) or _code(r.get("code"))
            for _, r in by_type.get("Condition", [])
            if _ref_id(r.get("encounter")) == enc_id
        }
        dx = [code for c in order if (code := conditions.get(c))]
        dx += [code for cid, code in conditions.items() if code and cid not in order]
        procedures = tuple(
            f"{'CPT' if 'cpt' in str(_code_system(r)) else 'PCS'}:{_code(r.get('code'))}"
            for _, r in by_type.get("Procedure", [])
            if _ref_id(r.get("encounter")) == enc_id and _code(r.get("code"))
        )
        patient = patients.get(_ref_id(enc.get("subject")), {})
        birth = patient.get("birthDate")
        attending = next(
            (p.get("individual") or {} for p in enc.get("participant") or []
             if _code((p.get("type") or [{}])[0]) == "ATND"), {},
        )  # fmt: skip
        coverage = None
        if coverages:
            payor = (coverages[0].get("payor") or [{}])[0]
            coverage = Coverage(
                payer_id=(payor.get("identifier") or {}).get("value"),
                payer_name=payor.get("display"),
            )
        events.append(
            AdtEvent(
                control_id=f"FHIR:{visit}:{meta.get('versionId') or meta.get('lastUpdated') or at}",
                source="fhir",
                event=event,
                at=at,
                visit_number=visit,
                facility=((enc.get("serviceProvider") or {}).get("identifier") or {}).get("value"),
                patient_ref=_ref_id(enc.get("subject")) or None,
                birth_date=_birth(birth, where, file),
                sex={"male": "M", "female": "F"}.get(str(patient.get("gender")), "U"),
                patient_class=cls,
                admit_at=start,
                discharge_at=end,
                attending_npi=(attending.get("identifier") or {}).get("value"),
                attending_name=attending.get("display"),
                diagnoses=tuple(dx),
                procedures=procedures,
                coverage=coverage,
            )
        )
    return events


def _code_system(resource: dict[str, Any]) -> str:
    codings = (resource.get("code") or {}).get("coding") or [{}]
    return str(codings[0].get("system") or "")


def _birth(value: Any, where: str, file: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{file}: {where} patient birthDate is not a date", file=file) from None
