"""Scrub benchmark: NCCI PTP table load and claims scrubbed per second per core.

    python benchmarks/bench_scrub.py                    # 1.7M PTP pairs, 20,000 claims
    python benchmarks/bench_scrub.py --pairs 200000 --claims 5000   # quicker

Generates a synthetic practitioner PTP file of the requested size in the official layout
(notice line, headings, tab-separated column 1, column 2, prior-1996 flag, effective date,
deletion date, modifier indicator, rationale) and a synthetic MUE CSV, then measures, each
in a fresh subprocess so that peak memory (VmHWM) is that step's alone:

- load: ``build_ptp_index`` (parse the official text and write the on-disk index);
- open: opening the prebuilt index (memory-mapped), what a scrub run pays;
- scrub: all rules over synthetic claims (90% professional with 1-6 lines, 5% outpatient,
  5% inpatient, which run the MS-DRG grouper and code editor) with the tables loaded, on
  one core. Claims are built in memory: 837 parsing is measured by bench_parse.py.

Targets printed beside the figures: load <= 5 s and <= 500 MB; >= 10,000 claims/s/core.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HEADER = (
    "CPT only copyright 2025 American Medical Association. All rights reserved.\n"
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\t"
    "Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\t"
    "PTP Edit Rationale\n"
)
RATIONALES = ("Misuse of column two code with column one code", "Mutually exclusive procedures")


def _codes(count: int, rng: random.Random) -> list[str]:
    numeric = [f"{n:05d}" for n in rng.sample(range(10004, 99607), min(count, 80000))]
    return numeric + [
        f"{chr(65 + i % 26)}{n:04d}" for i, n in enumerate(range(count - len(numeric)))
    ]


def generate(folder: Path, pairs: int) -> tuple[Path, Path, list[str]]:
    rng = random.Random(7)
    codes = _codes(12000, rng)
    ptp = folder / "ccipra-v321r0-f1.txt"
    with ptp.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        seen: set[tuple[int, int]] = set()
        while len(seen) < pairs:
            seen.add((rng.randrange(len(codes)), rng.randrange(len(codes))))
        for one, two in sorted(seen):
            deletion = "*" if rng.random() < 0.8 else "20240101"
            out.write(
                f"{codes[one]}\t{codes[two]}\t \t20150101\t{deletion}\t{rng.choice('0119')}\t"
                f"{rng.choice(RATIONALES)}\n"
            )
    mue = folder / "MCR_MUE_PractitionerServices.csv"
    with mue.open("w", encoding="utf-8") as out:
        out.write('"CPT codes, descriptions and other data only are copyright 2025 AMA."\n')
        out.write(
            '"HCPCS/CPT Code","Practitioner Services MUE Values",'
            '"MUE Adjudication Indicator","MUE Rationale"\n'
        )
        for code in codes:
            kind = rng.choice(
                (
                    "1 Line Edit",
                    "2 Date of Service Edit: Policy",
                    "3 Date of Service Edit: Clinical",
                )
            )
            out.write(f'"{code}","{rng.randint(1, 6)}","{kind}","Clinical: Data"\n')
    return ptp, mue, codes


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def step_load(args: list[str]) -> dict[str, Any]:
    from denialscope.scrub.ncci import build_ptp_index

    ptp, target = Path(args[0]), Path(args[1])
    started = time.perf_counter()
    rows = build_ptp_index([ptp], target)
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def step_open(args: list[str]) -> dict[str, Any]:
    from datetime import date

    from denialscope.scrub.ncci import PtpIndex

    started = time.perf_counter()
    index = PtpIndex(Path(args[0]))
    index.find([("10004", "10005", date(2026, 1, 1))])
    return {"rows": len(index), "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def _claims(count: int, codes: list[str]) -> list[Any]:
    from datetime import date, timedelta
    from decimal import Decimal

    from denialscope.x12.claim837.parties import Party, Submission, Subscriber
    from denialscope.x12.claim837.records import Claim, CodeEntry, Line

    rng = random.Random(11)
    dx = ["I10", "E1165", "M5450", "J069", "R0789", "M25561", "Z0000", "E785", "F329", "K219"]
    inpatient = [("I5021", ["J9601", "E1165"], "291"), ("J189", ["I10"], "195")]
    start = date(2026, 1, 5)
    out = []
    for n in range(count):
        day = start + timedelta(days=rng.randrange(200))
        member = Party(
            "IL",
            "1",
            name="DOE",
            first_name="A",
            id_qualifier="MI",
            identifier=f"M{rng.randrange(count):07d}",
            birth_date=date(1950, 1, 1) + timedelta(days=rng.randrange(25000)),
            sex=rng.choice("MF"),
        )
        common: dict[str, Any] = {
            "billing_provider": Party(
                "85", id_qualifier="XX", identifier="1234567893", taxonomy="207Q00000X"
            ),
            "subscriber": Subscriber(party=member),
            "payer": Party("PR", id_qualifier="PI", identifier=rng.choice(("12345", "60054"))),
            "submission": Submission(created=day + timedelta(days=rng.randrange(1, 40))),
        }
        roll = rng.random()
        if roll < 0.05:
            pdx, sdx, drg = rng.choice(inpatient)
            codes_ = [
                CodeEntry("ABK", pdx),
                *(CodeEntry("ABF", c) for c in sdx),
                CodeEntry("DR", drg),
            ]
            out.append(
                Claim(
                    f"I{n}",
                    None,
                    kind="837I",
                    facility_code="11",
                    patient_status="01",
                    admission_type="1",
                    dates={
                        "435": (day, day),
                        "096": (day + timedelta(3),) * 2,
                        "434": (day, day + timedelta(3)),
                    },
                    codes=codes_,
                    lines=[
                        Line(
                            "",
                            Decimal(9000),
                            revenue_code="0120",
                            units=Decimal(3),
                            service_from=day,
                        )
                    ],
                    **common,
                )
            )
            continue
        lines = [
            Line(
                rng.choice(codes[:2000]) if rng.random() < 0.7 else f"992{rng.randint(12, 15)}",
                Decimal(rng.randint(50, 900)),
                modifiers=rng.choice(([], [], ["25"], ["XS"])),
                units=Decimal(rng.randint(1, 3)),
                diagnosis_pointers=[1],
                service_from=day,
                service_to=day,
            )
            for _ in range(rng.randint(1, 6))
        ]
        kind = "837I" if roll < 0.10 else "837P"
        out.append(
            Claim(
                f"P{n}",
                None,
                kind=kind,
                facility_code="13" if kind == "837I" else "11",
                codes=[CodeEntry("ABK", rng.choice(dx))],
                lines=lines,
                **common,
            )
        )
    return out


def step_scrub(args: list[str]) -> dict[str, Any]:
    from denialscope.scrub import ScrubContext, scrub_claims
    from denialscope.scrub.mue import MueIndex
    from denialscope.scrub.ncci import PtpIndex
    from denialscope.scrub.packs import parse_pack

    index, mue, count = Path(args[0]), Path(args[1]), int(args[2])
    codes = json.loads(Path(args[3]).read_text())
    claims = _claims(count, codes)
    pack = parse_pack(
        "payers: {'12345': {filing_limit_days: 90}}\n"
        "prior_auth: [{payer: '12345', procedures: ['70551', '72148']}]\n"
        "coverage: [{id: L1, procedures: ['82306'], diagnoses: ['E559', 'M81*']}]\n"
    )
    context = ScrubContext(
        pack=pack,
        ncci={"practitioner": PtpIndex(index)},
        mue={"practitioner": MueIndex.open(mue), "outpatient": MueIndex.open(mue)},
    )
    list(scrub_claims(claims[:200], context=context))  # warm caches (ICD tables, grouper)
    context.seen.clear()
    started = time.process_time()
    wall = time.perf_counter()
    results = list(scrub_claims(claims, context=context))
    cpu = time.process_time() - started
    findings = sum(len(r.findings) for r in results)
    return {
        "claims": count,
        "cpu_seconds": cpu,
        "wall_seconds": time.perf_counter() - wall,
        "claims_per_cpu_second": count / cpu,
        "findings": findings,
        "flagged": sum(1 for r in results if not r.clean),
        "peak_mb": _peak_mb(),
    }


STEPS = {"load": step_load, "open": step_open, "scrub": step_scrub}


def _run(step: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", step, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=1_700_000)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("rest", nargs="*")
    ns = parser.parse_args()
    if ns.step:
        print(json.dumps(STEPS[ns.step](ns.rest)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_scrub_") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        ptp, mue, codes = generate(folder, ns.pairs)
        size = ptp.stat().st_size / 1e6
        print(
            f"generated {ns.pairs:,} PTP pairs ({size:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        (folder / "codes.json").write_text(json.dumps(codes))
        from denialscope.scrub.mue import build_mue_index

        build_mue_index([mue], folder / "mue.json")
        load = _run("load", str(ptp), str(folder / "ix"))
        print(
            f"load-ncci (parse + build index): {load['rows']:,} rows in "
            f"{load['seconds']:.2f} s, peak {load['peak_mb']:.0f} MB  (target <= 5 s, <= 500 MB)"
        )
        opened = _run("open", str(folder / "ix"))
        print(
            f"open prebuilt index: {opened['seconds'] * 1000:.1f} ms, peak "
            f"{opened['peak_mb']:.0f} MB"
        )
        scrub = _run(
            "scrub",
            str(folder / "ix"),
            str(folder / "mue.json"),
            str(ns.claims),
            str(folder / "codes.json"),
        )
        print(
            f"scrub, all rules: {scrub['claims']:,} claims in {scrub['cpu_seconds']:.2f} s CPU "
            f"= {scrub['claims_per_cpu_second']:,.0f} claims/s/core (target >= 10,000); "
            f"{scrub['flagged']:,} flagged, {scrub['findings']:,} findings, peak "
            f"{scrub['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
