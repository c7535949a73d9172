"""How a stay is coded: comorbidities, the combination codes the guidelines require, and a
few planted miscodings for the scrubber to find.

ICD-10-CM guidelines presume some links and require one code for them: hypertension with
chronic kidney disease is I12.- (I13.- with heart failure too), hypertension with heart
failure is I11.0, diabetes with CKD is E11.22 (plus the N18 stage), sepsis with acute organ
dysfunction adds R65.20 (R65.21 with shock). About ``MISCODING_RATE`` of the eligible claims
are coded the wrong way (the link split into separate codes, or R65.20 left off); the claim
records which rule was missed (ground truth), and nothing else about it changes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from denialscope.demo.catalog import InpatientCase

__all__ = ["CHRONIC", "COMBINATION_CODES", "MISCODING_RATE", "Coded", "code_outpatient",
           "code_stay"]  # fmt: skip

MISCODING_RATE = 0.05
# Chronic conditions with no link rule, each coded independently at this chance (x scale).
CHRONIC: dict[str, float] = {
    "E785": 0.35, "K219": 0.15, "G4733": 0.12, "E039": 0.10, "E669": 0.15, "F17210": 0.10,
    "Z87891": 0.12,
}  # fmt: skip
COMBINATION_CODES = ("I110", "I130", "I129", "E1122", "N1830", "R6520", "I10", "E119",
                     "E1165", "Z794", "I4891", "Z7901")  # fmt: skip
# Acute organ dysfunction that makes sepsis severe (R65.20 required).
_ORGAN_DYSFUNCTION = frozenset({"J9601", "G9341", "N170", "N179", "D65"})


@dataclass(frozen=True, slots=True)
class Coded:
    principal: str
    secondary: list[str]
    miscoding: str | None  # the guideline the coder missed, None if coded right


def _chronic(rng: random.Random, *, age: int, principal: str, scale: float, miscode: bool,
             hypertension_done: bool) -> tuple[list[str], str | None, bool]:  # fmt: skip
    """Hypertension, diabetes, CKD, atrial fibrillation and the rest; returns the codes,
    the miscoding made (if any) and whether CKD is present."""
    old = age >= 65
    codes: list[str] = []
    miscoding: str | None = None
    # A visit for diabetes or hypertension itself is coded without CKD here (E11.22 or I12.9
    # would then be its principal).
    diabetic_visit = principal[:3] in ("E10", "E11")
    ckd = (
        not diabetic_visit and principal != "I10" and rng.random() < (0.28 if old else 0.10) * scale
    )
    if not hypertension_done and rng.random() < (0.70 if old else 0.35) * scale:
        if ckd and miscode:
            codes.append("I10")  # should be I12.9: the link with CKD is presumed
            miscoding, miscode = "hypertension_ckd_not_combined", False
        else:
            codes.append("I129" if ckd else "I10")
    if not diabetic_visit and rng.random() < (0.30 if old else 0.15) * scale:
        if ckd and miscode:
            codes.append("E119")  # should be E11.22: diabetes with CKD is presumed linked
            miscoding = "diabetes_ckd_not_combined"
        else:
            codes.append("E1122" if ckd else rng.choice(("E119", "E119", "E1165")))
        if rng.random() < 0.3:
            codes.append("Z794")
    if ckd:
        codes.append("N1830")
    if principal != "I4891" and rng.random() < (0.12 if old else 0.03) * scale:
        codes += ["I4891", "Z7901"]
    codes += [c for c, p in CHRONIC.items() if rng.random() < p * scale]
    return codes, miscoding, ckd


def code_stay(rng: random.Random, case: InpatientCase, *, age: int) -> Coded:
    """Principal and secondary diagnoses of one inpatient stay."""
    principal = rng.choice(case.principal)
    miscode = rng.random() < MISCODING_RATE
    acute: list[str] = []
    if case.mcc and rng.random() < case.mcc_chance:
        acute.append(rng.choice(case.mcc))
    if case.cc and rng.random() < case.cc_chance:
        acute.append(rng.choice(case.cc))
    miscoding: str | None = None
    hypertension_done = False
    if case.combination == "sepsis" and _ORGAN_DYSFUNCTION & set(acute) and "R6521" not in acute:
        if miscode:
            miscoding, miscode = "severe_sepsis_not_coded", False
        else:
            acute.insert(0, "R6520")
    if case.combination == "hf" and rng.random() < 0.75:  # most heart failure is hypertensive
        hypertension_done = True
        if miscode:
            acute.append("I10")  # should be I11.0 / I13.0 with the I50 code secondary
            miscoding, miscode = "hypertensive_heart_failure_not_combined", False
        else:
            acute.insert(0, principal)
            principal = "I110"  # becomes I13.0 below when CKD is present
    chronic, missed, ckd = _chronic(
        rng, age=age, principal=principal, scale=1.0, miscode=miscode,
        hypertension_done=hypertension_done,
    )  # fmt: skip
    if principal == "I110" and ckd:
        principal = "I130"
    secondary = [c for c in dict.fromkeys(acute + chronic) if c != principal]
    return Coded(principal, secondary[:11], miscoding or missed)


def code_outpatient(rng: random.Random, principal: str, *, age: int) -> Coded:
    """A visit's diagnosis and the chronic conditions coded with it (fewer than a stay)."""
    miscode = rng.random() < MISCODING_RATE
    chronic, missed, _ = _chronic(rng, age=age, principal=principal, scale=0.45,
                                  miscode=miscode, hypertension_done=False)  # fmt: skip
    return Coded(principal, [c for c in chronic if c != principal][:4], missed)
