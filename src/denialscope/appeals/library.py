"""The reference library appeal letters cite: coverage determinations, coding guidelines,
payer bulletins. Users maintain it as YAML (``<data dir>/appeals/references.yaml`` replaces the
shipped example); each entry says which root causes, payer kinds or payer ids it supports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import yaml

from denialscope.errors import ConfigurationError

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = ["DEFAULT_LIBRARY", "Reference", "citations_for", "library_path", "load_references"]

DEFAULT_LIBRARY: Final = Path(__file__).with_name("references.yaml")


@dataclass(slots=True, frozen=True)
class Reference:
    id: str
    title: str
    source: str = ""
    note: str = ""
    root_causes: tuple[str, ...] = ()
    payer_kinds: tuple[str, ...] = ()  # empty: every payer
    payer_ids: tuple[str, ...] = ()


def library_path(*, settings: Settings | None = None) -> Path:
    """The organization's library (in the data directory of ``settings``) when it has one,
    else the shipped example."""
    own = settings.references_file if settings is not None else None
    return own if own is not None and own.is_file() else DEFAULT_LIBRARY


def _texts(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigurationError(f"{where}: expected a list")
    return tuple(str(value) for value in raw)


def load_references(path: Path | None = None) -> list[Reference]:
    """Every entry of the library; ConfigurationError names the file and entry at fault."""
    path = path or library_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"{path}: cannot read the reference library: {error}") from error
    entries = data.get("references") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigurationError(f"{path}: expected a 'references:' list")
    references = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: reference {number}"
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("title"):
            raise ConfigurationError(f"{where}: needs an id and a title")
        references.append(
            Reference(
                id=str(entry["id"]),
                title=str(entry["title"]),
                source=str(entry.get("source") or ""),
                note=str(entry.get("note") or ""),
                root_causes=_texts(entry.get("root_causes"), f"{where}.root_causes"),
                payer_kinds=_texts(entry.get("payer_kinds"), f"{where}.payer_kinds"),
                payer_ids=_texts(entry.get("payer_ids"), f"{where}.payer_ids"),
            )
        )
    return references


def citations_for(
    references: list[Reference],
    *,
    root_cause: str,
    payer_kind: str | None,
    payer_id: str | None,
) -> list[Reference]:
    """The entries that support an appeal of ``root_cause`` to this payer."""
    chosen = []
    for ref in references:
        if ref.root_causes and root_cause not in ref.root_causes:
            continue
        if ref.payer_kinds and payer_kind not in ref.payer_kinds:
            continue
        if ref.payer_ids and payer_id not in ref.payer_ids:
            continue
        chosen.append(ref)
    return chosen
