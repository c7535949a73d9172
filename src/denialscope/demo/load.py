"""Loading the generated demo into a database, safely: never over other data.

Generation is :func:`denialscope.demo.generate_demo`; loading goes through the same ingest
flow as ``denialscope ingest`` with the demo's org.yaml, so the demo exercises the real path.
Synthetic claims must never mix with real ones: a database that holds files other than this
demo's is refused (unless it is an embedded SQLite file the user asks to empty first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, make_url, select

from denialscope.errors import InputError

if TYPE_CHECKING:
    from denialscope.demo.generator import DemoResult
    from denialscope.ingest.report import IngestReport
    from denialscope.settings import Settings

__all__ = ["DemoLoad", "check_demo_target", "load_demo", "reset_sqlite"]


@dataclass(frozen=True, slots=True)
class DemoLoad:
    """What loading the demo did, and a claim worth explaining next."""

    report: IngestReport
    example_claim: str | None  # control number of the largest clinical denial


def reset_sqlite(url: str) -> None:
    """Delete a SQLite database file (and its WAL files) so the demo starts from nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise InputError(
            "--reset only empties the embedded SQLite database; for PostgreSQL drop and "
            "recreate the database yourself, or point --database at an empty one"
        )
    name = parsed.database or ""
    for suffix in ("", "-wal", "-shm"):
        Path(name + suffix).unlink(missing_ok=True)


def check_demo_target(
    *, where: Settings, target: Path, claims: int, seed: int, settings: dict[str, Any]
) -> None:
    """Refuse before writing anything when the database holds data and the demo folder was
    made with other parameters: the files there would no longer match the database."""
    from denialscope.db.engine import open_database
    from denialscope.sources.models import SourceFile

    engine, factory = open_database(where.database_url, lock_timeout_s=where.lock_timeout_s)
    try:
        with factory() as session:
            stored = session.execute(select(func.count(SourceFile.id))).scalar_one()
    finally:
        engine.dispose()
    if not stored:
        return
    truth_path = target / "ground_truth.json"
    same = False
    if truth_path.is_file():
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        same = (
            truth.get("seed") == seed
            and truth.get("summary", {}).get("claims_submitted") == claims
            and (truth.get("settings") or {}) == settings
        )
    if not same:
        raise InputError(
            f"the database already holds {stored} files and {target} holds no demo made with "
            f"--claims {claims} --seed {seed} (and these settings); nothing was written. "
            "Use --data-dir DIR (or --database URL) for a separate demo database, or --reset "
            "to empty this SQLite database first."
        )


def _install_pack(result: DemoResult, target: Path) -> None:
    """The demo payers' filing limits become the data directory's rule pack, unless the
    directory has its own (``denialscope scrub`` and the risk model read it)."""
    if result.scrub_pack is not None and result.scrub_pack.is_file() and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result.scrub_pack.read_text(encoding="utf-8"), encoding="utf-8")


def load_demo(*, result: DemoResult, where: Settings, reset: bool = False) -> DemoLoad:
    """Load the generated files (837s first, so remits find their claims) and find the
    largest clinical denial to show next. Each file is its own transaction (ingest)."""
    from denialscope.claims.models import Claim
    from denialscope.db.engine import open_database, redact_url
    from denialscope.ingest.service import ingest_paths
    from denialscope.ingest.sources import InputFile
    from denialscope.remits.models import ClaimPayment
    from denialscope.sources.models import SourceFile

    database_url = where.database_url
    if reset:
        reset_sqlite(database_url)
    engine, factory = open_database(database_url, lock_timeout_s=where.lock_timeout_s)
    try:
        with factory() as session:
            stored = set(session.scalars(select(SourceFile.sha256)))
        if stored:
            ours = {InputFile(name=str(p), path=Path(p)).sha256() for p in result.files}
            others = len(stored - ours)
            if others:
                raise InputError(
                    f"the database {redact_url(database_url)} already holds {others} files "
                    "that are not this demo's; loading the demo there would mix synthetic "
                    "claims with them. Use --data-dir DIR (or --database URL) for a separate "
                    "demo database, or --reset to empty this SQLite database first. The demo "
                    f"files are written in {result.out_dir}."
                )
        report = ingest_paths(
            [str(p) for p in result.files],
            session_factory=factory,
            org_yaml=result.org_yaml,
            settings=where,
        )
        _install_pack(result, where.scrub_pack_file)
        with factory() as session:
            example = session.execute(
                select(Claim.control_number)
                .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
                .where(ClaimPayment.is_denial.is_(True), ClaimPayment.primary_stream == "clinical")
                .order_by(ClaimPayment.denied_amount.desc())
                .limit(1)
            ).scalar()
    finally:
        engine.dispose()
    return DemoLoad(report=report, example_claim=example)
