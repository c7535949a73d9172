"""Tokenizer cost on long runs of blanks: it must grow linearly with the input.

    python benchmarks/bench_tokenizer_blanks.py            # 2 MB and 20 MB of blanks
    python benchmarks/bench_tokenizer_blanks.py --mb 5     # 5 MB and 50 MB

Three shapes of blank runs a damaged or hostile file carries: before the ISA, between two
segments, and after every segment terminator (the same total). For each, the time for N
and 10 N bytes of blanks is measured in the same run and printed with their ratio: a
linear tokenizer shows a ratio near 10, a quadratic one near 100.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable

from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.tokenizer import Tokenizer

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240101*1200*^*00501*000000001*0*P*:~"
)
BODY = "GS*HP*S*R*20240101*1200*1*X*005010X221A1~ST*835*0001~BPR*I*10*C*CHK~"
TAIL = "SE*3*0001~GE*1*1~IEA*1*000000001~"


def leading(blanks: int) -> bytes:
    return (" \r\n" * (blanks // 3) + ISA + BODY + TAIL).encode()


def between(blanks: int) -> bytes:
    return (ISA + BODY + " " * blanks + TAIL).encode()


def after_each(blanks: int) -> bytes:
    per = 64
    filler = "REF*EV*X~" + " " * (per - 9)
    return (ISA + BODY + filler * (blanks // per) + TAIL).encode()


def seconds(data: bytes) -> float:
    started = time.perf_counter()
    for _ in Tokenizer(io.BytesIO(data), file="bench", sink=DiagnosticSink("bench")):
        pass
    return time.perf_counter() - started


def ratio(shape: Callable[[int], bytes], size: int) -> tuple[float, float]:
    small = min(seconds(shape(size)) for _ in range(3))
    large = min(seconds(shape(size * 10)) for _ in range(3))
    return small, large


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="N, in MB of blanks")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    print(f"{'shape':<12} {'N s':>8} {'10N s':>8} {'ratio':>6}  (linear ~10, quadratic ~100)")
    for shape in (leading, between, after_each):
        small, large = ratio(shape, size)
        print(f"{shape.__name__:<12} {small:>8.3f} {large:>8.3f} {large / small:>6.1f}")


if __name__ == "__main__":
    main()
