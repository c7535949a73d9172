"""The time split: train on earlier months, calibrate on a middle slice, test on the latest.

Months are submission months. Features of every claim only see outcomes known before its
submission, so test claims are scored exactly as they would have been on their day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from denialscope.errors import InputError
from denialscope.predict.records import ClaimInput

__all__ = ["NotEnoughHistoryError", "Split", "time_split"]


class NotEnoughHistoryError(InputError):
    """Too few months (or outcomes) of history for the requested split."""


@dataclass(frozen=True, slots=True)
class Split:
    train: tuple[str, str]  # first and last month (YYYY-MM), inclusive
    calibration: tuple[str, str]
    test: tuple[str, str]

    def part(self, day: dt.date) -> str:
        month = day.strftime("%Y-%m")
        if month <= self.train[1]:
            return "train"
        if month <= self.calibration[1]:
            return "calibration"
        return "test"


def time_split(claims: Sequence[ClaimInput], *, test_months: int, calibration_months: int) -> Split:
    """Split the months of ``claims`` (at least one month of training must remain)."""
    if test_months < 0 or calibration_months < 1:
        raise NotEnoughHistoryError(
            "the split needs at least one calibration month and no negative test months"
        )
    months = sorted({c.submitted.strftime("%Y-%m") for c in claims})
    need = test_months + calibration_months + 1
    if len(months) < need:
        raise NotEnoughHistoryError(
            f"{len(months)} month(s) of adjudicated claims; the split needs {need} "
            f"({calibration_months} calibration, {test_months} test, at least 1 training)"
        )
    cut = len(months) - test_months - calibration_months
    train = (months[0], months[cut - 1])
    calibration = (months[cut], months[cut + calibration_months - 1])
    test = (months[-test_months], months[-1]) if test_months else ("", "")
    return Split(train, calibration, test)
