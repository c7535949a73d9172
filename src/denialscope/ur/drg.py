"""The working DRG: the stay's working diagnoses and procedures through the MS-DRG grouper,
with the GMLOS/AMLOS and weight of the shipped FY table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from denialscope.reference.codesets import msdrg_weights, normalize_icd

__all__ = ["WorkingDrg", "WorkingGrouper"]


@dataclass(frozen=True, slots=True)
class WorkingDrg:
    drg: str
    title: str
    weight: Decimal
    gmlos: Decimal
    amlos: Decimal


class WorkingGrouper:
    """One grouper for a worklist build; identical code sets are grouped once."""

    def __init__(self) -> None:
        self._grouper: Any = None
        self._cache: dict[tuple[object, ...], WorkingDrg | None] = {}

    def group(
        self,
        *,
        on: dt.date,
        age: int | None,
        sex: str | None,
        diagnoses: list[str],
        procedures: list[str],
    ) -> WorkingDrg | None:
        """The DRG the working codes group to (None without a diagnosis or a table row)."""
        if not diagnoses:
            return None
        dx = [normalize_icd(c) for c in diagnoses]
        pcs = [c.split(":", 1)[1] for c in procedures if c.startswith("PCS:")]
        # The grouper version in force on the day (FY2026 = v43.1 from 1 October 2025).
        version = 431 if on >= dt.date(2025, 10, 1) else 421
        key = (version, age, sex, tuple(dx), tuple(pcs))
        if key in self._cache:
            return self._cache[key]
        import msdrg

        if self._grouper is None:
            self._grouper = msdrg.MsdrgGrouper()
        claim = msdrg.create_claim(
            version=version,
            age=age if age is not None else 65,
            sex=0 if sex == "M" else 1 if sex == "F" else 2,
            discharge_status=1,  # still in house: home is the neutral assumption
            pdx=dx[0],
            pdx_poa="Y",
            sdx=[(code, "Y") for code in dx[1:]],
            procedures=pcs,
        )
        drg = f"{int(self._grouper.group(claim)['final_drg']):03d}"
        row = msdrg_weights().get(drg)
        result = None
        if row is not None and row.weight is not None and row.gmlos and row.amlos:
            result = WorkingDrg(drg, row.title, row.weight, row.gmlos, row.amlos)
        self._cache[key] = result
        return result

    def close(self) -> None:
        if self._grouper is not None:
            self._grouper.close()
            self._grouper = None
