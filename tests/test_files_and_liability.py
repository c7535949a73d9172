"""The shared file writer and the patient-liability rule."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from denialscope.claims.liability import has_patient_waiver, patient_may_be_billed
from denialscope.errors import OutputError
from denialscope.files import ensure_private_dir, write_atomic


def test_write_atomic_is_owner_only_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "letter.pdf"
    write_atomic(target, b"one")
    write_atomic(target, "two")
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["letter.pdf"]  # no temporary left


def test_write_atomic_failure_leaves_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "absent" / "out.csv"
    with pytest.raises(OutputError, match=r"out\.csv: could not be written"):
        write_atomic(missing, b"x")
    assert not missing.exists()


def test_private_dir(tmp_path: Path) -> None:
    folder = ensure_private_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


@pytest.mark.parametrize(
    ("group", "modifiers", "expected"),
    [
        ("PR", [], True),
        ("CO", [], False),
        ("CO", ["GA"], True),
        ("CO", ["GX", "RT"], True),
        ("CO", ["GA", "GZ"], False),
        ("CO", ["GY"], True),
        ("CO", ["GZ"], False),
        ("OA", ["GA"], False),
        ("PI", [], False),
    ],
)
def test_patient_may_be_billed(group: str, modifiers: list[str], expected: bool) -> None:
    assert patient_may_be_billed(group, modifiers) is expected


def test_waiver_ignores_case_and_blanks() -> None:
    assert has_patient_waiver([" ga", None])
    assert not has_patient_waiver([])
