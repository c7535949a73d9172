"""denialscope: self-hosted claim denial analytics for hospitals and medical groups."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
