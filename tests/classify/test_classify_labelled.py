"""The labelled table: (group, CARC, remarks, claim type) -> what an analyst would call it.

The expected answers come from the official meaning of each code combination, not from the
rules; the test prints the measured accuracy and every miss, and needs at least 95%.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from denialscope.classify import ClassificationConfig, classify_adjustment

CASES = Path(__file__).with_name("labelled_cases.csv")
REQUIRED_ACCURACY = 0.95


@dataclass(frozen=True)
class Case:
    row: int
    group: str
    carc: str
    claim_rarcs: tuple[str, ...]
    line_rarcs: tuple[str, ...]
    claim_type: str | None
    procedure: str | None
    modifiers: tuple[str, ...]
    expected: tuple[bool, str, str]
    meaning: str


def _cases() -> list[Case]:
    with CASES.open(newline="", encoding="utf-8") as handle:
        return [
            Case(
                row=number,
                group=row["group"],
                carc=row["carc"],
                claim_rarcs=tuple(row["claim_rarcs"].split()),
                line_rarcs=tuple(row["line_rarcs"].split()),
                claim_type=row["claim_type"] or None,
                procedure=row["procedure"] or None,
                modifiers=tuple(row["modifiers"].split()),
                expected=(row["is_denial"] == "true", row["stream"], row["root_cause"]),
                meaning=row["meaning"],
            )
            for number, row in enumerate(csv.DictReader(handle), start=2)
        ]


def test_table_is_large_and_varied() -> None:
    cases = _cases()
    assert len(cases) >= 150
    assert {c.expected[1] for c in cases} == {"clinical", "coding", "access", "billing", "none"}
    assert len(
        {
            (c.group, c.carc, c.claim_rarcs, c.line_rarcs, c.claim_type, c.procedure, c.modifiers)
            for c in cases
        }
    ) == len(cases), "duplicate combinations in the table"


def test_labelled_accuracy(defaults: ClassificationConfig) -> None:
    cases = _cases()
    misses: list[str] = []
    for case in cases:
        result = classify_adjustment(
            defaults,
            group=case.group,
            carc=case.carc,
            claim_rarcs=case.claim_rarcs,
            line_rarcs=case.line_rarcs,
            claim_type=case.claim_type,
            procedure_code=case.procedure,
            modifiers=case.modifiers,
        )
        got = (result.is_denial, result.stream, result.root_cause)
        if got != case.expected:
            misses.append(
                f"  row {case.row}: {case.group}-{case.carc} {' '.join(case.claim_rarcs)}"
                f" {' '.join(case.line_rarcs)} {case.claim_type or ''}"
                f" {' '.join(case.modifiers)} ({case.meaning}):"
                f" expected {case.expected}, got {got} by rule {result.rule_id}"
            )
    accuracy = 1 - len(misses) / len(cases)
    print(
        f"\nlabelled classification accuracy: {accuracy:.3f} ({len(cases) - len(misses)}"
        f"/{len(cases)} cases)"
    )
    for miss in misses:
        print(miss)
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)
