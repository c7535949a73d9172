"""The benchmark generator writes the same bytes for the same seed, and files that are valid.

Validity is checked here independently of denialscope's parsers (envelope counts and control
numbers, 835 balancing, 837 charge sums, HL parents), then, when the parsers are installed,
by reading the file with ``open_x12`` and expecting no error diagnostics.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_x12.py"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_x12", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_x12"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _text(kind: str, claims: int, seed: int = 7, per_st: int = 120) -> str:
    out = io.StringIO()
    gen.generate(out, kind=kind, claims=claims, seed=seed, claims_per_st=per_st)
    return out.getvalue()


def _segments(text: str) -> list[list[str]]:
    assert text.endswith("~\n"), "every segment ends with the terminator and a newline"
    return [s.split("*") for s in text[:-2].split("~\n")]


def _transactions(segs: list[list[str]]) -> Iterator[list[list[str]]]:
    start = 0
    for i, seg in enumerate(segs):
        if seg[0] == "ST":
            start = i
        elif seg[0] == "SE":
            yield segs[start : i + 1]


def _cents(value: str) -> Decimal:
    return Decimal(value or "0")


def _cas_total(seg: list[str]) -> Decimal:
    # CAS*group*reason*amount*qty*reason*amount*qty...: amounts at 3, 6, 9 ...
    return sum((_cents(seg[i]) for i in range(3, len(seg), 3)), Decimal(0))


@pytest.mark.parametrize("kind", ["835", "837P", "837I"])
def test_same_seed_same_bytes_other_seed_other_bytes(kind: str) -> None:
    first = _text(kind, 150)
    assert first == _text(kind, 150)
    assert first != _text(kind, 150, seed=8)


@pytest.mark.parametrize("kind", ["835", "837P", "837I"])
def test_envelope_counts_and_control_numbers(kind: str) -> None:
    claims, per_st = 250, 100
    segs = _segments(_text(kind, claims, per_st=per_st))
    isa, gs, ge, iea = segs[0], segs[1], segs[-2], segs[-1]
    assert len(isa) == 17 and len("*".join(isa)) + 1 == 106  # ISA is fixed width
    assert iea[2] == isa[13] and iea[1] == "1"
    assert ge[2] == gs[6]
    sets = list(_transactions(segs))
    assert int(ge[1]) == len(sets) == -(-claims // per_st)
    controls = [tx[0][2] for tx in sets]
    assert len(set(controls)) == len(controls)
    for tx in sets:
        assert tx[-1][1] == str(len(tx)) and tx[-1][2] == tx[0][2]
    claim_id = "CLP" if kind == "835" else "CLM"
    assert sum(1 for s in segs if s[0] == claim_id) == claims


def _split(segs: list[list[str]], opener: str, stop: frozenset[str]) -> list[list[list[str]]]:
    """Loops that start at ``opener`` and run until the next opener or a ``stop`` segment."""
    loops: list[list[list[str]]] = []
    for seg in segs:
        if seg[0] == opener:
            loops.append([seg])
        elif seg[0] in stop:
            loops.append([])  # closes the open loop; the empty one is dropped below
        elif loops:
            loops[-1].append(seg)
    return [loop for loop in loops if loop]


def test_835_amounts_balance() -> None:
    segs = _segments(_text("835", 400))
    statuses: set[str] = set()
    groups: set[tuple[str, str]] = set()
    for tx in _transactions(segs):
        bpr = next(s for s in tx if s[0] == "BPR")
        claims = _split(tx, "CLP", frozenset({"PLB", "SE", "LX"}))
        for claim in claims:
            clp = claim[0]
            statuses.add(clp[2])
            cas = [s for s in claim if s[0] == "CAS"]
            groups.update((s[1], s[2]) for s in cas)
            adjusted = sum((_cas_total(s) for s in cas), Decimal(0))
            assert _cents(clp[3]) - _cents(clp[4]) == adjusted, clp
            for line in _split(claim, "SVC", frozenset()):
                line_adjusted = sum((_cas_total(s) for s in line if s[0] == "CAS"), Decimal(0))
                assert _cents(line[0][2]) - _cents(line[0][3]) == line_adjusted, line[0]
        paid = sum((_cents(c[0][4]) for c in claims), Decimal(0))
        plb = sum(
            (_cents(s[i]) for s in tx if s[0] == "PLB" for i in range(4, len(s), 2)), Decimal(0)
        )
        assert plb != 0
        assert _cents(bpr[2]) == paid - plb
    # The mix the benchmark promises: denials, cost sharing, contractual, claim-level CAS.
    assert {"1", "4"} <= statuses
    assert {("CO", "45"), ("CO", "253"), ("PR", "2")} <= groups
    assert any(g == "CO" and r in {"16", "97"} for g, r in groups)
    assert any(s[:2] == ["LQ", "HE"] for s in segs)


@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_837_charges_add_up_and_hl_parents_exist(kind: str) -> None:
    segs = _segments(_text(kind, 300))
    line_id, charge_at = ("SV1", 2) if kind == "837P" else ("SV2", 3)
    for tx in _transactions(segs):
        assert tx[0][3] == gen.GUIDES[kind]
        seen_hl: set[str] = set()
        clm: list[str] | None = None
        total = Decimal(0)
        for seg in [*tx, ["CLM"]]:
            if seg[0] == "HL":
                assert seg[2] == "" or seg[2] in seen_hl
                seen_hl.add(seg[1])
            if seg[0] == "CLM":
                if clm is not None:
                    assert _cents(clm[2]) == total
                clm, total = (seg if len(seg) > 1 else None), Decimal(0)
            elif seg[0] == line_id:
                total += _cents(seg[charge_at])


def test_money_keeps_only_needed_digits() -> None:
    assert [gen.money(c) for c in (12500, 12550, 12555, -5, 0)] == [
        "125",
        "125.5",
        "125.55",
        "-0.05",
        "0",
    ]


def test_npi_has_valid_luhn_check_digit() -> None:
    def luhn_ok(number: str) -> bool:
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        return total % 10 == 0

    assert all(luhn_ok("80840" + gen.npi(base)) for base in (123456789, 100000000, 987654321))
    assert not luhn_ok("80840" + "1234567890")  # the check itself can fail


@pytest.mark.parametrize(("kind", "module"), [
    ("835", "denialscope.x12.remit835.parser"),
    ("837P", "denialscope.x12.claim837.parser"),
    ("837I", "denialscope.x12.claim837.parser"),
])  # fmt: skip
def test_denialscope_reads_it_without_errors(kind: str, module: str, tmp_path: Path) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not written yet")
    from denialscope.x12.reader import open_x12

    path = tmp_path / f"{kind}.edi"
    path.write_text(_text(kind, 200, per_st=90), encoding="ascii", newline="")
    with open_x12(path) as reader:
        for _ in reader:
            pass
    errors = [d for d in reader.diagnostics if str(d.severity) == "error"]
    assert errors == []
    assert reader.summary.claims == 200
    assert reader.summary.transactions == 3
