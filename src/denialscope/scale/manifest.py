"""What has been written to an output directory: one JSON line per file, by content identity.

Two identities, as ingest uses them: the SHA-256 of the bytes (a file sent twice is skipped
before it is read) and the content identity of what was read (the same claims and payments
sent again under new control numbers, another line ending or new envelope dates), computed
with :func:`denialscope.ingest.identity.fingerprint` per record. The content identity is the
sum of the record fingerprints modulo 2**256: it does not depend on record order nor on how
a file was split into parts, so parts read by separate Spark tasks add up to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from denialscope.errors import OutputError
from denialscope.ingest.identity import fingerprint

__all__ = ["MANIFEST_FILE", "Manifest", "ManifestEntry", "content_sum", "record_identity"]

MANIFEST_FILE = "_manifest.jsonl"
_MOD = 2**256


def record_identity(record: Any) -> int:
    """A record's content fingerprint as an integer, ready to be summed."""
    return int(fingerprint(record), 16)


def content_sum(values: Iterable[int]) -> str:
    """Combine record identities (or partial sums given as hex) into one content identity."""
    total = 0
    for v in values:
        total = (total + v) % _MOD
    return f"{total:064x}"


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    sha256: str
    content: str  # content identity, see the module docstring
    name: str
    size: int
    rows: int
    file_date: str | None
    schema_version: int
    duplicate_of: str | None = None  # sha256 of the file that had this content first


class Manifest:
    """The manifest of one output directory; read once, appended to after each write."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST_FILE
        self.entries: list[ManifestEntry] = []
        if self.path.is_file():
            for number, line in enumerate(self.path.read_text("utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    self.entries.append(ManifestEntry(**json.loads(line)))
                except (ValueError, TypeError) as exc:
                    raise OutputError(
                        f"{self.path} line {number}: not a manifest entry ({exc})",
                        file=str(self.path),
                    ) from exc
        self.by_sha = {e.sha256: e for e in self.entries}
        self.by_content = {e.content: e for e in self.entries if e.duplicate_of is None}

    def add(self, entries: Iterable[ManifestEntry]) -> None:
        new = list(entries)
        if not new:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                for e in new:
                    fh.write(json.dumps(asdict(e), sort_keys=True) + "\n")
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {exc}", file=str(self.path)) from exc
        for e in new:
            self.entries.append(e)
            self.by_sha[e.sha256] = e
            if e.duplicate_of is None:
                self.by_content.setdefault(e.content, e)
