"""MS-DRG assignment with the real grouper (the ``msdrg`` package), as a hospital's
encoder would do before billing.

The grouper version follows the discharge date (FY2025 = v42.1 until 30 September 2025,
FY2026 = v43.1 after), so tests can re-group a claim and expect the same DRG.
"""

from __future__ import annotations

from datetime import date
from types import TracebackType
from typing import Any

import msdrg

__all__ = ["Grouper", "grouper_version"]


def grouper_version(discharge: date) -> int:
    """The MS-DRG version in force on a discharge date (mid-year update included)."""
    return 431 if discharge >= date(2025, 10, 1) else 421


class Grouper:
    """A cached wrapper: identical code sets group once."""

    def __init__(self) -> None:
        self._grouper: Any = msdrg.MsdrgGrouper()
        self._cache: dict[tuple[object, ...], str] = {}

    def group(
        self,
        *,
        discharge: date,
        age: int,
        sex: str,
        discharge_status: str,
        principal: str,
        secondary: list[str],
        procedures: list[str],
    ) -> str:
        """Three-digit DRG; diagnoses are taken as present on admission."""
        version = grouper_version(discharge)
        key = (version, age, sex, discharge_status, principal, tuple(secondary), tuple(procedures))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        claim = msdrg.create_claim(
            version=version,
            age=age,
            sex=0 if sex == "M" else 1 if sex == "F" else 2,
            discharge_status=int(discharge_status),
            pdx=principal,
            pdx_poa="Y",
            sdx=[(code, "Y") for code in secondary],
            procedures=list(procedures),
        )
        result = self._grouper.group(claim)
        drg = f"{int(result['final_drg']):03d}"
        self._cache[key] = drg
        return drg

    def close(self) -> None:
        self._grouper.close()

    def __enter__(self) -> Grouper:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
