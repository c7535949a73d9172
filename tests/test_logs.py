"""Logs and unexpected errors carry no patient data (logs.py)."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from denialscope import logs

ROW = "(psycopg.errors.UniqueViolation) duplicate\n[parameters: ('DOE', 'JANE', '1975-12-24')]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bad NM1*QC*1*DOE*JANE****MI*X1~CLM*1", "bad NM1*[withheld]~CLM*1"),
        ("seg DMG|D8|19751224|F\nnext", "seg DMG|[withheld]\nnext"),
        ("born 19751224 seen 2025-03-01", "born 99999999 seen 99999999"),
        (ROW, "(psycopg.errors.UniqueViolation) duplicate\n[parameters: [withheld]]"),
        (
            "DETAIL:  Key (name)=(DOE JANE) already exists.",
            "DETAIL:  Key ([withheld] already exists.",
        ),
        ("claim 12 of 3,000 stored", "claim 12 of 3,000 stored"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert logs.redact(text) == expected


def _log_failure(debug: bool) -> str:
    stream = io.StringIO()
    logger = logs.configure(debug=debug, stream=stream)
    try:
        raise ValueError("cannot read NM1*IL*1*DOE*JANE****MI*MBR123 born 19751224")
    except ValueError:
        logging.getLogger("denialscope.ingest.service").exception(
            "ingest failed for DMG*D8*19751224"
        )
    logs.configure(debug=False)  # leave no handler on a StringIO behind
    assert logger.name == "denialscope"
    return stream.getvalue()


def test_log_records_are_redacted_and_short_without_debug() -> None:
    text = _log_failure(debug=False)
    assert "ingest failed for DMG*[withheld]" in text
    assert "internal error (ValueError at test_logs.py:" in text
    assert "DOE" not in text and "19751224" not in text and "Traceback" not in text


def test_debug_adds_a_redacted_traceback() -> None:
    text = _log_failure(debug=True)
    assert "Traceback" in text and "NM1*[withheld]" in text
    assert "DOE" not in text and "MBR123" not in text and "19751224" not in text


def test_an_unexpected_error_is_one_line_without_its_message(tmp_path: Path) -> None:
    # A bug inside a command: the real entry point prints its type and place, not its text.
    script = (
        "import sys\n"
        "from denialscope.cli import main as m\n"
        "def boom(app):\n"
        "    @app.command('boom')\n"
        "    def _b() -> None:\n"
        "        raise KeyError('NM1*QC*1*DOE*JANE')\n"
        "    @app.command('other')\n"
        "    def _o() -> None: ...\n"
        "m.COMMAND_MODULES[:] = []\n"
        "boom(m.app)\n"
        "sys.argv = ['denialscope', 'boom']\n"
        "m.main()\n"
    )
    for debug in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={"DENIALSCOPE_DEBUG": debug, "PATH": "/usr/bin:/bin"},
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 1
        assert "error: internal error (KeyError at" in done.stderr
        assert "DOE" not in done.stderr
        assert ("Traceback" in done.stderr) == (debug == "1")


def test_a_database_error_keeps_its_first_line_only() -> None:
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    driver = sqlite3.IntegrityError("UNIQUE constraint failed: payers.payer_key\nDOE JANE")
    error = IntegrityError("INSERT INTO payers ...", {"name": "DOE"}, driver)
    line = logs.describe(error)
    assert line == "internal error (IntegrityError): UNIQUE constraint failed: payers.payer_key"


def test_a_traceback_cached_by_another_handler_is_not_reused() -> None:
    class Early(logging.Handler):
        """Formats first, as pytest's capture does: caches the full text on the record."""

        def emit(self, record: logging.LogRecord) -> None:
            logging.Formatter().format(record)

    stream = io.StringIO()
    logger = logs.configure(debug=False, stream=stream)
    early = Early()
    logger.handlers.insert(0, early)
    try:
        raise ValueError("NM1*IL*1*DOE*JANE")
    except ValueError:
        logging.getLogger("denialscope.x").exception("failed")
    finally:
        logger.removeHandler(early)
        logs.configure(debug=False)
    assert "DOE" not in stream.getvalue() and "internal error (ValueError" in stream.getvalue()
