"""Inpatient acuity and coding: a case mix an acute hospital recognizes, codes that agree."""

from __future__ import annotations

import random
from collections import Counter
from statistics import mean

import pytest

from denialscope.demo.catalog import DIAGNOSIS_SIDE, INPATIENT_CASES, InpatientCase
from denialscope.demo.encounters import Claim, make_claims
from denialscope.demo.inpatient import code_stay
from denialscope.demo.org import build_org
from denialscope.reference import cc_mcc, msdrg_weights


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    rng = random.Random(5)
    return make_claims(rng, build_org(rng), 15000)


def _stays(claims: list[Claim]) -> list[Claim]:
    return [c for c in claims if c.kind == "inpatient"]


def test_case_mix_index_mcc_share_and_charges(claims: list[Claim]) -> None:
    stays = _stays(claims)
    weights = msdrg_weights()
    cmi = mean(float(weights[c.drg or ""].weight or 0) for c in stays)
    assert 1.5 <= cmi <= 1.9
    severity = cc_mcc()
    medical = [c for c in stays if weights[c.drg or ""].type == "MED"]
    with_mcc = sum(any(severity.get(d) == "MCC" for d in c.diagnoses[1:]) for c in medical)
    assert 0.30 <= with_mcc / len(medical) <= 0.40
    assert 20000 <= mean(float(c.charge) for c in stays) <= 90000


def test_national_top_drgs_in_plausible_order(claims: list[Claim]) -> None:
    drgs = Counter(c.drg for c in _stays(claims))
    assert drgs["871"] > drgs["872"]  # sepsis with MCC is the nation's first DRG
    assert drgs["291"] > drgs["293"]
    top = {d for d, _ in drgs.most_common(15)}
    assert {"871", "872", "470", "291", "392", "690", "603", "194"} <= top


def test_hand_computed_combination_coding() -> None:
    hf = InpatientCase("hf", 1, "inpatient_medical", ("I5023",), combination="hf")
    sepsis = InpatientCase("s", 1, "inpatient_medical", ("A419",), mcc=("J9601",),
                           mcc_chance=1.0, combination="sepsis")  # fmt: skip
    seen: Counter[str] = Counter()
    for seed in range(400):
        coded = code_stay(random.Random(seed), hf, age=75)
        dx = [coded.principal, *coded.secondary]
        if coded.miscoding == "hypertensive_heart_failure_not_combined":
            assert dx[0] == "I5023" and "I10" in dx
        elif coded.principal in ("I110", "I130"):  # hypertensive HF: I50 goes second
            assert coded.secondary[0] == "I5023" and "I10" not in dx
            assert (coded.principal == "I130") == ("N1830" in dx)
        seen[coded.principal] += 1
        coded = code_stay(random.Random(seed), sepsis, age=75)
        if coded.miscoding == "severe_sepsis_not_coded":
            assert "R6520" not in coded.secondary
        else:
            assert coded.secondary[:2] == ["R6520", "J9601"]
    assert seen["I110"] and seen["I130"] and seen["I5023"]


def test_codes_agree_and_miscodings_are_planted(claims: list[Claim]) -> None:
    for c in claims:
        dx = set(c.diagnoses)
        principal = c.replaced_diagnosis or c.diagnoses[0]  # before an invalid code was planted
        if c.miscoding is None:
            assert not ({"I10"} & dx and {"I129", "I130", "I110", "N1830"} & dx), c.diagnoses
            assert not ({"E119", "E1165"} & dx and "N1830" in dx), c.diagnoses
            if c.template in ("sepsis",) and {"J9601", "G9341", "N170", "N179"} & dx:
                assert {"R6520", "R6521"} & dx
        assert not ({"E119", "E1122"} <= dx)
        for ln in c.lines:
            side = DIAGNOSIS_SIDE.get(principal)
            if side and {"RT", "LT"} & set(ln.modifiers):
                assert side in ln.modifiers, (c.claim_id, principal, ln.modifiers)
        if c.template == "ortho_arthroscopy":  # a knee scope carries a knee diagnosis
            assert principal in ("S83241A", "M1711", "M1712")
    planted = Counter(c.miscoding for c in claims if c.miscoding)
    assert len(planted) == 4 and 0.001 < sum(planted.values()) / len(claims) < 0.02


def test_inpatient_procedures_match_the_side_of_the_diagnosis() -> None:
    sides = {"0SRC0J9": "M1711", "0SRD0J9": "M1712", "0SR9019": "M1611", "0QS634Z": "S72141A"}
    for cases in INPATIENT_CASES.values():
        for case in cases:
            for px in case.procedures:
                if px in sides:
                    assert case.principal == (sides[px],), case.key
