"""ur.yaml and the inpatient-only list: shipped defaults, the organization's override, errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from denialscope.errors import ConfigurationError
from denialscope.settings import Settings
from denialscope.ur.rules import inpatient_only, load_rules


def test_kind_then_payer_override_the_default(tmp_path: Path) -> None:
    settings = Settings.resolve(data_dir=tmp_path)
    settings.ur_file.write_text(
        """
default:
  admission_review_hours: 12
  checkpoint_before_gmlos_days: 1
  outlier_after_amlos: true
  observation_hours: [48, 24]
  two_midnight: false
  inpatient_only_check: true
  concurrent_review_days: []
  concurrent_review_every: null
  p2p_window_hours: 48
  base_rate: 7000
  observation_payment: 2500.50
  unknown_drg_weight: 1.0
kinds:
  medicare_advantage: {two_midnight: true, p2p_window_hours: 24}
payers:
  mah21: {p2p_window_hours: 12, base_rate: 7100}
""",
        encoding="utf-8",
    )
    book = load_rules(path=settings.ur_file)
    plan = book.for_payer(kind="medicare_advantage", payer_id="MAH21", name=None, two_midnight=None)
    assert (plan.two_midnight, plan.p2p_window_hours, plan.base_rate) == (True, 12, Decimal("7100"))
    assert plan.observation_hours == (24, 48)
    assert plan.observation_payment == Decimal("2500.50")
    other = book.for_payer(
        kind="medicare_advantage", payer_id="MAP35", name=None, two_midnight=None
    )
    assert (other.p2p_window_hours, other.admission_review_hours) == (24, 12)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("default: {admision_review_hours: 24}\n", "default.admision_review_hours: unknown"),
        ("kinds: {commercial: {two_midnight: maybe}}\n", "expected true or false"),
        ("kinds: {commercial: {base_rate: lots}}\n", "expected a number"),
        ("kinds: {commercial: {observation_hours: [24, -1]}}\n", "positive whole numbers"),
        ("rules: {}\n", "expected the sections"),
        ("default: [\n", "not valid YAML"),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "ur.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=problem) as caught:
        load_rules(path=path)
    assert str(path) in caught.value.message


def test_an_override_holds_only_what_differs(tmp_path: Path) -> None:
    path = tmp_path / "ur.yaml"
    path.write_text("kinds:\n  commercial:\n    p2p_window_hours: 96\n", encoding="utf-8")
    plan = load_rules(path=path).for_payer(kind="commercial", payer_id=None, name=None,
                                           two_midnight=None)  # fmt: skip
    assert plan.p2p_window_hours == 96
    assert plan.base_rate == Decimal("9500.00")  # still the shipped commercial rate
    assert plan.concurrent_review_every == 3


def test_inpatient_only_list_shipped_and_replaced(tmp_path: Path) -> None:
    assert {"33533", "47600"} <= inpatient_only()
    path = tmp_path / "inpatient_only.csv"
    path.write_text("code,label\n0001U,test\n", encoding="utf-8")
    assert inpatient_only(path=path) == frozenset({"0001U"})
    path.write_text("cpt\n33533\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="code column"):
        inpatient_only(path=path)
