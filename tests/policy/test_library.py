"""The payer policy library: the shipped example validates; every mistake names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from denialscope.errors import ConfigurationError
from denialscope.policy import POLICY_FILE, load_library, organization_library, parse_library
from denialscope.policy.library import example_text

HEAD = """version: 1
payers:
  - {id: ACME1, name: ACME HEALTH, kind: commercial}
policies:
"""
# Line 5 is the policy's first line; the keys below sit on lines 5..10.
GOOD = """  - id: P1
    title: Lumbar MRI
    payers: [ACME1]
    services: ["72148-72158", J9271]
    prior_authorization: required
    effective_from: 2025-01-01
"""


def test_the_shipped_example_validates() -> None:
    library = parse_library(example_text(), name="example", is_example=True)
    assert len(library.policies) == 12
    assert len(library.payers) == 8
    assert library.is_example
    mri = next(p for p in library.policies if p.id == "SHP-RAD-017")
    assert "72150" in mri.services and "72159" not in mri.services
    assert mri.covered_diagnoses is not None
    assert mri.covered_diagnoses.covers("M51.17")
    assert mri.covered_diagnoses.covers("M48.062")  # a child of the listed subcategory
    assert not mri.covered_diagnoses.covers("M54.50")


def test_a_good_entry_reads_with_its_line() -> None:
    library = parse_library(HEAD + GOOD, name="mine.yaml")
    (policy,) = library.policies
    assert policy.line == 5
    assert policy.payers == frozenset({"ACME1"})
    assert "J9271" in policy.services and "72148" in policy.services
    assert policy.effective_to is None
    assert library.find_payer("acme health") == library.payers["ACME1"]


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        ("payers: [ACME1]", "payers: [OTHER]", 7, "payers: payer 'OTHER' is not under payers:"),
        (
            "payers: [ACME1]", "payer_kinds: [medicare_part_c]", 7,
            "payer_kinds: use one of medicare",
        ),
        ('"72148-72158", J9271', '"72148-7215"', 8, "services: '7215' is not a CPT or HCPCS code"),
        ('"72148-72158", J9271', '"72158-72148"', 8, "services: '72158-72148': a range runs"),
        ("services:", "servces:", 8, "servces: unknown key"),
        ("required", "maybe", 9, "prior_authorization: 'maybe': use one of required"),
        ("2025-01-01", "2025-02-30", 10, "effective_from: expected a date YYYY-MM-DD"),
        ("title: Lumbar MRI", "title: Lumbar MRI\n    covered_diagnoses: [M54.99]",
         7, "covered_diagnoses: 'M5499' is not an ICD-10-CM code"),
        ("title: Lumbar MRI", "title: Lumbar MRI\n    criteria: [{type: LCD, id: '33718'}]",
         7, "criteria[0].id: '33718' is not an LCD id (like L33718)"),
        ("title: Lumbar MRI", "title: Lumbar MRI\n    criteria: [{type: memo, id: X}]",
         7, "criteria[0].type: use one of NCD, LCD"),
        ("title: Lumbar MRI", "title: Lumbar MRI\n    url: www.acme.example",
         7, "url: 'www.acme.example' is not a web address"),
        ("title: Lumbar MRI", "title: Lumbar MRI\n    settings: [clinic]",
         7, "settings: unknown setting 'clinic'"),
        ("effective_from: 2025-01-01", "effective_from: 2025-01-01\n    effective_to: 2024-12-31",
         11, "effective_to: before effective_from"),
        ("    title: Lumbar MRI\n", "", 5, "title: missing"),
    ],
)  # fmt: skip
def test_each_mistake_names_file_line_and_key(old: str, new: str, line: int, problem: str) -> None:
    text = HEAD + GOOD.replace(old, new, 1)
    with pytest.raises(ConfigurationError) as caught:
        parse_library(text, name="mine.yaml")
    assert f"mine.yaml:{line}: policies[0].{problem}" in caught.value.message


def test_all_problems_are_reported_at_once() -> None:
    second = GOOD.replace("id: P1", "id: P2").replace("[ACME1]", "[NOPE]")
    third = GOOD.replace("required", "sometimes")
    with pytest.raises(ConfigurationError) as caught:
        parse_library(HEAD + GOOD + GOOD + second + third, name="mine.yaml")
    error = caught.value
    assert error.message.startswith("mine.yaml: 3 problems:")
    assert error.context["problems"] == [
        "mine.yaml:11: policies[1].id: duplicate id P1",
        "mine.yaml:19: policies[2].payers: payer 'NOPE' is not under payers:",
        "mine.yaml:27: policies[3].prior_authorization: 'sometimes': use one of required, "
        "notification, not_required",
    ]


def test_syntax_errors_and_missing_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"bad.yaml:3: YAML syntax"):
        parse_library("policies:\n  - [unclosed\n", name="bad.yaml")
    with pytest.raises(ConfigurationError, match="file not found"):
        load_library(tmp_path / "none.yaml")
    with pytest.raises(ConfigurationError, match="policies: missing"):
        parse_library("version: 1\n", name="empty.yaml")


def test_the_organization_file_replaces_the_example(tmp_path: Path) -> None:
    example = organization_library(data_dir=tmp_path)
    assert example.is_example and len(example.policies) == 12
    (tmp_path / POLICY_FILE).write_text(HEAD + GOOD, encoding="utf-8")
    own = organization_library(data_dir=tmp_path)
    assert not own.is_example
    assert [p.id for p in own.policies] == ["P1"]
    assert own.source == str(tmp_path / POLICY_FILE)
