"""A test database (ingest into it, count its tables, query it) and a folder of inputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.orm import Session, sessionmaker

from denialscope.classify import ClassificationConfig
from denialscope.db.engine import open_database
from denialscope.db.locks import DEFAULT_LOCK_TIMEOUT_S
from denialscope.ingest.report import FileResult, IngestReport
from denialscope.ingest.service import ingest_paths

__all__ = ["Db", "Files"]


class Db:
    """One test database (the ``db`` fixture: fresh, migrated, on SQLite and PostgreSQL)."""

    def __init__(self, url: str, *, lock_timeout_s: int = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self.url = url
        engine, factory = open_database(url, lock_timeout_s=lock_timeout_s)
        self.engine: Engine = engine
        self.factory: sessionmaker[Session] = factory

    def ingest(self, *paths: str | Path, **options: Any) -> IngestReport:
        """Ingest as the command does; the report may hold failed files."""
        return ingest_paths(list(paths), session_factory=self.factory, **options)

    def ingest_all(
        self, paths: Iterable[str | Path], config: ClassificationConfig | None, **options: Any
    ) -> IngestReport:
        """Ingest classifying with ``config`` (None: the shipped defaults); every file must load."""
        report = ingest_paths(
            [str(p) for p in paths], session_factory=self.factory, classification=config, **options
        )
        assert not report.failed, report.to_dict()
        return report

    def session(self) -> Session:
        return self.factory()

    def ingest_one(self, path: str | Path, **options: Any) -> FileResult:
        report = self.ingest(path, **options)
        assert len(report.files) == 1, report.to_dict()
        return report.files[0]

    def counts(self) -> dict[str, int]:
        """Rows in every table the database has (as migrated, not as a list chosen here)."""
        names = [n for n in inspect(self.engine).get_table_names() if n != "alembic_version"]
        with self.factory() as session:
            return {
                name: session.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in sorted(names)
            }

    def rows(self, statement: Any) -> Sequence[Any]:
        with self.factory() as session:
            return session.execute(statement).all()

    def scalars(self, statement: Any) -> list[Any]:
        with self.factory() as session:
            return list(session.execute(statement).scalars())

    def dispose(self) -> None:
        self.engine.dispose()


class Files:
    """Writes test inputs into one folder; names are kept short because messages show them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def text(self, name: str, content: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="ascii")
        return path

    def raw(self, name: str, content: bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path
