"""The only files outside the repository any test reads: ``../shared`` next to the checkout.

The public X12 samples and the research copies of the code sets are not ours to commit, so the
conformance tests that read them skip when they are absent (``samples_dir`` and
``refdata_dir`` fixtures, or the markers below for tests parametrized from the files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["REFDATA_DIR", "SAMPLES_DIR", "needs_refdata", "needs_samples"]

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"
SAMPLES_DIR = SHARED_DIR / "x12-samples"
REFDATA_DIR = SHARED_DIR / "refdata"

needs_samples = pytest.mark.skipif(
    not (SAMPLES_DIR / "SOURCES.md").is_file(), reason="../shared/x12-samples is not present"
)
needs_refdata = pytest.mark.skipif(
    not REFDATA_DIR.is_dir(), reason="../shared/refdata is not present"
)
