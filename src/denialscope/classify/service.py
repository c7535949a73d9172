"""Classification services on codes alone (no stored claim): explain a reason, list the causes.

:func:`explain_codes` is what ``denialscope codes explain`` and the web's look-up call: the
three-layer
classification of :func:`~denialscope.classify.engine.classify_adjustment`, the official
CARC/RARC texts when the user loaded them (``codes load``), whether the CARC is retired in
the configuration, and a note for each remark code that is not a current RARC (a mistyped
remark would otherwise silently change nothing). :func:`list_root_causes` is the taxonomy of
``codes list``: each root cause with its stream and how many CARCs and rules map to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from denialscope.classify.config import ClassificationConfig
from denialscope.classify.engine import Classification, classify_adjustment
from denialscope.classify.taxonomy import CLAIM_TYPES, STREAMS
from denialscope.errors import InputError

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = [
    "GROUP_CODES",
    "CodeExplanation",
    "CodeQuery",
    "RootCauseSummary",
    "explain_codes",
    "list_root_causes",
    "remark_notes",
]

GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")


@dataclass(frozen=True, slots=True)
class CodeQuery:
    """The reason codes and context explained, normalized (upper-case codes)."""

    group: str
    carc: str
    claim_rarcs: tuple[str, ...] = ()
    line_rarcs: tuple[str, ...] = ()
    claim_type: str | None = None
    payer: str | None = None
    department: str | None = None
    service_line: str | None = None
    procedure: str | None = None
    modifiers: tuple[str, ...] = ()
    adjudicated_on: dt.date | None = None
    claim_paid_nothing: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``input`` block of ``codes explain --json``."""
        return {
            "group": self.group,
            "carc": self.carc,
            "claim_rarcs": list(self.claim_rarcs),
            "line_rarcs": list(self.line_rarcs),
            "claim_type": self.claim_type,
            "payer": self.payer,
            "modifiers": list(self.modifiers),
            "claim_paid_nothing": self.claim_paid_nothing,
        }


@dataclass(frozen=True, slots=True)
class CodeExplanation:
    """How a reason is classified and why, with the official texts loaded."""

    query: CodeQuery
    classification: Classification
    official_description: str | None
    official_remarks: Mapping[str, str]  # remark code -> official text (loaded ones only)
    carc_retired: bool
    remark_notes: Mapping[str, str]  # remark code -> why it is suspicious

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON of ``codes explain --json``."""
        result = self.classification
        return {
            "input": self.query.to_dict(),
            **result.to_dict(),
            "owner": {"role": result.owner_role, "name": result.owner_name},
            "official_description": self.official_description,
            "official_remarks": dict(self.official_remarks),
            "carc_retired": self.carc_retired,
            "remark_notes": dict(self.remark_notes),
        }


def remark_notes(codes: Sequence[str]) -> dict[str, str]:
    """Remark codes that are not current RARCs, with what they are instead."""
    from denialscope.reference import rarc_numbers

    known = rarc_numbers()
    notes: dict[str, str] = {}
    for code in dict.fromkeys(codes):
        status = known.get(code)
        if status is None:
            notes[code] = "is not a RARC code in the published list (a typo?)"
        elif status != "current":
            notes[code] = f"is a {status} RARC code"
    return notes


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in values)


def explain_codes(
    *,
    config: ClassificationConfig,
    settings: Settings,
    group: str,
    carc: str,
    claim_rarcs: Sequence[str] = (),
    line_rarcs: Sequence[str] = (),
    claim_type: str | None = None,
    payer: str | None = None,
    department: str | None = None,
    service_line: str | None = None,
    procedure: str | None = None,
    modifiers: Sequence[str] = (),
    adjudicated_on: dt.date | None = None,
    claim_paid_nothing: bool | None = None,
) -> CodeExplanation:
    """Classify one group + CARC (+ remarks, context) under ``config`` and explain it.

    Official texts come from the lists loaded in ``settings.data_dir``. An unknown group
    code or claim type is an :class:`~denialscope.errors.InputError`.
    """
    from denialscope.classify.codes import official_codes

    group_code = group.strip().upper()
    if group_code not in GROUP_CODES:
        raise InputError(f"group {group!r}: expected {', '.join(GROUP_CODES)}", group=group)
    kind = claim_type.strip().lower() if claim_type is not None else None
    if kind is not None and kind not in CLAIM_TYPES:
        raise InputError(f"--claim-type {claim_type!r}: expected {', '.join(CLAIM_TYPES)}")
    query = CodeQuery(
        group=group_code,
        carc=carc.strip().upper(),
        claim_rarcs=_codes(claim_rarcs),
        line_rarcs=_codes(line_rarcs),
        claim_type=kind or None,
        payer=payer,
        department=department,
        service_line=service_line,
        procedure=procedure,
        modifiers=_codes(modifiers),
        adjudicated_on=adjudicated_on,
        claim_paid_nothing=claim_paid_nothing,
    )
    result = classify_adjustment(
        config,
        group=query.group,
        carc=query.carc,
        claim_rarcs=query.claim_rarcs,
        line_rarcs=query.line_rarcs,
        claim_type=query.claim_type,
        payer_id=payer,
        adjudicated_on=adjudicated_on,
        department=department,
        service_line=service_line,
        procedure_code=procedure,
        modifiers=query.modifiers,
        claim_paid_nothing=claim_paid_nothing,
    )
    remarks = [*query.claim_rarcs, *query.line_rarcs]
    official_carc = official_codes("carc", data=settings.data_dir).get(query.carc)
    rarc_list = official_codes("rarc", data=settings.data_dir)
    return CodeExplanation(
        query=query,
        classification=result,
        official_description=official_carc.description if official_carc else None,
        official_remarks={
            code: rarc_list[code].description
            for code in dict.fromkeys(remarks)
            if code in rarc_list
        },
        carc_retired=query.carc in config.deactivated_carcs,
        remark_notes=remark_notes(remarks),
    )


@dataclass(frozen=True, slots=True)
class RootCauseSummary:
    """One root cause of the taxonomy and how much of the configuration points at it."""

    stream: str
    root_cause: str
    label: str
    documentation_driven: bool
    mapped_carcs: int  # CARCs whose default rule (carc-*) gives this root cause
    context_rules: int  # other rules (remarks, context) that give it
    process_step: str | None
    owner_role: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "root_cause": self.root_cause,
            "label": self.label,
            "documentation_driven": self.documentation_driven,
            "mapped_carcs": self.mapped_carcs,
            "context_rules": self.context_rules,
            "process_step": self.process_step,
            "owner_role": self.owner_role,
        }


def list_root_causes(
    *, config: ClassificationConfig, stream: str | None = None
) -> list[RootCauseSummary]:
    """Every root cause (of ``stream``), by stream then id (InputError for an unknown stream)."""
    if stream is not None and stream not in STREAMS:
        raise InputError(f"--stream {stream!r}: expected one of {', '.join(STREAMS)}")
    default_carcs: dict[str, set[str]] = {}
    context_rules: dict[str, int] = {}
    for rule in config.rules:
        if rule.id.startswith("carc-") and rule.carcs is not None:
            default_carcs.setdefault(rule.root_cause, set()).update(rule.carcs)
        else:
            context_rules[rule.root_cause] = context_rules.get(rule.root_cause, 0) + 1
    rows = [
        RootCauseSummary(
            stream=cause.stream,
            root_cause=cause.id,
            label=cause.label,
            documentation_driven=cause.documentation_driven,
            mapped_carcs=len(default_carcs.get(cause.id, ())),
            context_rules=context_rules.get(cause.id, 0),
            process_step=cause.process_step,
            owner_role=cause.owner_role,
        )
        for cause in config.root_causes.values()
        if stream is None or cause.stream == stream
    ]
    rows.sort(key=lambda row: (STREAMS.index(row.stream), row.root_cause))
    return rows
