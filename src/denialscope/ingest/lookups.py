"""Per-file caches that turn identifiers into row ids, creating the rows on first sight.

Ingest stores tens of thousands of claims per second, so it cannot ask the database about
each payer, provider or patient: these caches ask once per distinct key and remember.
They live for one file (one transaction), so a rolled-back file leaves no stale ids behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from denialscope.claims.models import Patient, patient_key_for
from denialscope.orgs.models import Payer, Provider, payer_key_for

__all__ = ["IdAllocator", "Lookups", "chunks", "clip", "table_of"]


def clip(value: str | None, size: int) -> str | None:
    """Trimmed text cut to its column's size, None when empty (PostgreSQL enforces sizes,
    SQLite does not: cutting here keeps both engines storing the same thing)."""
    text = (value or "").strip()
    return text[:size] or None


def table_of(model: Any) -> Table:
    """The Core table of a mapped class (typed, for executemany writes)."""
    return cast(Table, model.__table__)


def chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """Slices small enough for an IN (...) list on every engine."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class IdAllocator:
    """Primary keys handed out before rows are inserted, so children can point at parents
    and every table is written with one executemany.

    SQLite: ids continue from MAX(id); safe because the file's transaction already holds
    the write lock (its first statement is the source_files insert). PostgreSQL: ids come
    from the table's own sequence, so concurrent ingests never collide.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._next: dict[str, int] = {}

    def take(self, table: Table, count: int) -> list[int]:
        if count <= 0:
            return []
        name = table.name
        if self._postgres:
            rows = self._session.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": name, "n": count},
            )
            return [int(r[0]) for r in rows]
        start = self._next.get(name)
        if start is None:
            start = (
                int(
                    self._session.execute(
                        select(func.coalesce(func.max(table.c.id), 0))
                    ).scalar_one()
                )
                + 1
            )
        self._next[name] = start + count
        return list(range(start, start + count))


Person = tuple[str | None, dt.date | None, str | None, str | None, str | None]
ProviderInfo = tuple[str | None, str | None, str | None, str | None, str | None]


class Lookups:
    """Payers, providers and patients by their natural keys, for one file.

    ``prefetch_*`` resolves a whole batch with one query and one bulk insert; the single
    lookups then answer from the cache.
    """

    def __init__(
        self, session: Session, *, ids: IdAllocator | None = None, bulk: Any = None
    ) -> None:
        self.session = session
        self.ids = ids or IdAllocator(session)
        self._bulk: Any = bulk  # a BulkWriter, made on first use when not given
        self._payers: dict[str, int] = {}
        self._providers: dict[str, int] = {}
        self._patients: dict[str, int] = {}

    def payer(self, payer_id: str | None, name: str | None, qualifier: str | None) -> int | None:
        key = payer_key_for(payer_id, name)
        if key is None:
            return None
        found = self._payers.get(key)
        if found is not None:
            return found
        row = self.session.execute(select(Payer.id).where(Payer.payer_key == key)).first()
        if row is None:
            new_id = self.session.execute(
                insert(Payer).returning(Payer.id),
                [
                    {
                        "payer_key": key,
                        "name": (name or "").strip() or None,
                        "id_qualifier": qualifier or None,
                        "payer_id": (payer_id or "").strip() or None,
                        "kind": guess_payer_kind(name),
                        "kind_source": "name" if guess_payer_kind(name) else None,
                    }
                ],
            ).scalar_one()
        else:
            new_id = row[0]
        self._payers[key] = int(new_id)
        return int(new_id)

    def provider(
        self,
        npi: str | None,
        *,
        name: str | None = None,
        taxonomy: str | None = None,
        tax_id: str | None = None,
        role: str | None = None,
    ) -> int | None:
        npi = (npi or "").strip()
        if not npi:
            return None
        if npi not in self._providers:
            self.prefetch_providers([(npi, name, taxonomy, tax_id, role)])
        return self._providers[npi]

    def patient(
        self,
        member_id: str | None,
        birth_date: dt.date | None,
        last_name: str | None,
        first_name: str | None,
        sex: str | None = None,
    ) -> int | None:
        if not (member_id or last_name):
            return None
        key = patient_key_for(member_id, birth_date, last_name, first_name)
        if key not in self._patients:
            self.prefetch_patients([(member_id, birth_date, last_name, first_name, sex)])
        return self._patients[key]

    def _writer(self) -> Any:
        if self._bulk is None:
            from denialscope.ingest.bulk import BulkWriter

            self._bulk = BulkWriter(self.session)
        return self._bulk

    def prefetch_patients(self, people: Iterable[Person]) -> None:
        """Resolve (member id, birth date, last, first, sex) tuples in bulk."""
        wanted: dict[str, Person] = {}
        for person in people:
            member_id, birth, last, first, _sex = person
            if not (member_id or last):
                continue
            key = patient_key_for(member_id, birth, last, first)
            if key not in self._patients:
                wanted.setdefault(key, person)
        if not wanted:
            return
        keys = sorted(wanted)
        for part in chunks(keys):
            for pid, key in self.session.execute(
                select(Patient.id, Patient.patient_key).where(Patient.patient_key.in_(part))
            ):
                self._patients[key] = int(pid)
        missing = [k for k in keys if k not in self._patients]
        new_ids = self.ids.take(table_of(Patient), len(missing))
        rows = []
        for key, pid in zip(missing, new_ids, strict=True):
            member_id, birth, last, first, sex = wanted[key]
            rows.append(
                {
                    "id": pid,
                    "patient_key": key,
                    "member_id": (member_id or "").strip()[:80] or None,
                    "last_name": (last or "").strip()[:100] or None,
                    "first_name": (first or "").strip()[:100] or None,
                    "birth_date": birth,
                    "sex": (sex or "")[:1] or None,
                }
            )
            self._patients[key] = pid
        self._writer().insert(table_of(Patient), rows)

    def prefetch_providers(self, providers: Iterable[ProviderInfo]) -> None:
        """Resolve (npi, name, taxonomy, tax id, role) tuples in bulk."""
        wanted: dict[str, ProviderInfo] = {}
        for info in providers:
            npi = (info[0] or "").strip()
            if npi and npi not in self._providers:
                wanted.setdefault(npi, info)
        if not wanted:
            return
        npis = sorted(wanted)
        for part in chunks(npis):
            for pid, npi in self.session.execute(
                select(Provider.id, Provider.npi).where(Provider.npi.in_(part))
            ):
                self._providers[npi] = int(pid)
        missing = [n for n in npis if n not in self._providers]
        new_ids = self.ids.take(table_of(Provider), len(missing))
        rows = []
        for npi, pid in zip(missing, new_ids, strict=True):
            _, name, taxonomy, tax_id, role = wanted[npi]
            rows.append(
                {
                    "id": pid,
                    "npi": npi[:10],
                    "name": (name or "").strip()[:200] or None,
                    "taxonomy": (taxonomy or "").strip()[:10] or None,
                    "tax_id": (tax_id or "").strip()[:20] or None,
                    "role_hint": role,
                }
            )
            self._providers[npi] = pid
        self._writer().insert(table_of(Provider), rows)


_KIND_WORDS = (
    ("medicare", "medicare"),
    ("cms", "medicare"),
    ("medicaid", "medicaid"),
    ("medi-cal", "medicaid"),
)


def guess_payer_kind(name: str | None) -> str | None:
    """A first guess at payers.kind from the name; users correct it (the column is editable)."""
    label = (name or "").lower()
    for word, kind in _KIND_WORDS:
        if word in label:
            return kind
    return "commercial" if label else None
