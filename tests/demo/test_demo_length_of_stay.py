"""Length-of-stay denials follow the stay's length against its DRG (issue 18), without
changing which claims are denied."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from denialscope.demo import denial_model as dm
from denialscope.demo.encounters import Claim, make_claims
from denialscope.demo.lifecycle import run_lifecycle
from denialscope.demo.org import build_org
from denialscope.demo.pricing import Remit

STAY = dm.ClaimFacts(
    payer="SHP", payer_kind="commercial", kind="inpatient", family="inpatient_medical",
    department="RMC-MED", service_line="medicine", template="pneumonia",
    service_date=date(2025, 3, 3), drg_weight=Decimal("1.2"), cpt_lines=0,
    has_modifier_line=False, has_multi_unit=False, professional=False, timely_limit_days=180,
    los=4, gmlos=4.0, amlos=5.0,
)  # fmt: skip


def test_the_factor_is_small_under_the_gmlos_and_grows_past_the_amlos() -> None:
    factors = [dm.los_factor(replace(STAY, los=los)) for los in (1, 3, 4, 5, 6, 9, 13, 40)]
    assert factors == sorted(factors)
    assert factors[0] < 0.5 < factors[2] <= 1.0 < factors[4] < factors[5] < factors[6]
    assert factors[-1] == dm.LOS_FACTOR["max"]
    # Without the DRG's lengths (or outside a stay) nothing moves.
    assert dm.los_factor(replace(STAY, gmlos=None, amlos=None, los=20)) == 1.0
    assert dm.los_factor(replace(STAY, kind="outpatient", los=0)) == 1.0


@pytest.mark.parametrize("los", [1, 2, 4, 5, 8, 15])
def test_only_the_clinical_shares_move_and_their_sum_does_not(los: int) -> None:
    stay = replace(STAY, los=los)
    on = dm.cause_probabilities(stay)
    off = dm.cause_probabilities(stay, with_los_factor=False)
    assert on.keys() == off.keys()
    assert sum(on.values()) == pytest.approx(sum(off.values()), abs=1e-15)
    clinical = {rc.id for rc in dm.ROOT_CAUSES if rc.stream == "clinical"}
    assert sum(on[k] for k in on.keys() & clinical) == pytest.approx(
        sum(off[k] for k in off.keys() & clinical), abs=1e-15
    )
    for k in on.keys() - clinical:
        assert on[k] == off[k]
    ratio = on["length_of_stay"] / off["length_of_stay"]
    if los < 4:  # under the GMLOS
        assert ratio < 0.5
    elif los > 5:  # past the AMLOS
        assert ratio > 1.5


def _claims(
    monkeypatch: pytest.MonkeyPatch, *, factor: bool
) -> tuple[list[Claim], object, list[Remit]]:
    """3,000 claims of seed 7 and their remits, as demo.generator draws them."""
    with monkeypatch.context() as m:
        if not factor:
            m.setattr(dm, "los_factor", lambda f: 1.0)
        rng = random.Random(7)
        org = build_org(rng)
        claims = make_claims(rng, org, 3000, certain_rng=random.Random("7-near-certain"))
        state = rng.getstate()
        _, remits = run_lifecycle(
            rng,
            claims,
            reject_rng=random.Random("7-front-end"),
            moved_rng=random.Random("7-length-of-stay"),
        )
        return claims, state, remits


def test_the_same_claims_are_denied_from_the_same_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    with_factor, state_on, remits_on = _claims(monkeypatch, factor=True)
    without, state_off, remits_off = _claims(monkeypatch, factor=False)
    # The same number of draws in the same order: the generator ends in the same state.
    assert state_on == state_off
    assert [c.claim_id for c in with_factor] == [c.claim_id for c in without]
    moved: set[str] = set()
    for a, b in zip(with_factor, without, strict=True):
        assert a.expected is not None and b.expected is not None
        assert sum(a.expected.values()) == pytest.approx(sum(b.expected.values()), abs=1e-12)
        assert (a.root_cause is None) == (b.root_cause is None), a.claim_id
        if a.root_cause != b.root_cause:  # only a stay's clinical cause may change
            assert a.kind == "inpatient"
            assert dm._STREAM[a.root_cause or ""] == dm._STREAM[b.root_cause or ""] == "clinical"
            assert a.cause_without_los_factor == b.root_cause
            moved.add(a.claim_id)
        assert a.submitted == b.submitted and a.prior_auth == b.prior_auth
    stays = [c for c in with_factor if c.kind == "inpatient"]
    assert len(stays) > 300 and all(c.facts and c.facts.gmlos for c in stays)
    assert moved  # the test can fail: the factor does move some stays' cause

    # Every other claim's remits (dates, amounts, payer claim numbers, codes) are the same:
    # a moved stay's own events draw from their own generator.
    def key(r: Remit) -> tuple[object, ...]:
        return (r.claim_id, r.event, r.remit_date, r.status, r.paid, r.payer_claim_number,
                r.denial, r.root_cause)  # fmt: skip

    rest_on = sorted(map(key, (r for r in remits_on if r.claim_id not in moved)), key=repr)
    rest_off = sorted(map(key, (r for r in remits_off if r.claim_id not in moved)), key=repr)
    assert rest_on == rest_off
    moved_remits = [r for r in remits_on if r.claim_id in moved]
    assert {r.root_cause for r in moved_remits if r.event == "initial"} == {
        a.root_cause for a in with_factor if a.claim_id in moved
    }
    # The moved stays' payer claim numbers collide with no other claim's.
    others = {r.payer_claim_number for r in remits_on if r.claim_id not in moved}
    assert not others & {r.payer_claim_number for r in moved_remits}


def test_length_of_stay_risk_concentrates_past_the_amlos(monkeypatch: pytest.MonkeyPatch) -> None:
    claims, _, _ = _claims(monkeypatch, factor=True)
    under: list[float] = []
    past: list[float] = []
    total_on = total_off = 0.0
    for c in claims:
        f = c.facts
        if c.kind != "inpatient" or f is None or not f.gmlos or not f.amlos:
            continue
        p = dm.cause_probabilities(f).get("length_of_stay", 0.0)
        total_on += p
        total_off += dm.cause_probabilities(f, with_los_factor=False).get("length_of_stay", 0.0)
        if f.los < f.gmlos:
            under.append(p)
        elif f.los > f.amlos:
            past.append(p)
    assert under and past
    assert sum(past) / len(past) > 5 * sum(under) / len(under)
    # The overall length-of-stay share stays about what it was.
    assert total_on == pytest.approx(total_off, rel=0.15)
