"""The payer history rate: DRG families and shrinkage, hand computed."""

from __future__ import annotations

import pytest

from denialscope.ur.history import DenialHistory, drg_family


def test_drg_families_from_the_weights_table() -> None:
    assert drg_family("195") == drg_family("193") == "193-195"  # pneumonia w MCC, CC, w/o
    assert drg_family("281") == "280-282"
    assert drg_family("885") == "885"  # no severity split
    assert drg_family("XYZ") == "XYZ"


def test_a_working_drg_meets_the_billed_members_of_its_family() -> None:
    history = DenialHistory(cells={(1, "193-195"): (2, 10)}, payers={1: (3, 40)}, overall=(5, 100))
    base = (5 + 1) / (100 + 50)
    payer = (3 + 20 * base) / (40 + 20)
    rate = history.rate(payer_id=1, drg="195")  # billed stays were 193/194, working is 195
    assert (rate.denied, rate.stays) == (2, 10)
    assert rate.rate == pytest.approx((2 + 20 * payer) / (10 + 20))
    other = history.rate(payer_id=1, drg="885")  # no history for that DRG: the payer's rate
    assert other.rate == pytest.approx(payer)
    unknown = history.rate(payer_id=None, drg="195")
    assert unknown.rate == pytest.approx(base)
