"""The ground truth: what was injected, what the model expected, what the remits show.

Tests and analytics check themselves against it. "Expected" numbers are sums of the model's
exact probabilities (denial_model); "observed" numbers are counted from the initial remits
actually written (events after the cut-off are absent from both counts' denominators).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from denialscope.demo import denial_model as dm
from denialscope.demo.encounters import Claim
from denialscope.demo.period import TODAY, YEAR_END, YEAR_START
from denialscope.demo.pricing import Remit

__all__ = ["build_ground_truth", "write_denials_csv"]

_STREAM = {rc.id: rc.stream for rc in dm.ROOT_CAUSES}
_LEVEL = {rc.id: rc.level for rc in dm.ROOT_CAUSES}


def _rate(num: float, den: int) -> float:
    return round(num / den, 5) if den else 0.0


def _expected(claims: Iterable[Claim], **kw: bool) -> float:
    total = 0.0
    for c in claims:
        assert c.facts is not None
        total += sum(dm.cause_probabilities(c.facts, **kw).values())
    return total


def _cause_expected(claims: Iterable[Claim], cause: str, **kw: bool) -> float:
    total = 0.0
    for c in claims:
        assert c.facts is not None
        total += dm.cause_probabilities(c.facts, **kw).get(cause, 0.0)
    return total


def _event_signal(s: dm.Signal, remitted: list[Claim]) -> dict[str, Any]:
    dept = [c for c in remitted if c.department.code == s.department]
    assert s.start is not None
    before = [c for c in dept if c.start < s.start]
    after = [c for c in dept if c.start >= s.start]
    obs_b = sum(1 for c in before if c.root_cause == s.root_cause)
    obs_a = sum(1 for c in after if c.root_cause == s.root_cause)
    others = sorted({rc for c in dept for rc in c.expected} - {s.root_cause})
    exp_b = _cause_expected(before, s.root_cause) / max(len(before), 1)
    exp_a = _cause_expected(after, s.root_cause) / max(len(after), 1)
    code = next(rc.codes for rc in dm.ROOT_CAUSES if rc.id == s.root_cause)
    return {
        "id": s.id,
        "type": "event",
        "description": "ED documentation template v2 go-live: the E/M + procedure note no "
        "longer prompts for modifier 25, so payers deny the E/M line (CO-4).",
        "process_step": "ED documentation template",
        "department": s.department,
        "service_line": "emergency",
        "event_date": s.start.isoformat(),
        "root_cause": s.root_cause,
        "stream": _STREAM[s.root_cause],
        "target_codes": [{"group": x.group, "carc": x.carc, "rarc": x.rarc} for x in code],
        "affected_template": s.template,
        "claim_level_multiplier": s.multiplier,
        "expected_direction": "up",
        "min_ratio": 3.0,
        "expected": {
            "rate_before": round(exp_b, 5),
            "rate_after": round(exp_a, 5),
            "ratio": round(exp_a / exp_b, 2) if exp_b else None,
        },
        "observed": {
            "claims_before": len(before),
            "denials_before": obs_b,
            "claims_after": len(after),
            "denials_after": obs_a,
            "rate_before": _rate(obs_b, len(before)),
            "rate_after": _rate(obs_a, len(after)),
        },
        "other_causes_expected": {
            rc: {
                "rate_before": round(_cause_expected(before, rc) / max(len(before), 1), 5),
                "rate_after": round(_cause_expected(after, rc) / max(len(after), 1), 5),
            }
            for rc in others
        },
    }


def _case_mix(remitted: list[Claim]) -> dict[str, Any]:
    by_dept: dict[str, list[Claim]] = defaultdict(list)
    for c in remitted:
        by_dept[c.department.code].append(c)
    departments = {}
    for code, cs in sorted(by_dept.items()):
        observed = sum(1 for c in cs if c.root_cause)
        mix = _expected(cs, with_department=False)
        departments[code] = {
            "claims": len(cs),
            "observed_denials": observed,
            "raw_rate": _rate(observed, len(cs)),
            "expected_denials_from_mix": round(mix, 2),
            "expected_rate_from_mix": _rate(mix, len(cs)),
            "observed_over_expected": round(observed / mix, 3) if mix else None,
            "true_multiplier": dm.DEPARTMENT.get(code, 1.0),
        }
    overall = _rate(sum(1 for c in remitted if c.root_cause), len(remitted))
    return {
        "id": "case_mix",
        "type": "case_mix",
        "description": "Behavioral health is high raw only because of its payer mix "
        "(mostly Medicaid) and inpatient psychiatry; orthopedics is high after adjustment.",
        "mix_variables": ["payer", "encounter_kind", "procedure_family", "drg_weight"],
        "overall_rate": overall,
        "mix_only": {"department": "RMC-BH", "true_multiplier": 1.0,
                     **departments.get("RMC-BH", {})},
        "true_excess": {"department": "RMC-ORTH", "true_multiplier": dm.DEPARTMENT["RMC-ORTH"],
                        "process_step": "orthopedic coder rules",
                        **departments.get("RMC-ORTH", {})},
        "departments": departments,
    }  # fmt: skip


def _payer_line_signal(s: dm.Signal, remitted: list[Claim]) -> dict[str, Any]:
    cell = [c for c in remitted if c.payer.key == s.payer and c.department.service_line ==
            s.service_line]  # fmt: skip
    peers = [c for c in remitted if c.payer.kind == "commercial" and c.payer.key != s.payer
             and c.department.service_line == s.service_line]  # fmt: skip
    pareto = Counter(c.root_cause for c in cell if c.root_cause and
                     _STREAM[c.root_cause] == "clinical")  # fmt: skip
    obs = sum(1 for c in cell if c.root_cause == s.root_cause)
    peer_obs = sum(1 for c in peers if c.root_cause == s.root_cause)
    return {
        "id": s.id,
        "type": "payer_service_line",
        "description": "Summit Health Plan applies a new cardiology LCD-like policy: "
        f"medical-necessity denials (CO-50 + N115/N386) at about {s.multiplier:g}x baseline.",
        "payer": s.payer,
        "payer_name": "SUMMIT HEALTH PLAN",
        "service_line": s.service_line,
        "root_cause": s.root_cause,
        "stream": "clinical",
        "target_codes": [{"group": "CO", "carc": "50", "rarc": "N115"},
                         {"group": "CO", "carc": "50", "rarc": "N386"}],
        "multiplier": s.multiplier,
        "expected_direction": "up",
        "expected": {
            "rate_with_signal": _rate(_cause_expected(cell, s.root_cause), len(cell)),
            "rate_without_signal": _rate(
                _cause_expected(cell, s.root_cause, with_signals=False), len(cell)
            ),
        },
        "observed": {
            "claims": len(cell),
            "denials": obs,
            "rate": _rate(obs, len(cell)),
            "peer_commercial_claims": len(peers),
            "peer_commercial_denials": peer_obs,
            "peer_rate": _rate(peer_obs, len(peers)),
            "clinical_pareto": dict(pareto.most_common()),
        },
    }  # fmt: skip


def build_ground_truth(
    *, seed: int, claims: list[Claim], remits: list[Remit], files: dict[str, Any]
) -> dict[str, Any]:
    initial = {r.claim_id: r for r in remits if r.event == "initial"}
    remitted = [c for c in claims if c.claim_id in initial]
    denied = [c for c in remitted if c.root_cause]
    streams = Counter(_STREAM[c.root_cause or ""] for c in denied)
    signals = [
        _event_signal(dm.SIGNALS[0], remitted),
        _case_mix(remitted),
        _payer_line_signal(dm.SIGNALS[1], remitted),
    ]
    return {
        "generator": "denialscope.demo",
        "seed": seed,
        "period": {
            "service_from": YEAR_START.isoformat(),
            "service_to": YEAR_END.isoformat(),
            "today": TODAY.isoformat(),
            "remits_until": max(r.remit_date for r in remits).isoformat(),
        },
        "files": files,
        "definitions": {
            "initial_denial": "the first remit of an original claim denies the whole claim "
            "(CLP02=4), zero-pays a line, or cuts payment for a denial reason; OA-18 "
            "duplicates are excluded",
            "rate_denominator": "original claims with an initial remit",
        },
        "summary": {
            "claims_submitted": len(claims),
            "claims_remitted": len(remitted),
            "initially_denied": len(denied),
            "denial_rate": _rate(len(denied), len(remitted)),
            "expected_denial_rate": _rate(_expected(remitted), len(remitted)),
            "by_stream": dict(sorted(streams.items())),
            "stream_share": {k: _rate(v, len(denied)) for k, v in sorted(streams.items())},
            "by_root_cause": dict(Counter(c.root_cause for c in denied).most_common()),
            "events": dict(Counter(r.event for r in remits).most_common()),
        },
        "signals": signals,
        "code_choices": dm.CODE_CHOICES,
        "model": {
            "base_by_payer": dm.BASE,
            "encounter_multiplier": dm.ENCOUNTER,
            "family_multiplier": dm.FAMILY,
            "department_multiplier": dm.DEPARTMENT,
            "stream_share": dm.STREAM_SHARE,
            "root_causes": [
                {**asdict(rc), "codes": [asdict(x) for x in rc.codes]} for rc in dm.ROOT_CAUSES
            ],
            "signals": [
                {**asdict(s), "start": s.start.isoformat() if isinstance(s.start, date) else None}
                for s in dm.SIGNALS
            ],
        },
    }


def write_denials_csv(path: Path, claims: list[Claim], remits: list[Remit]) -> None:
    """One row per initially denied claim: its root cause and what happened next."""
    events: dict[str, list[str]] = defaultdict(list)
    initial: dict[str, Remit] = {}
    for r in sorted(remits, key=lambda r: (r.remit_date, r.claim_id)):
        if r.event == "initial":
            initial[r.claim_id] = r
        elif r.event != "unmatched":
            events[r.claim_id].append(r.event)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["claim_id", "payer", "department", "service_line", "kind", "root_cause",
                    "stream", "level", "group", "carc", "rarc", "initial_status",
                    "initial_remit_date", "later_events"])  # fmt: skip
        for c in claims:
            first = initial.get(c.claim_id)
            if first is None or not c.root_cause or first.denial is None:
                continue
            code = first.denial
            w.writerow([c.claim_id, c.payer.key, c.department.code, c.department.service_line,
                        c.kind, c.root_cause, _STREAM[c.root_cause], _LEVEL[c.root_cause],
                        code.group, code.carc, code.rarc or "", first.status,
                        first.remit_date.isoformat(),
                        ";".join(events.get(c.claim_id, []))])  # fmt: skip
