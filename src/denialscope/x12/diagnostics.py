"""Diagnostics: what is wrong in a file, said precisely and never raised.

Readers collect :class:`Diagnostic` objects in a :class:`DiagnosticSink`; only input that
cannot be read at all raises (see ``denialscope.errors.UnreadableFileError``).

A diagnostic never carries patient data. The sink masks what readers hand it, so every
reader (and every later consumer: ``parse``, ``parse --json``, the stored ``diagnostics_json``,
logs) is safe without each call site remembering:

* the segment id is the id alone: when separators are wrong a reader's "segment id" is the
  whole segment (``NM1|QC|1|DOE|JANE||||MI|...``); only its leading id (``NM1``) is kept, in
  the field and in the message;
* the value is kept as read only for rules whose values are codes, counts, amounts or
  control numbers (:data:`CODE_VALUE_RULES`), outside name, address and demographic
  segments; any other value (a date of service, a birth date, an identifier) becomes its
  shape, digits as ``9`` and letters as ``X`` (``20251311`` -> ``99999999``), which says
  what is wrong without saying what it was. The raw value is replaced in the message too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "CODE_VALUE_RULES",
    "PRIVATE_SEGMENTS",
    "Diagnostic",
    "DiagnosticSink",
    "Severity",
    "mask_value",
    "safe_segment_id",
    "shape",
]

# Rules whose values are never patient data: envelope and tokenizer values are control
# numbers, counts and delimiters; the others are code values, amounts or positions.
CODE_VALUE_PREFIXES: Final = ("envelope.", "tokenizer.", "balance.")
CODE_VALUE_RULES: Final = frozenset(
    {
        "element.amount",
        "remit835.claim_status",
        "remit835.cas_group",
        "remit835.cas_reason",
        "remit835.plb_reason",
        "remit835.code_value",
        "remit835.number_range",
        "claim837.frequency",
        "claim837.hl_id",
        "claim837.hl_parent",
        "claim837.diagnosis_pointer",
        "claim837.facility_qualifier",
        "claim837.hi_qualifier",
        "claim837.hl_level",
        "claim837.hl_child_code",
        "claim837.patient_relationship",
        "ack277ca.category_code",
        "ack277ca.action_code",
        "ack277ca.action_mismatch",
        "ack277ca.hl_level",
        "ack277ca.hl_parent",
        "ack999.ik5_code",
        "ack999.ak9_code",
        "ack999.ak9_count",
        "ack999.number",
    }
)
# Segments that hold names, addresses, identifiers, birth dates or free text about a person.
PRIVATE_SEGMENTS: Final = frozenset(
    {"DMG", "NM1", "N3", "N4", "PER", "REF", "TRN", "CTX", "IK4", "NTE", "PAT", "INS", "DTP"}
)
_SEGMENT_ID: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_LEADING_ID: Final = re.compile(r"[A-Za-z][A-Za-z0-9]{1,2}")
# A code, count or control number: short and plain. Anything else is masked even under a
# code rule (wrong separators can put a whole segment in a "control number").
_PLAIN_CODE: Final = re.compile(r"[A-Za-z0-9 .+\-]{0,30}")
# In a name or address segment only a qualifier (NM101 "IL", REF01 "EA") can be a code.
QUALIFIER_MAX: Final = 3
SHAPE_MAX: Final = 20


def safe_segment_id(raw: str | None) -> str | None:
    """The segment id alone: ``NM1|QC|1|DOE`` (wrong separators) -> ``NM1``."""
    if raw is None or _SEGMENT_ID.fullmatch(raw):
        return raw
    found = _LEADING_ID.match(raw)
    return found[0].upper() if found else "?"


def shape(value: str) -> str:
    """What a value looks like without what it is: digits 9, letters X, the rest kept."""
    masked = "".join("9" if c.isdigit() else "X" if c.isalpha() else c for c in value)
    return masked if len(masked) <= SHAPE_MAX else masked[:SHAPE_MAX] + "…"


def mask_value(rule: str, segment_id: str | None, value: str | None) -> str | None:
    """``value`` as read when it is a code under a code rule, else its :func:`shape`."""
    if value is None:
        return None
    is_code_rule = rule in CODE_VALUE_RULES or rule.startswith(CODE_VALUE_PREFIXES)
    short = segment_id not in PRIVATE_SEGMENTS or len(value) <= QUALIFIER_MAX
    if is_code_rule and short and _PLAIN_CODE.fullmatch(value):
        return value
    return shape(value)


class Severity(StrEnum):
    ERROR = "error"  # the data is wrong and a record may be incomplete
    WARNING = "warning"  # the data breaks the guide but was read
    INFO = "info"  # worth knowing, nothing lost


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    rule: str  # stable id such as "envelope.se_count"; documented in docs/diagnostics.md
    message: str  # a sentence a biller understands
    file: str
    segment_index: int | None = None  # 1-based position of the segment in the file
    offset: int | None = None  # byte offset of the segment's first byte
    segment_id: str | None = None
    element: int | None = None  # 1-based element position (CLP02 -> 2)
    value: str | None = None
    interchange: str | None = None  # ISA13
    transaction: str | None = None  # ST02

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    def location(self) -> str:
        parts = []
        if self.segment_index is not None:
            parts.append(f"segment {self.segment_index}")
        if self.segment_id:
            el = f"{self.segment_id}{self.element:02d}" if self.element else self.segment_id
            parts.append(el)
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts)


class DiagnosticSink:
    """Collects diagnostics for one file, stamping each with the current envelope context."""

    __slots__ = ("_limit", "dropped", "file", "interchange", "items", "transaction")

    def __init__(self, file: str, *, limit: int = 10_000) -> None:
        self.file = file
        self.items: list[Diagnostic] = []
        self.interchange: str | None = None
        self.transaction: str | None = None
        self._limit = limit  # a broken generator can emit millions; keep memory bounded
        self.dropped = 0

    def report(
        self,
        severity: Severity,
        rule: str,
        message: str,
        *,
        index: int | None = None,
        offset: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        value: str | None = None,
    ) -> None:
        if len(self.items) >= self._limit:
            self.dropped += 1
            return
        short_id = safe_segment_id(segment_id)
        if segment_id and short_id != segment_id:
            message = message.replace(segment_id, f"{short_id}…")
        masked = mask_value(rule, short_id, value)
        if value and masked != value:
            # Whole tokens only: a value "30" must not mask "30.00" in another figure.
            token = rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])"
            message = re.sub(token, masked or "", message)
        segment_id, value = short_id, masked
        self.items.append(
            Diagnostic(
                severity=severity,
                rule=rule,
                message=message,
                file=self.file,
                segment_index=index,
                offset=offset,
                segment_id=segment_id,
                element=element,
                value=value,
                interchange=self.interchange,
                transaction=self.transaction,
            )
        )

    def error(self, rule: str, message: str, **where: Any) -> None:
        self.report(Severity.ERROR, rule, message, **where)

    def warning(self, rule: str, message: str, **where: Any) -> None:
        self.report(Severity.WARNING, rule, message, **where)

    def info(self, rule: str, message: str, **where: Any) -> None:
        self.report(Severity.INFO, rule, message, **where)

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.items if d.severity is Severity.ERROR)
