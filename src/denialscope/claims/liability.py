"""Who may be billed: the 837 line modifiers that move financial liability to the patient.

A CO-group (contractual obligation) denial is the provider's loss: the patient may not be
billed for it. The patient may be billed only when the payer assigned the amount to the
patient (PR group) or when the patient signed a liability notice before the service, which
the claim line says with a modifier:

- GA: a waiver of liability (Medicare ABN) was issued as the payer's policy requires;
- GX: a voluntary notice of liability was issued (service statutorily excluded or not a
  benefit, notice given voluntarily).

GZ says the opposite (a denial was expected and NO notice was signed: provider liable), and
GY marks a statutorily excluded service, which the patient owes without any notice.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "NO_NOTICE_MODIFIERS",
    "STATUTORY_EXCLUSION_MODIFIERS",
    "WAIVER_MODIFIERS",
    "has_patient_waiver",
    "patient_may_be_billed",
]

WAIVER_MODIFIERS = frozenset({"GA", "GX"})
NO_NOTICE_MODIFIERS = frozenset({"GZ"})
STATUTORY_EXCLUSION_MODIFIERS = frozenset({"GY"})


def has_patient_waiver(modifiers: Iterable[str | None]) -> bool:
    """True when the line carries a signed liability notice (GA or GX) and no GZ."""
    codes = {(m or "").strip().upper() for m in modifiers}
    return bool(codes & WAIVER_MODIFIERS) and not (codes & NO_NOTICE_MODIFIERS)


def patient_may_be_billed(group_code: str, modifiers: Iterable[str | None] = ()) -> bool:
    """May this denied amount be billed to the patient? PR always; CO only with a waiver or
    a statutory exclusion; OA, PI and CR never (they are the payer's or the provider's)."""
    group = group_code.strip().upper()
    if group == "PR":
        return True
    if group != "CO":
        return False
    codes = [(m or "").strip().upper() for m in modifiers]
    return has_patient_waiver(codes) or bool(set(codes) & STATUTORY_EXCLUSION_MODIFIERS)
