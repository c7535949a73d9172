"""Time denialscope's X12 reader against pyx12, edi-835-parser and oxedi on generated files.

    python benchmarks/bench_parse.py                       # 20,000 and 200,000 claims
    python benchmarks/bench_parse.py --sizes 20000 --quick  # one run each, fast readers only
    python benchmarks/bench_parse.py --profile              # plus cProfile of our reader (20k)

Every measurement runs in a fresh subprocess, so its peak RSS is its own (VmHWM on Linux,
where ``ru_maxrss`` carries the parent's peak across exec; see ``_rss_kb``). The
child imports the reader, reads a tiny warm-up file (first-call costs such as pyarrow's lazy
initialisation or our parser's import are not what we compare), records its baseline RSS, then
reads the benchmark file once. Wall time is the best of N runs; peak RSS the largest.

What is timed, per reader, is "file to records ready for storage":
- denialscope: ``open_x12`` and consume every record (count them, touch the claim lines).
- oxedi: ``parse_file`` plus conversion of every table to a pyarrow Table (and, in a second
  row, to pandas DataFrames).
- edi-835-parser: ``parse`` plus ``to_dataframe``. It asserts one payer per file, so on a file
  with several ST it fails in ``to_dataframe``; then the row times ``parse`` alone and says so.
- pyx12: ``X12ContextReader.iter_segments("2100")``, walking every segment of each claim loop.
pyx12 and edi-835-parser are slow: they read a 2,000-claim file (1 ST) and the 20k file once;
not the larger sizes. Their speed ratio is against our time on the same file.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import generate_x12  # noqa: E402 - a sibling script, found through the path set just above

OURS = "denialscope"
MYPYC = "denialscope[mypyc]"  # the same code compiled by benchmarks/mypyc_build.py
COMPETITORS_835 = ("oxedi", "oxedi+pandas", "edi-835-parser", "pyx12")
SLOW = frozenset({"edi-835-parser", "pyx12"})
SLOW_SIZE = 2000  # the slow readers' own file; 1 ST so edi-835-parser can build its frame
WARMUP_CLAIMS = 3

# --- what runs in the child ----------------------------------------------------------------

Run = Callable[[Path], tuple[int, int, str]]  # -> (claims, lines, note)


def _run_ours(path: Path) -> tuple[int, int, str]:
    from denialscope.x12.reader import open_x12

    records: dict[str, int] = {}
    lines = 0
    with open_x12(path) as reader:
        for record in reader:
            name = type(record).__name__
            records[name] = records.get(name, 0) + 1
            items = getattr(record, "services", None) or getattr(record, "lines", None)
            if items:
                lines += len(items)
        errors = sum(1 for d in reader.diagnostics if str(d.severity) == "error")
        claims = reader.summary.claims
    note = f"{sum(records.values())} records, {errors} error diagnostics"
    return claims, lines or reader.summary.service_lines, note


def _run_oxedi(path: Path, *, pandas: bool) -> tuple[int, int, str]:
    import oxedi
    import pyarrow

    result = oxedi.parse_file(path)
    tables = result.tables
    if pandas:
        frames = tables.to_pandas()
        rows = {name: len(frame) for name, frame in frames.items()}
    else:
        rows = {name: pyarrow.table(tables[name]).num_rows for name in tables.keys()}  # noqa: SIM118 - Tables is not a dict
    return result.count_claims(), rows.get("services", 0), f"{len(result.diagnostics)} diagnostics"


def _run_edi_835_parser(path: Path) -> tuple[int, int, str]:
    import edi_835_parser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns for every segment it does not handle
        sets = edi_835_parser.parse(str(path))
        claims = sets.count_claims()
        try:
            lines = len(sets.to_dataframe())
        except AssertionError:
            return claims, 0, "parse only: to_dataframe() fails on a file with several ST"
    return claims, lines, ""


def _run_pyx12(path: Path) -> tuple[int, int, str]:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    claims = segments = 0
    with path.open(encoding="latin-1") as fh:
        context = pyx12.x12context.X12ContextReader(
            pyx12.params.params(), pyx12.error_handler.errh_null(), fh
        )
        for node in context.iter_segments("2100"):
            if node.id == "2100":
                claims += 1
                segments += sum(1 for _ in node.iterate_segments())
    return claims, 0, f"{segments} claim-loop segments"


RUNS: dict[str, Run] = {
    OURS: _run_ours,
    MYPYC: _run_ours,
    "oxedi": lambda p: _run_oxedi(p, pandas=False),
    "oxedi+pandas": lambda p: _run_oxedi(p, pandas=True),
    "edi-835-parser": _run_edi_835_parser,
    "pyx12": _run_pyx12,
}
IMPORTS = {
    OURS: ("denialscope.x12.reader",),
    MYPYC: ("denialscope.x12.reader",),
    "oxedi": ("oxedi", "pyarrow"),
    "oxedi+pandas": ("oxedi", "pandas"),
    "edi-835-parser": ("edi_835_parser",),
    "pyx12": ("pyx12.x12context",),
}


def _rss_kb() -> int:
    """Peak RSS of this process so far, in KiB.

    On Linux ``ru_maxrss`` survives exec: a child starts with its parent's high-water mark
    (the kernel copies the old memory map's peak at exec), so a 40 MB parent makes every child
    look 40 MB. VmHWM in /proc/self/status is the peak of the current memory map only; it is
    what ``ru_maxrss`` would say for a process started from a small parent.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child(reader: str, path: Path, warmup: Path) -> None:
    """Measure one reader on one file; print one JSON line."""
    run = RUNS[reader]
    for module in IMPORTS[reader]:
        loaded = importlib.import_module(module)
        if reader == MYPYC and not str(loaded.__file__).endswith(".so"):
            raise SystemExit(f"{module} is not the compiled build: {loaded.__file__}")
    run(warmup)
    baseline = _rss_kb()
    cpu0 = time.process_time()
    start = time.perf_counter()
    claims, lines, note = run(path)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    result = {"claims": claims, "lines": lines, "seconds": seconds, "cpu": cpu, "note": note}
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({**result, "baseline_kb": baseline, "peak_kb": _rss_kb(), "maxrss": maxrss}))


# --- the parent ----------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    reader: str
    file: Path
    claims: int = 0
    seconds: float = float("inf")
    cpu: float = 0.0
    peak_mb: float = 0.0
    baseline_mb: float = 0.0
    note: str = ""
    runs: list[float] = field(default_factory=list)
    failed: str = ""


def available(reader: str) -> bool:
    return all(importlib.util.find_spec(m.split(".")[0]) is not None for m in IMPORTS[reader])


def ensure_file(kind: str, claims: int) -> Path:
    label = f"{claims // 1000}k" if claims % 1000 == 0 else str(claims)
    path = OUT / f"{kind}_{label}.edi"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        generate_x12.main(["--claims", str(claims), "--kind", kind, "--out", str(path)])
    return path


def measure(reader: str, path: Path, warmup: Path, repeat: int) -> Row:
    row = Row(reader, path)
    env = dict(os.environ)
    if reader == MYPYC:
        import mypyc_build

        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(mypyc_build.BUILD), env.get("PYTHONPATH")])
        )
    for _ in range(repeat):
        cmd = [sys.executable, __file__, "--child", reader, str(path), str(warmup)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        if proc.returncode != 0:
            row.failed = (proc.stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1]
            return row
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        row.runs.append(data["seconds"])
        row.seconds = min(row.seconds, data["seconds"])
        row.cpu = min(row.cpu or data["cpu"], data["cpu"])
        row.claims, row.note = data["claims"], data["note"]
        row.peak_mb = max(row.peak_mb, data["peak_kb"] / 1024)
        row.baseline_mb = max(row.baseline_mb, data["baseline_kb"] / 1024)
    return row


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores visible; Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def print_table(rows: list[Row], ours_by_file: dict[Path, Row]) -> None:
    head = (
        f"{'reader':<18} {'file':<16} {'claims':>8} {'seconds':>8} {'claims/s':>9} "
        f"{'cpu s':>7} {'base MB':>8} {'peak MB':>8} {'ratio wall':>10} {'ratio cpu':>9}  note"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        if r.failed:
            print(f"{r.reader:<18} {r.file.name:<16} FAILED: {r.failed}")
            continue
        ours = ours_by_file.get(r.file)
        ratio = ratio_cpu = ""
        if ours is not None and r.reader != OURS and not ours.failed and not r.failed:
            ratio = f"{r.seconds / ours.seconds:.2f}x"
            ratio_cpu = f"{r.cpu / ours.cpu:.2f}x"
        rate = r.claims / r.seconds if r.seconds else 0.0
        print(
            f"{r.reader:<18} {r.file.name:<16} {r.claims:>8} {r.seconds:>8.3f} {rate:>9,.0f} "
            f"{r.cpu:>7.2f} {r.baseline_mb:>8.1f} {r.peak_mb:>8.1f} {ratio:>10} {ratio_cpu:>9}"
            f"  {r.note}"
        )


def verdicts(rows: list[Row], ours_by_file: dict[Path, Row], sizes: list[int]) -> None:
    print(
        "\nTargets (speed ratio = their seconds / our seconds on the same file; wall is best of"
        " N, cpu the least process time: trust cpu when the machine is shared)"
    )
    compiled = {r.file: r for r in rows if r.reader == MYPYC and not r.failed}

    def speed(reader: str, base: dict[Path, Row]) -> str:
        out = []
        for r in rows:
            ours = base.get(r.file)
            if r.reader == reader and not r.failed and ours is not None and not ours.failed:
                out.append(
                    f"{r.seconds / ours.seconds:.2f}x wall / {r.cpu / ours.cpu:.2f}x cpu "
                    f"on {r.file.name}"
                )
        return ", ".join(out) or "not measured"

    for reader, target in (("edi-835-parser", ">= 10x"), ("oxedi", ">= 1.0x")):
        print(f"  {target} {reader:<15}: {speed(reader, ours_by_file)}")
        if compiled:
            print(f"  {'':>7} {'(mypyc build)':<15}: {speed(reader, compiled)}")
    peaks = {
        r.claims: r
        for r in rows
        if r.reader == OURS and r.file.name.startswith("835_") and not r.failed
    }
    small, large = min(sizes), max(sizes)
    if small != large and small in peaks and large in peaks:
        a, b = peaks[small], peaks[large]
        growth_a, growth_b = a.peak_mb - a.baseline_mb, b.peak_mb - b.baseline_mb
        print(
            f"  peak RSS {large // 1000}k within 1.5x of {small // 1000}k: "
            f"{b.peak_mb:.1f} / {a.peak_mb:.1f} MB = {b.peak_mb / a.peak_mb:.2f}x "
            f"(growth above baseline {growth_b:.1f} / {growth_a:.1f} MB)"
        )
    else:
        print("  peak RSS ratio: needs two 835 sizes")


def profile(path: Path) -> None:
    import cProfile
    import pstats

    sys.path.insert(0, str(HERE))
    profiler = cProfile.Profile()
    profiler.enable()
    _run_ours(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    for order in ("cumulative", "tottime"):
        print(f"\n=== cProfile of denialscope on {path.name}: top 25 by {order} ===")
        stats.sort_stats(order).print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000")
    parser.add_argument("--quick", action="store_true", help="one run each; slow readers on 2k")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--mypyc", action="store_true", help="add our reader compiled by mypyc_build.py (a trial)"
    )
    parser.add_argument("--kinds", default="835,837P,837I", help="837 files are timed for ours")
    parser.add_argument("--readers", default=",".join((OURS, *COMPETITORS_835)))
    parser.add_argument("--child", nargs=3, metavar=("READER", "FILE", "WARMUP"))
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0

    sizes = sorted(int(s) for s in args.sizes.split(","))
    kinds = args.kinds.split(",")
    wanted = args.readers.split(",")
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    missing = [r for r in wanted if not available(r)]
    if missing:
        print(f"Not installed, skipped: {', '.join(missing)}")
    readers = [r for r in wanted if r not in missing]
    if args.mypyc:
        import mypyc_build

        if not any(mypyc_build.BUILD.rglob("reader*.so")) and mypyc_build.build() != 0:
            return 1
        readers.insert(1, MYPYC)
    rows: list[Row] = []
    warmups = {kind: ensure_file(kind, WARMUP_CLAIMS) for kind in kinds}

    def repeat(claims: int) -> int:
        return 1 if args.quick else 3 if claims <= 20000 else 2

    plan: list[tuple[str, Path, str, int]] = []  # reader, file, kind, claims
    if any(r in SLOW for r in readers) and "835" in kinds:
        plan.append((OURS, ensure_file("835", SLOW_SIZE), "835", SLOW_SIZE))
        plan += [(r, ensure_file("835", SLOW_SIZE), "835", SLOW_SIZE) for r in readers if r in SLOW]
    for claims in sizes:
        for kind in kinds:
            path = ensure_file(kind, claims)
            for reader in readers:
                if kind != "835" and reader not in (OURS, MYPYC):
                    continue
                if reader in SLOW and (args.quick or claims > 20000):
                    continue
                plan.append((reader, path, kind, claims))
    for reader, path, kind, claims in plan:
        n = 1 if reader in SLOW else repeat(claims)
        print(f"  measuring {reader} on {path.name} ({n} run{'s' if n > 1 else ''})", flush=True)
        rows.append(measure(reader, path, warmups[kind], n))
    ours_by_file = {r.file: r for r in rows if r.reader == OURS}
    print()
    print_table(rows, ours_by_file)
    verdicts(rows, ours_by_file, sizes)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(
        json.dumps(
            [
                {k: (str(v) if isinstance(v, Path) else v) for k, v in _row_dict(r).items()}
                for r in rows
            ],
            indent=1,
        )
    )
    if args.profile:
        profile(ensure_file("835", min(sizes)))
    return 0


def _row_dict(row: Row) -> dict[str, Any]:
    return {name: getattr(row, name) for name in Row.__dataclass_fields__}


if __name__ == "__main__":
    raise SystemExit(main())
