"""Ingest: files -> X12 records -> rows, one database transaction per file.

A file is stored whole or not at all. Its SHA-256 makes a second ingest of the same bytes a
no-op ("already ingested"); the same content in other bytes (a resend) is recognised by its
parsed content and stores nothing new ("duplicate", see identity.py). The work items of the
claims a file touched are updated in the file's own transaction (queue_sync.py). A file
that cannot be read, or holds nothing to store, is rolled back and reported with its name
and the position of the problem; the other files still load.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from denialscope.classify.config import ClassificationConfig, load_config
from denialscope.db.failures import DiskFullError, database_failure
from denialscope.db.locks import take_write_lock
from denialscope.eligibility.records import EligibilityResponse
from denialscope.eligibility.store import EligibilityStore
from denialscope.errors import (
    DenialscopeError,
    InputError,
    PartlyUnreadableError,
    UnreadableFileError,
)
from denialscope.gc_tuning import fewer_gc_pauses
from denialscope.ingest.identity import IdentityFinding
from denialscope.ingest.matching import relink_waiting
from denialscope.ingest.report import FileResult, IngestReport
from denialscope.ingest.scope import FileScope
from denialscope.ingest.sources import InputFile, discover
from denialscope.ingest.store_acks import AckStore
from denialscope.ingest.store_claims import ClaimStore
from denialscope.ingest.store_remits import RemitStore
from denialscope.sources.models import SourceFile
from denialscope.x12.ack.records import ClaimAcknowledgment, TransactionAcknowledgment
from denialscope.x12.claim837.records import Claim
from denialscope.x12.diagnostics import Severity
from denialscope.x12.reader import X12Reader
from denialscope.x12.remit835.records import ClaimPayment, ProviderAdjustment, Remittance

if TYPE_CHECKING:
    from denialscope.settings import Settings
    from denialscope.workqueue.config import WorkqueueConfig

__all__ = ["NothingToStoreError", "TruncatedFileError", "ingest_file", "ingest_paths"]

log = logging.getLogger(__name__)
Progress = Callable[[str, int], None]
# Work that must happen in the same transaction as a file's rows (work items, outcomes):
# called with the session after the file is stored, before commit.
AfterStore = Callable[[Session], None]


class NothingToStoreError(InputError):
    """A readable X12 file without claims, remittances or acknowledgments."""


class TruncatedFileError(InputError):
    """A file that ends inside a transaction set: storing it would store a partial file."""


class _NothingNew(Exception):  # a signal, not an error: it rolls the file back
    """Everything in the file is already stored (a resend): nothing is kept of it."""


def _noop(_event: str, _amount: int) -> None:
    return None


def ingest_paths(
    paths: Sequence[str | Path],
    *,
    session_factory: sessionmaker[Session],
    org_yaml: str | Path | None = None,
    on_progress: Progress | None = None,
    after_store: Sequence[AfterStore] = (),
    classification: ClassificationConfig | None = None,
    classify: bool = True,
    update_work_queues: bool = True,
    settings: Settings | None = None,
) -> IngestReport:
    """Ingest files, folders and zip archives; never raises for a bad file.

    Every remittance is classified as it is stored (same transaction), with
    ``classification`` or the configuration of ``settings`` (its data directory's
    classification.yaml over the shipped defaults); ``classify=False`` skips it (benchmarks
    measure what it costs). ``settings`` also gives the work-queue configuration and the zip
    limits; without it the shipped defaults apply.
    """
    from denialscope.workqueue.config import load_workqueue_config

    progress = on_progress or _noop
    config: ClassificationConfig | None = None
    if classify:
        config = classification if classification is not None else load_config(settings=settings)
    workqueue = load_workqueue_config(settings=settings)
    lock_timeout_s = _lock_timeout(session_factory)
    report = IngestReport()
    if org_yaml is not None:
        from denialscope.orgs.loader import load_org_yaml

        try:
            with session_factory() as session, session.begin():
                take_write_lock(session)
                load_org_yaml(session, Path(org_yaml))
        except Exception as exc:  # a full disk or a busy database: one line, not a traceback
            mapped = database_failure(exc, lock_timeout_s=lock_timeout_s)
            if mapped is None:
                raise
            raise mapped from exc
    inputs = list(discover(list(paths), limits=settings.zip_limits if settings else None))
    progress("total", len(inputs))
    sync_queues = update_work_queues and classify
    # One file: its work items are updated in its own transaction. A run of several files
    # (a folder, a zip) stores each file marked "queue not synced" and updates the work items
    # of all of them in one catch-up after the last file: the same end state, a fraction of
    # the cost (the per-file step re-read the outcome history and payers for every file:
    # ~25% of the demo's ingest), and a crash in between leaves marked files that the next
    # command catches up.
    per_file = sync_queues and len(inputs) <= 1
    with fewer_gc_pauses():
        _ingest_inputs(
            inputs,
            report,
            session_factory,
            progress,
            after_store,
            config,
            workqueue if per_file else None,
        )
    if sync_queues:
        _update_work_queues(session_factory, report, workqueue)
    return report


def _lock_timeout(session_factory: sessionmaker[Session]) -> int | None:
    """The lock timeout of the factory's engine, for the message of a lock failure."""
    from sqlalchemy import Engine

    from denialscope.db.engine import lock_timeout_of

    bind = session_factory.kw.get("bind")
    return lock_timeout_of(bind) if isinstance(bind, Engine) else None


def _ingest_inputs(
    inputs: list[InputFile | UnreadableFileError],
    report: IngestReport,
    session_factory: sessionmaker[Session],
    progress: Progress,
    after_store: Sequence[AfterStore],
    config: ClassificationConfig | None,
    workqueue: WorkqueueConfig | None,
) -> None:
    for position, item in enumerate(inputs):
        if report.files and report.files[-1].database_error == DiskFullError.__name__:
            # A full disk fails every later file the same way: stop with one clear line.
            report.not_attempted = len(inputs) - position
            report.files[-1].error = (
                f"{report.files[-1].error} {report.not_attempted:,} later file(s) were not "
                "attempted."
            )
            progress("file", len(inputs) - position)
            return
        if isinstance(item, UnreadableFileError):
            report.files.append(
                FileResult(name=item.context.get("file") or "?", status="failed", error=str(item))
            )
        else:
            report.files.append(
                ingest_file(
                    item,
                    session_factory=session_factory,
                    on_progress=progress,
                    after_store=after_store,
                    classification=config,
                    sync_queues=workqueue is not None,
                    workqueue=workqueue,
                )
            )
        progress("file", 1)


def _update_work_queues(
    session_factory: sessionmaker[Session], report: IngestReport, workqueue: WorkqueueConfig
) -> None:
    """Totals of the files' own queue steps, and the catch-up of files whose step did not run.

    The catch-up is its own transaction after the files: a failure here never undoes a
    stored file, it is reported and the next ingest (or ``denialscope queue list``) tries
    again.
    """
    from denialscope.ingest.queue_sync import catch_up

    report.work_items_created = sum(f.work_items_created for f in report.files)
    report.work_items_closed = sum(f.work_items_closed for f in report.files)
    try:
        with session_factory() as session, session.begin():
            take_write_lock(session)
            created, closed, _files = catch_up(session, config=workqueue)
            report.work_items_created += created
            report.work_items_closed += closed
    except DenialscopeError as exc:
        report.work_queue_error = exc.message
    except Exception as exc:  # the files are stored; say so rather than fail the run
        mapped = database_failure(exc, lock_timeout_s=_lock_timeout(session_factory))
        if mapped is not None:
            report.work_queue_error = mapped.message
            return
        log.exception("updating the work queues failed")
        report.work_queue_error = f"internal error ({type(exc).__name__})"


def ingest_file(
    item: InputFile,
    *,
    session_factory: sessionmaker[Session],
    on_progress: Progress | None = None,
    after_store: Sequence[AfterStore] = (),
    classification: ClassificationConfig | None = None,
    sync_queues: bool = False,
    workqueue: WorkqueueConfig | None = None,
) -> FileResult:
    """Ingest one file in one transaction; the result says what happened.

    ``sync_queues``: update the work items of the claims the file touched in the same
    transaction (otherwise the file is left for ``queue_sync.catch_up``), with the
    ``workqueue`` configuration (default: the shipped one).
    """
    started = time.perf_counter()
    result = FileResult(name=item.name, status="failed")
    queue_config = None
    if sync_queues:
        from denialscope.workqueue.config import load_workqueue_config

        queue_config = workqueue or load_workqueue_config()
    try:
        sha = item.sha256()
        with session_factory() as session:
            try:
                with session.begin():
                    take_write_lock(session)  # one writer at a time; a second one waits
                    done = session.execute(
                        select(SourceFile.id).where(SourceFile.sha256 == sha)
                    ).first()
                    if done is not None:
                        result.status = "already_ingested"
                        return result
                    _store(
                        session,
                        item,
                        sha,
                        result,
                        on_progress or _noop,
                        after_store,
                        classification,
                        queue_config,
                    )
            except _NothingNew:
                return result  # rolled back; the result says duplicate or conflict
            except IntegrityError:
                # Another process stored the same bytes between our check and our insert.
                session.rollback()
                with session.begin():
                    if session.execute(
                        select(SourceFile.id).where(SourceFile.sha256 == sha)
                    ).first():
                        result.status = "already_ingested"
                        return result
                raise
        result.status = "ingested"
    except DenialscopeError as exc:
        result.status = "failed"
        result.error = (
            exc.message if exc.message.startswith(item.name) else f"{item.name}: {exc.message}"
        )
    except Exception as exc:  # a bug must not stop the other files, nor print a traceback
        result.status = "failed"
        # Disk full, lock timeout: rolled back, said plainly.
        mapped = database_failure(exc, lock_timeout_s=_lock_timeout(session_factory))
        if mapped is not None:
            result.error = f"{item.name}: {mapped.message}"
            result.database_error = type(mapped).__name__
        else:
            log.exception("ingest of a file failed unexpectedly")
            result.error = f"{item.name}: internal error ({type(exc).__name__}); nothing was stored"
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
    return result


def _store(
    session: Session,
    item: InputFile,
    sha: str,
    result: FileResult,
    progress: Progress,
    after_store: Sequence[AfterStore],
    classification: ClassificationConfig | None,
    workqueue: WorkqueueConfig | None,
) -> None:
    now = dt.datetime.now(dt.UTC)
    # The first statement writes, so SQLite takes its write lock before ids are allocated.
    source_id = session.execute(
        insert(SourceFile).returning(SourceFile.id),
        [
            {
                "sha256": sha,
                "name": item.name[:1000],
                "size": item.size,
                "received_at": now,
                "status": "ingested",
                "queue_synced": False,
            }
        ],
    ).scalar_one()
    scope = FileScope.open(session, source_id)
    claims = ClaimStore(scope, file_date=now.date())
    remits = RemitStore(scope, classification=classification)
    acks = AckStore(session, source_file_id=source_id)
    eligibility = EligibilityStore(session, source_file_id=source_id, file=item.name)
    with item.open() as fh:
        reader = X12Reader(cast(BinaryIO, fh), name=item.name)
        reported = 0
        for record in reader:
            kind = type(record)
            if kind is ClaimPayment:
                remits.claim(record)
            elif kind is Claim:
                claims.add(record)
            elif kind is Remittance:
                remits.remittance(record)
            elif kind is ProviderAdjustment:
                remits.provider_adjustment(record)
            elif kind is ClaimAcknowledgment or kind is TransactionAcknowledgment:
                acks.add(record)
            elif kind is EligibilityResponse:
                eligibility.add(record)
            done = claims.stored + remits.stored
            if done - reported >= 1000:
                progress("claims", done - reported)
                reported = done
        claims.flush()
        remits.finish()
        acks.flush()
        eligibility.flush()
        progress("claims", claims.stored + remits.stored - reported)
    _refuse_unreadable_parts(reader, item.name)
    if reader.truncated_at is not None:
        index, offset = reader.truncated_at
        raise TruncatedFileError(
            f"the file is truncated: it ends at segment {index} (byte {offset}) inside a "
            "transaction set that has no SE, so its last claim may be cut; nothing was stored. "
            "Ask the sender for the complete file.",
            file=item.name,
        )
    if claims.control_numbers:
        relink_waiting(session, claims.control_numbers)
    findings = claims.findings + remits.findings
    result.findings = [f.to_dict() for f in findings]
    result.duplicates = claims.duplicates + remits.payments_already_stored
    result.conflicts = remits.payment_conflicts + sum(
        1 for f in claims.findings if f.kind == "claim_conflict"
    )
    if claims.stored + remits.remittances + acks.stored + eligibility.stored == 0 and findings:
        result.file_type = reader.summary.transaction
        result.status = "conflict" if result.conflicts else "duplicate"
        raise _NothingNew
    for hook in after_store:
        hook(session)
    if workqueue is not None and classification is not None:
        _sync_queue(session, source_id, claims.claim_ids | remits.claim_ids, result, workqueue)
    summary = reader.summary
    if claims.stored + remits.remittances + acks.stored + eligibility.stored == 0:
        what = summary.transaction or "no transaction set"
        raise NothingToStoreError(
            f"readable X12 ({what}) but it holds no claim, remittance or acknowledgment "
            "to store; nothing was stored",
            file=item.name,
        )
    diagnostics = reader.diagnostics
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    session.execute(
        update(SourceFile)
        .where(SourceFile.id == source_id)
        .values(
            file_type=(summary.transaction or "")[:40] or None,
            version=(summary.version or "")[:40] or None,
            interchanges=summary.interchanges,
            transactions=summary.transactions,
            claims=claims.stored + remits.stored,
            diagnostics_json=_diagnostics_json(diagnostics, findings, item.name),
            error_count=errors,
            warning_count=warnings,
        ),
        execution_options={"synchronize_session": False},
    )
    result.file_type = summary.transaction
    result.version = summary.version
    result.claims = claims.stored
    result.claim_payments = remits.stored
    result.matched = remits.matched
    result.unmatched = remits.unmatched
    result.service_lines = claims.lines + remits.service_lines
    result.adjustments = remits.adjustments
    result.acknowledgments = acks.stored
    result.eligibility_responses = eligibility.stored
    result.denials = remits.denials
    result.errors = errors
    result.warnings = warnings


def _refuse_unreadable_parts(reader: X12Reader, name: str) -> None:
    """A file with a part that could not be read is refused whole (the transaction rolls back).

    Storing the readable claims would mark the file ingested with claims missing, and the
    same bytes, or the corrected file's claims, could never complete it.
    """
    failed = reader.unreadable_at or reader.bad_isa_at
    if failed is None:
        return
    index, offset, problem = failed
    raise PartlyUnreadableError(
        f"{problem}; nothing of the file was stored. Correct the file (or ask the sender "
        "for a corrected one) and ingest it again.",
        file=name,
        segment=index,
        offset=offset,
    )


def _sync_queue(
    session: Session,
    source_id: int,
    claim_ids: set[int],
    result: FileResult,
    workqueue: WorkqueueConfig,
) -> None:
    """The file's queue step; a failure leaves the file stored and marked for the catch-up."""
    from denialscope.ingest.queue_sync import sync_file

    try:
        result.work_items_created, result.work_items_closed = sync_file(
            session, source_file_id=source_id, claim_ids=claim_ids, config=workqueue
        )
    except Exception:
        log.exception("updating the work queues of a file failed; the catch-up will retry")


def _diagnostics_json(
    diagnostics: Sequence[Any], findings: Sequence[IdentityFinding], name: str
) -> str:
    import json

    items = [d.to_dict() for d in diagnostics]
    # Resend decisions are kept with the file, in the diagnostics' shape (rule identity.*).
    items.extend(
        {
            "severity": f.severity,
            "rule": f"identity.{f.kind}",
            "message": f.message,
            "file": name,
            "segment_index": f.segment_index,
        }
        for f in findings
    )
    return json.dumps(items, default=str, separators=(",", ":"))
