"""The demo's eight payers: kinds, claim filing indicators and the remarks each would send."""

from __future__ import annotations

from collections import Counter

import yaml

from denialscope.demo.denial_model import ROOT_CAUSES, payer_codes
from denialscope.demo.org import PAYERS
from denialscope.orgs.models import PAYER_KINDS
from factories.demo_text import DemoData

# What a biller sets in SBR09 (and the payer echoes in CLP06) for each kind of payer.
FILING = {
    "medicare": {"MA", "MB"},
    "medicare_advantage": {"16"},
    "medicaid": {"MC"},
    "managed_medicaid": {"HM"},
    "commercial": {"CI", "BL"},
}


def test_eight_payers_of_five_kinds_in_the_org_file(demo: DemoData) -> None:
    kinds = Counter(p.kind for p in PAYERS)
    assert kinds == {"medicare": 1, "medicare_advantage": 2, "medicaid": 1,
                     "managed_medicaid": 1, "commercial": 3}  # fmt: skip
    org = yaml.safe_load(demo.result.org_yaml.read_text())
    listed = {p["payer_id"]: p["kind"] for p in org["payers"]}
    assert listed == {p.payer_id: p.kind for p in PAYERS}
    assert set(listed.values()) <= set(PAYER_KINDS)


def test_filing_indicators_match_the_payer(demo: DemoData) -> None:
    by_id = {p.payer_id: p for p in PAYERS}
    by_key = {p.key: p for p in PAYERS}
    seen: set[str] = set()
    for c in demo.claims:
        payer = by_id[c.payer_id]
        assert c.filing in FILING[payer.kind], (c.claim_id, payer.key, c.filing)
        if payer.kind == "medicare":  # Part A for the hospital, Part B for the physicians
            assert c.filing == ("MA" if c.kind == "I" else "MB")
        seen.add(payer.key)
    assert seen == set(by_key)
    for clp in demo.clps:
        assert clp.filing in FILING[by_key[clp.payer].kind], (clp.claim_id, clp.filing)


def test_no_medicare_only_remarks_from_other_payers(demo: DemoData) -> None:
    kinds = {p.key: p.kind for p in PAYERS}
    remarks_by_kind: dict[str, set[str]] = {}
    for clp in demo.clps:
        remarks_by_kind.setdefault(kinds[clp.payer], set()).update(clp.remarks)
    for kind, remarks in remarks_by_kind.items():
        if kind not in ("medicare", "medicare_advantage"):
            assert not {r for r in remarks if r.startswith("MA")}, kind
    assert any(r.startswith("MA") for r in remarks_by_kind["medicare"])
    missing_info = next(rc for rc in ROOT_CAUSES if rc.id == "missing_information")
    assert all(c.rarc is None for c in payer_codes(missing_info, "commercial"))
    assert any(c.rarc == "MA114" for c in payer_codes(missing_info, "medicare"))
