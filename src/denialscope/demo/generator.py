"""``generate_demo``: one year of a mid-size health system's 837s and 835s, with truth.

Deterministic for a seed: the same seed writes byte-identical files.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from denialscope.demo.acks import ack_summary, write_ack_files
from denialscope.demo.adt import write_adt_files
from denialscope.demo.encounters import make_claims
from denialscope.demo.lifecycle import RATES, run_lifecycle
from denialscope.demo.org import build_org, write_org_yaml, write_payer_pack
from denialscope.demo.profile import build_profile, write_claims_truth
from denialscope.demo.settings import demo_settings
from denialscope.demo.truth import build_ground_truth, write_denials_csv
from denialscope.demo.write271 import write_271_files
from denialscope.demo.write835 import write_835_files
from denialscope.demo.write837 import write_837_files

__all__ = ["DemoResult", "generate_demo"]


@dataclass(frozen=True, slots=True)
class DemoResult:
    out_dir: Path
    files_837: list[Path]
    files_835: list[Path]
    files_ack: list[Path]
    files_adt: list[Path]
    org_yaml: Path
    ground_truth: Path
    denials_csv: Path
    claims_csv: Path
    profile: Path
    claims: int
    submissions: int
    remits: int
    denial_rate: float
    seconds: float
    signals: list[dict[str, Any]] = field(default_factory=list)
    scrub_pack: Path | None = None  # the payers' filing limits, a scrub rule pack
    files_271: list[Path] = field(default_factory=list)  # eligibility responses

    @property
    def files(self) -> list[Path]:
        """Every X12 file, 837s first, then acknowledgments, then 835s, then eligibility
        responses (ingest order)."""
        return [*self.files_837, *self.files_ack, *self.files_835, *self.files_271]


def _clear(folder: Path) -> None:
    """Remove a previous run's X12 files so a re-run with fewer claims leaves no strays."""
    if folder.is_dir():
        for old in folder.glob("*.x12"):
            old.unlink()


def generate_demo(
    out_dir: Path,
    *,
    claims: int = 20000,
    seed: int = 7,
    settings: Mapping[str, Any] | None = None,
) -> DemoResult:
    """Write 837/835 files, org.yaml and ground_truth.json for ``claims`` claims.

    ``settings`` (checked by :func:`denialscope.demo.settings.load_settings`) change the
    generator's proportions for this run; ground_truth.json records them.
    """
    with demo_settings(settings):
        return _generate(Path(out_dir), claims=claims, seed=seed, settings=dict(settings or {}))


def _generate(out_dir: Path, *, claims: int, seed: int, settings: dict[str, Any]) -> DemoResult:
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    org = build_org(rng)
    strays = max(1, round(claims * RATES["unmatched"]))
    encounters = make_claims(
        rng, org, claims + strays, certain_rng=random.Random(f"{seed}-near-certain")
    )
    # Every k-th encounter was billed elsewhere: its remit arrives with no 837 here.
    step = len(encounters) // strays
    stray_list = encounters[step - 1 :: step][:strays]
    stray_ids = {c.claim_id for c in stray_list}
    claim_list = [c for c in encounters if c.claim_id not in stray_ids]
    submissions, remits = run_lifecycle(
        rng,
        claim_list,
        stray_list,
        reject_rng=random.Random(f"{seed}-front-end"),
        moved_rng=random.Random(f"{seed}-length-of-stay"),
    )
    _clear(out_dir / "837")
    _clear(out_dir / "835")
    _clear(out_dir / "ack")
    _clear(out_dir / "271")
    files_837 = write_837_files(out_dir / "837", submissions, org, control_start=100000)
    files_835 = write_835_files(out_dir / "835", remits, org, control_start=500000)
    files_ack = write_ack_files(
        out_dir / "ack", submissions, org, control_837=100000, control_start=800000
    )
    files_271 = write_271_files(
        out_dir / "271",
        submissions,
        org,
        random.Random(f"{seed}-eligibility"),
        control_start=900000,
    )
    files_adt = write_adt_files(out_dir / "adt", claim_list, random.Random(f"{seed}-adt"))
    org_yaml = out_dir / "org.yaml"
    write_org_yaml(org, org_yaml)
    scrub_pack = out_dir / "scrub_pack.yaml"
    write_payer_pack(org, scrub_pack)
    denials_csv = out_dir / "ground_truth_denials.csv"
    write_denials_csv(denials_csv, claim_list, remits)
    claims_csv = out_dir / "ground_truth_claims.csv"
    write_claims_truth(claims_csv, claim_list, remits)
    profile_path = out_dir / "profile.json"
    acks = ack_summary(submissions, files_999=len(files_ack) // 2)
    profile = build_profile(claim_list, remits, acks=acks)
    profile_path.write_text(json.dumps(profile, indent=1) + "\n", encoding="utf-8")
    files = {
        "837": [p.relative_to(out_dir).as_posix() for p in files_837],
        "835": [p.relative_to(out_dir).as_posix() for p in files_835],
        "ack": [p.relative_to(out_dir).as_posix() for p in files_ack],
        "271": [p.relative_to(out_dir).as_posix() for p in files_271],
        "adt": [p.relative_to(out_dir).as_posix() for p in files_adt],
        "org": org_yaml.name,
        "denials": denials_csv.name,
        "claims": claims_csv.name,
        "profile": profile_path.name,
    }
    truth = build_ground_truth(seed=seed, claims=claim_list, remits=remits, files=files)
    truth["settings"] = settings
    truth_path = out_dir / "ground_truth.json"
    truth_path.write_text(json.dumps(truth, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return DemoResult(
        out_dir=out_dir,
        files_837=files_837,
        files_835=files_835,
        files_ack=files_ack,
        files_adt=files_adt,
        org_yaml=org_yaml,
        ground_truth=truth_path,
        denials_csv=denials_csv,
        claims_csv=claims_csv,
        profile=profile_path,
        claims=len(claim_list),
        submissions=len(submissions),
        remits=len(remits),
        denial_rate=truth["summary"]["denial_rate"],
        seconds=time.perf_counter() - started,
        signals=[{"id": s["id"], "type": s["type"]} for s in truth["signals"]],
        scrub_pack=scrub_pack,
        files_271=files_271,
    )
