"""Screenshots of browser tests, kept under test-artifacts/web/ for the reviewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["ARTIFACTS", "screenshot"]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/web/NAME.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
