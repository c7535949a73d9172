"""Two ingest processes on one database: both finish, one waiting for the other.

Real processes (the ``denialscope`` CLI) on a fresh, unmigrated database, so the two also
race on creating the schema; the two files share their payer and patient, so they also race
on inserting those. A writer that waits longer than DENIALSCOPE_LOCK_TIMEOUT stops with one
clear line and stores nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import func, select

from denialscope.claims.models import Claim, Patient
from denialscope.db.engine import open_database
from denialscope.db.locks import take_write_lock
from denialscope.orgs.models import Payer
from factories.database import Db, Files
from factories.x12text import Clm, Line, x12_837p

DAY = dt.date(2024, 2, 1)
CLAIMS_PER_FILE = 400


def _file(files: Files, name: str, prefix: str, control: int) -> Path:
    claims = [
        Clm(f"{prefix}{i}", [Line("99213", D(100), DAY)], member_id="SHARED01")
        for i in range(CLAIMS_PER_FILE)
    ]
    return files.text(name, x12_837p(claims, control=control))


def _run_two(url: str, first: list[Path], second: list[Path]) -> list[dict[str, object]]:
    env = {**os.environ, "DENIALSCOPE_DATABASE_URL": url, "DENIALSCOPE_LOCK_TIMEOUT": "120"}
    cli = [str(Path(sys.executable).with_name("denialscope")), "ingest", "--json"]
    procs = [
        subprocess.Popen(
            [*cli, *map(str, paths)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for paths in (first, second)
    ]
    outputs = []
    try:
        for proc in procs:
            outputs.append((*proc.communicate(timeout=240), proc.returncode))
    finally:  # a failure must not leave the other process running into the next test
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    reports = []
    for out, err, returncode in outputs:
        assert "Traceback" not in err, err
        assert returncode == 0, (out, err)
        reports.append(json.loads(out))
    return reports


def _count(url: str, model: type) -> int:
    engine, factory = open_database(url, migrate=False)
    try:
        with factory() as session:
            return session.execute(select(func.count()).select_from(model)).scalar_one()
    finally:
        engine.dispose()


def test_two_processes_ingest_different_files_into_a_fresh_database(
    database_url: str, files: Files
) -> None:
    a = _file(files, "a.837", "A", 1)
    b = _file(files, "b.837", "B", 2)
    reports = _run_two(database_url, [a], [b])
    statuses = [f["status"] for r in reports for f in r["files"]]  # type: ignore[attr-defined]
    assert statuses == ["ingested", "ingested"]
    assert _count(database_url, Claim) == 2 * CLAIMS_PER_FILE
    assert _count(database_url, Payer) == 1  # no duplicate, no UniqueViolation
    assert _count(database_url, Patient) == 1


def test_two_processes_ingest_the_same_file(database_url: str, files: Files) -> None:
    a = _file(files, "a.837", "A", 1)
    reports = _run_two(database_url, [a], [a])
    statuses = sorted(f["status"] for r in reports for f in r["files"])  # type: ignore[attr-defined]
    assert statuses == ["already_ingested", "ingested"]
    assert _count(database_url, Claim) == CLAIMS_PER_FILE


def test_a_writer_that_waits_too_long_stops_with_one_line_and_stores_nothing(
    ingest_db: Db, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(files, "late.837", "L", 3)
    empty = ingest_db.counts()
    holder_engine, holder = open_database(ingest_db.url, migrate=False)
    try:
        with holder() as session, session.begin():
            take_write_lock(session)  # another writer, mid-transaction
            db = Db(ingest_db.url, lock_timeout_s=1)  # Settings.lock_timeout_s
            try:
                result = db.ingest_one(path)
            finally:
                db.dispose()
    finally:
        holder_engine.dispose()
    assert result.status == "failed"
    assert result.error == (
        f"{path}: the database is busy: another denialscope process kept writing for more "
        "than 1 s; nothing of this was stored. Run the command again when it has finished, "
        "or raise DENIALSCOPE_LOCK_TIMEOUT."
    )
    assert ingest_db.counts() == empty
    assert ingest_db.ingest_one(path).status == "ingested"  # once the other writer is done
