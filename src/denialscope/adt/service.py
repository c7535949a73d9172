"""Intake flows: ADT files (HL7 v2 or FHIR bundles) and single messages into the census."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from denialscope.adt import fhir
from denialscope.adt.census import apply_event
from denialscope.adt.hl7v2 import AdtMessageError, ack, parse_message, split_messages
from denialscope.errors import UnreadableFileError

__all__ = ["LoadResult", "handle_message", "load_file"]

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    file: str
    applied: int = 0
    duplicates: int = 0
    rejected: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "applied": self.applied, "duplicates": self.duplicates,
                "rejected": self.rejected}  # fmt: skip


def handle_message(session: Session, *, text: str) -> tuple[str, str]:
    """Apply one HL7 message; return (ACK code, ACK message). Flushes, never commits."""
    try:
        event = parse_message(text)
        applied = apply_event(session, event=event)
    except AdtMessageError as exc:
        # Control id and reason only: the reason names fields, never their contents.
        log.warning("ADT message %s refused (%s): %s", exc.control_id or "-", exc.code, exc.message)
        return exc.code, ack(text, code=exc.code, control_id=exc.control_id, reason=exc.message)
    return "AA", ack(text, code="AA", control_id=applied.control_id)


def load_file(session: Session, *, path: Path) -> LoadResult:
    """Apply every message of an HL7 v2 file or a FHIR R4 bundle (JSON); flushes.

    A bad message is refused alone (as the listener would answer it with an error ACK) and
    reported with its line; the others are applied.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"{path}: {exc.strerror}", file=str(path)) from None
    result = LoadResult(file=str(path))
    text = raw.decode("latin-1")
    if text.lstrip().startswith("{"):
        try:
            bundle = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnreadableFileError(
                f"{path}: not valid JSON at line {exc.lineno} column {exc.colno}", file=str(path)
            ) from None
        events = fhir.bundle_events(bundle, file=str(path))
        for event in events:
            applied = apply_event(session, event=event)
            result.applied += not applied.duplicate
            result.duplicates += applied.duplicate
        return result
    if not text.lstrip().startswith("MSH"):
        raise UnreadableFileError(
            f"{path}: neither HL7 v2 (begins with MSH) nor a FHIR bundle (JSON)", file=str(path)
        )
    for line, message in split_messages(text):
        try:
            applied = apply_event(session, event=parse_message(message))
        except AdtMessageError as exc:
            log.warning(
                "%s line %d: ADT message %s refused: %s",
                path.name, line, exc.control_id or "-", exc.message,
            )  # fmt: skip
            result.rejected.append(
                {"line": line, "control_id": exc.control_id, "reason": exc.message}
            )
            continue
        result.applied += not applied.duplicate
        result.duplicates += applied.duplicate
    return result
