"""A full disk: one clear line, a consistent database, totals of what was saved only.

On SQLite the disk really fills (``PRAGMA max_page_count`` caps the database file at its
size while the second file is being stored, so SQLite reports SQLITE_FULL); on PostgreSQL
the server's ``DiskFull`` error is raised at the same point.
"""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3
from decimal import Decimal as D

import psycopg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.db.failures import DiskFullError, LockTimeoutError, database_failure
from factories.database import Db, Files
from factories.x12text import Clm, Line, x12_837p

DAY = dt.date(2024, 2, 1)


def _file(files: Files, name: str, prefix: str, control: int) -> str:
    claims = [Clm(f"{prefix}{i}", [Line("99213", D(100), DAY)]) for i in range(200)]
    return str(files.text(name, x12_837p(claims, control=control)))


def _fill_the_disk(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        session.execute(text(f"PRAGMA max_page_count = {pages}"))
        # More rows than the remaining free pages hold: SQLite answers SQLITE_FULL.
        session.execute(
            text(
                "INSERT INTO source_files (sha256, name, size, received_at, status) "
                "SELECT hex(randomblob(32)) || value, hex(randomblob(4000)), 0, "
                "'2024-01-01', 'x' FROM json_each(:many)"
            ),
            {"many": "[" + ",".join(map(str, range(2000))) + "]"},
        )
    else:
        raise sa_exc.OperationalError(
            "INSERT", {}, psycopg.errors.DiskFull("could not extend file: No space left")
        )


def test_a_full_disk_stops_the_run_with_one_line_and_keeps_what_was_saved(
    ingest_db: Db, files: Files
) -> None:
    paths = [_file(files, f"{n}.837", n, i) for i, n in enumerate("ABC", 1)]
    calls = {"n": 0}

    def hook(session: Session) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            _fill_the_disk(session)

    report = ingest_db.ingest(*paths, after_store=[hook])
    try:
        assert [f.status for f in report.files] == ["ingested", "failed"]
        assert report.files[1].error == (
            f"{paths[1]}: the disk holding the database is full; nothing of this was stored "
            "and the database is unchanged. Free some space and run the command again. "
            "1 later file(s) were not attempted."
        )
        totals = report.totals()
        assert (totals["ingested"], totals["failed"], totals["not_attempted"]) == (1, 1, 1)
        assert totals["claims"] == 200  # only the first file's claims were saved
    finally:
        if ingest_db.engine.dialect.name == "sqlite":
            ingest_db.engine.dispose()  # drop the capped connection
    claims = ingest_db.scalars(select(Claim.control_number))
    assert len(claims) == 200 and all(c.startswith("A") for c in claims)
    assert ingest_db.counts()["source_files"] == 1
    # With room again, the same files load.
    again = ingest_db.ingest(*paths)
    assert [f.status for f in again.files] == ["already_ingested", "ingested", "ingested"]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (sa_exc.OperationalError("x", {}, sqlite3.OperationalError("database or disk is full")),
         DiskFullError),
        (sa_exc.OperationalError("x", {}, sqlite3.OperationalError("database is locked")),
         LockTimeoutError),
        (sa_exc.OperationalError("x", {}, psycopg.errors.DiskFull("no space")), DiskFullError),
        (sa_exc.OperationalError("x", {}, psycopg.errors.LockNotAvailable("lock timeout")),
         LockTimeoutError),
        (OSError(errno.ENOSPC, "No space left on device"), DiskFullError),
        (OSError(errno.EACCES, "Permission denied"), type(None)),
        (sa_exc.OperationalError("x", {}, sqlite3.OperationalError("no such table: t")),
         type(None)),
    ],
)  # fmt: skip
def test_database_failures_are_named(error: BaseException, kind: type) -> None:
    assert type(database_failure(error)) is kind
