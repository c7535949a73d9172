"""Trial: compile a COPY of denialscope's reading path with mypyc, to measure what it would gain.

    python benchmarks/mypyc_build.py            # -> benchmarks/out/mypyc/denialscope (+ .so)
    python benchmarks/bench_parse.py --mypyc    # adds a "denialscope[mypyc]" row

The code is already mypy-strict, which is what mypyc needs, so compiling it is a build step,
not a rewrite. Nothing under src/ is touched: the package is copied to benchmarks/out/mypyc
and the benchmark child puts that folder first on PYTHONPATH. Modules that fail to compile
are left interpreted and listed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["BUILD", "HOT_MODULES", "build"]

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src" / "denialscope"
BUILD = HERE / "out" / "mypyc"
# The per-segment path: tokenizer, reader loop, context helpers, the transaction parsers.
HOT_MODULES = (
    "x12/diagnostics.py",
    "x12/tokenizer.py",
    "x12/envelope.py",
    "x12/reader.py",
    "x12/remit835/*.py",
    "x12/claim837/*.py",
)


def build() -> int:
    if BUILD.exists():
        shutil.rmtree(BUILD)
    BUILD.mkdir(parents=True)
    shutil.copytree(SRC, BUILD / "denialscope", ignore=shutil.ignore_patterns("__pycache__"))
    files = sorted(
        str(path.relative_to(BUILD))
        for pattern in HOT_MODULES
        for path in (BUILD / "denialscope").glob(pattern)
        if path.name != "__init__.py"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mypyc", *files],
        cwd=BUILD,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-4000:], sep="\n", file=sys.stderr)
        print(f"mypyc failed after {elapsed:.0f} s", file=sys.stderr)
        return 1
    compiled = sorted(str(p.relative_to(BUILD)) for p in BUILD.rglob("*.so"))
    print(f"mypyc compiled {len(files)} modules in {elapsed:.0f} s into {BUILD}:")
    for name in compiled:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(build())
