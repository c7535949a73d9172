"""Spark benchmark: `spark ingest` in local[1] and local[2] against the single-machine path.

    python benchmarks/bench_spark.py                      # 1,000,000 claims (835 + 837P)
    python benchmarks/bench_spark.py --claims 100000      # what a shared machine can afford

The same generated files (benchmarks/generate_x12.py: an 837P and its 835, 5,000 claims per
transaction set) are read three ways, each in a fresh subprocess, in the same run so the
ratios hold on a noisy machine:

- single machine: ``export parquet`` (our reader, our classifier, Parquet writer) in one
  process: the work a Spark task does, without Spark;
- spark local[1] and local[2]: ``spark ingest`` (JVM and session start-up reported apart:
  a cluster pays it once per job, not per file).

Printed: claims/s of each (a claim is read twice: its 837 CLM and its 835 CLP), the ratio
local[2] / local[1], Spark local[1] against the single-machine path (Spark's own cost), and
the rates extrapolated to 1M claims when a smaller size was measured (rates are per claim:
reading is linear in claims; the fixed start-up is what does not scale and is shown apart).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import generate_x12  # noqa: E402 - a sibling script


def child(mode: str, files: list[str], out: str, part_mb: int) -> None:
    """One measurement; prints a JSON line."""
    started = time.perf_counter()
    if mode == "single":
        from denialscope.classify.config import load_config
        from denialscope.scale.export import export_files

        config = load_config([])
        begin = time.perf_counter()
        report = export_files(
            paths=files, out=Path(out), classification=config, part_bytes_target=part_mb << 20
        )
        seconds = time.perf_counter() - begin
        startup = begin - started
        claims = report.tables["claims"] + report.tables["claim_payments"]
    else:
        from denialscope.scale.spark_job import spark_ingest, spark_session

        spark = spark_session(mode, app_name="denialscope-bench")
        spark.range(1).count()  # the JVM and the first job are start-up, not reading
        begin = time.perf_counter()
        startup = begin - started
        report_s = spark_ingest(
            spark=spark, paths=files, out=Path(out), part_bytes_target=part_mb << 20
        )
        seconds = time.perf_counter() - begin
        spark.stop()
        claims = report_s.tables["claims"] + report_s.tables["claim_payments"]
    print(json.dumps({"mode": mode, "claims": claims, "seconds": seconds, "startup": startup}))


def _run(mode: str, files: list[Path], part_mb: int) -> dict[str, Any]:
    out = OUT / f"spark-bench-{mode.replace('[', '').replace(']', '')}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", mode, "--out", str(out), "--part-mb", str(part_mb)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [*cmd, *map(str, files)], capture_output=True, text=True, check=False, env=os.environ
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{mode} failed")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    # CPU seconds of the child and every process it waited for (the JVM and its Python
    # workers when they were reaped): on a shared, loaded machine wall time says little.
    result["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    shutil.rmtree(out, ignore_errors=True)
    return result


def cpu_note(mode: str) -> str:
    # The JVM and its Python workers are not reaped by the time the child exits: their CPU
    # is not in RUSAGE_CHILDREN, so a Spark run's CPU figure is the driver's only.
    return ", start-up included" if mode == "single" else ", driver only: JVM not counted"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000, help="claims (837 and 835)")
    parser.add_argument("--part-mb", type=int, default=32, help="split files above this size")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.files, args.out, args.part_mb)
        return 0
    OUT.mkdir(exist_ok=True)
    files = []
    for kind in ("837P", "835"):
        path = OUT / f"spark_{kind}_{args.claims}.edi"
        if not path.exists():
            with path.open("w") as fh:
                generate_x12.generate(fh, kind=kind, claims=args.claims, claims_per_st=5000)
        files.append(path)
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"files: {args.claims:,} claims each of 837P and 835, {size_mb:,.0f} MB, "
          f"parts of {args.part_mb} MB; {os.cpu_count()} cores")  # fmt: skip
    results = {mode: _run(mode, files, args.part_mb) for mode in ("single", "local[1]", "local[2]")}
    for r in results.values():  # every claim and every payment was written
        assert r["claims"] == 2 * args.claims, r
    rate = {m: args.claims / r["seconds"] for m, r in results.items()}
    for mode, r in results.items():
        print(f"{mode:>9}: {args.claims:>10,} claims in {r['seconds']:8.1f} s = "
              f"{rate[mode]:>8,.0f} claims/s   (start-up {r['startup']:.1f} s apart; "
              f"{r['cpu']:.0f} CPU s{cpu_note(mode)})")  # fmt: skip
    load = os.getloadavg()[0]
    print(f"scaling local[2] / local[1]: {rate['local[2]'] / rate['local[1]']:.2f}x "
          f"(load average {load:.1f} on {os.cpu_count()} cores at the end)")  # fmt: skip
    print(f"spark local[1] / single machine: {rate['local[1]'] / rate['single']:.2f}x")
    if args.claims != 1_000_000:
        print("extrapolated to 1M claims (reading is linear in claims; start-up apart):")
        for mode in results:
            print(f"{mode:>9}: {1_000_000 / rate[mode]:8.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
