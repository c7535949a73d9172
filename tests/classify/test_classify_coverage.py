"""Every published CARC gets a deliberate default; code references match the published lists.

Uses the bundled code numbers and statuses (``denialscope.reference``) and, when present, checks
they agree with ../shared/refdata (the list the brief pins: 407 CARCs).
"""

from __future__ import annotations

import csv

import pytest

from denialscope.classify import CANONICAL_ROOT_CAUSES, ClassificationConfig
from denialscope.reference import carc_numbers, rarc_numbers
from factories.shared import REFDATA_DIR

SHARED = REFDATA_DIR


def _default_rules(config: ClassificationConfig) -> dict[str, str]:
    """CARC -> root cause of its unconditional ``carc-<code>`` rule."""
    mapped: dict[str, str] = {}
    for rule in config.rules:
        if rule.id.startswith("carc-"):
            assert rule.carcs is not None and len(rule.carcs) == 1, rule.id
            assert rule.specificity == 0 and not rule.is_dated, f"{rule.id} has conditions"
            (code,) = rule.carcs
            assert rule.id == f"carc-{code}"
            mapped[code] = rule.root_cause
    return mapped


def test_every_published_carc_has_a_deliberate_default(defaults: ClassificationConfig) -> None:
    published = carc_numbers()
    mapped = _default_rules(defaults)
    missing = sorted(set(published) - set(mapped))
    unknown = sorted(set(mapped) - set(published))
    assert missing == [], f"CARCs without a default: {missing}"
    assert unknown == [], f"defaults for codes that are not published: {unknown}"
    deliberately_open = {code for group in defaults.unclassified for code in group.codes}
    for code, cause in mapped.items():
        assert cause in defaults.root_causes
        if cause == "unclassified":
            assert code in deliberately_open, f"{code} unclassified without a listed reason"
    for group in defaults.unclassified:
        assert group.reason and group.label


def test_deactivated_codes_are_acknowledged(defaults: ClassificationConfig) -> None:
    retired = {code for code, status in carc_numbers().items() if status == "deactivated"}
    assert set(defaults.deactivated_carcs) == retired


def test_referenced_remarks_are_published(defaults: ClassificationConfig) -> None:
    published = rarc_numbers()
    referenced = set()
    for rule in defaults.rules:
        referenced |= set(rule.rarc_any or ()) | set(rule.rarc_none or ())
    unknown = sorted(referenced - set(published))
    assert unknown == [], f"remarks not in the published list: {unknown}"
    retired = {code for code in referenced if published[code] == "deactivated"}
    assert retired == set(defaults.deactivated_rarcs), "retired remarks must be acknowledged"


def test_canonical_root_causes_are_defined_and_reachable(defaults: ClassificationConfig) -> None:
    for cause_id, stream in CANONICAL_ROOT_CAUSES.items():
        assert defaults.root_causes[cause_id].stream == stream
    used = {rule.root_cause for rule in defaults.rules}
    assert set(CANONICAL_ROOT_CAUSES) - used == set(), "root causes no rule can produce"


@pytest.mark.skipif(not (SHARED / "carc_codes.csv").is_file(), reason="no ../shared/refdata")
def test_bundled_numbers_match_the_shared_list() -> None:
    with (SHARED / "carc_codes.csv").open(newline="", encoding="utf-8") as handle:
        shared = {row["code"]: row["status"] for row in csv.DictReader(handle)}
    assert len(shared) == 407
    assert shared == dict(carc_numbers())
