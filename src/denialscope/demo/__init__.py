"""The synthetic health system: a year of 837/835 files with injected, documented signals.

from denialscope.demo import generate_demo
result = generate_demo(Path("data/demo"), claims=20000, seed=7)
"""

from __future__ import annotations

from denialscope.demo.generator import DemoResult, generate_demo

__all__ = ["DemoResult", "generate_demo"]
