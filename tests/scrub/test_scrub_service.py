"""``scrub_files``: the service behind ``denialscope scrub`` returns a typed report, stores a
run only when given a session, and refuses to scrub nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.errors import InputError
from denialscope.scrub.models import ScrubRun
from denialscope.scrub.service import ScrubReport, build_context, scrub_files
from denialscope.settings import Settings
from denialscope.x12.claim837.writer import write_837
from factories.claim837 import build_claim

CLAIMS = [
    build_claim({"id": "CLEAN1"}),
    build_claim({"id": "HEADER", "diagnoses": ["E11"]}),  # a header code, not billable
    build_claim({"id": "NPI", "billing": {"npi": "1234567890"}}),  # bad check digit
]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    (folder / "a.837").write_text(
        write_837(CLAIMS, kind="837P", sender="CLINIC01", receiver="PAYER01"), "utf-8"
    )
    (folder / ".hidden").write_text("not read", "utf-8")
    return folder


def _settings(tmp_path: Path) -> Settings:
    return Settings.resolve(data_dir=tmp_path / "data")


def test_a_folder_is_scrubbed_into_a_typed_report_without_storing(tmp_path: Path) -> None:
    context = build_context(settings=_settings(tmp_path))
    report = scrub_files(paths=[_folder(tmp_path)], context=context)

    assert isinstance(report, ScrubReport)
    summary = report.summary
    assert (summary.claims, summary.clean, summary.flagged) == (3, 1, 2)
    assert summary.run_id is None
    # No NCCI or MUE table in an empty data directory: both are named, rules skipped.
    assert summary.notes == (
        "no NCCI PTP table loaded: ncci_ptp rules skipped",
        "no MUE table loaded: mue rules skipped",
    )
    flagged = {f.claim_id for f in report.findings}
    assert flagged == {"HEADER", "NPI"}
    counts = dict(summary.findings_by_rule)
    assert sum(counts.values()) == len(report.findings)
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    data = report.to_dict()
    assert set(data) == {"summary", "findings"}
    assert set(data["summary"]) == {"claims", "clean", "flagged", "findings_by_rule", "notes"}


def test_with_a_session_the_run_is_stored_and_named_in_the_notes(
    tmp_path: Path, session: Session
) -> None:
    context = build_context(settings=_settings(tmp_path))
    report = scrub_files(paths=[_folder(tmp_path)], context=context, session=session)

    run = session.scalars(select(ScrubRun)).one()
    assert report.summary.run_id == run.id
    assert (run.claims, run.clean, run.flagged) == (3, 1, 2)
    assert report.summary.notes[-1] == f"stored as scrub run {run.id}"


def test_scrubbing_nothing_is_an_error_and_stores_nothing(tmp_path: Path, session: Session) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    context = build_context(settings=_settings(tmp_path))
    with pytest.raises(InputError, match="empty: no X12 files in this folder"):
        scrub_files(paths=[empty], context=context, session=session)
    assert session.scalars(select(ScrubRun)).first() is None


def test_the_data_directory_pack_is_used_unless_packs_are_given(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    (settings.data_dir / "scrub_pack.yaml").write_text("thresholds: {filing_warn_days: 3}\n")
    given = tmp_path / "given.yaml"
    given.write_text("thresholds: {filing_warn_days: 9}\n", "utf-8")
    assert build_context(settings=settings).pack.threshold("filing_warn_days") == 3
    assert build_context(settings=settings, packs=[given]).pack.threshold("filing_warn_days") == 9
