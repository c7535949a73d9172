"""``profile.json`` and ``ground_truth_claims.csv``: what the demo realized, and for every
claim the probability of denial the generator used (the best any model can do).

The profile's figures are counted from the claims and the remits written, so they can be
compared with the published figures the generator targets (docs/demo.md).
"""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from denialscope.demo import denial_model as dm
from denialscope.demo.encounters import Claim
from denialscope.demo.period import TODAY
from denialscope.demo.pricing import LINE_OUTSIDE_INPATIENT, Remit
from denialscope.reference import cc_mcc, msdrg_weights

__all__ = ["AUTH_CAUSES", "REGISTRATION_CAUSES", "build_profile", "write_claims_truth"]

_STREAM = {rc.id: rc.stream for rc in dm.ROOT_CAUSES}
_LINE_LEVEL = {rc.id: rc.level in ("line", "partial") for rc in dm.ROOT_CAUSES}
AUTH_CAUSES = frozenset({"auth_not_obtained", "auth_denied_clinical_review", "concurrent_review"})
REGISTRATION_CAUSES = frozenset(
    {"eligibility_terminated", "patient_not_identified", "cob_other_payer", "wrong_payer"}
)
_FEATURES = ("payer", "payer_kind", "kind", "family", "department", "service_line", "template",
             "drg_weight", "cpt_lines", "has_modifier_line", "has_multi_unit", "professional",
             "timely_limit_days", "los", "downgradable", "days_past_limit", "coverage_ended",
             "noncovered_lines")  # fmt: skip


def _share(num: float, den: float) -> float:
    return round(num / den, 4) if den else 0.0


def build_profile(claims: list[Claim], remits: list[Remit], acks: dict[str, Any]) -> dict[str, Any]:
    """The realized figures (issue 16 item 8), from the claims and their first remits."""
    weights, severity = msdrg_weights(), cc_mcc()
    first = {r.claim_id: r for r in remits if r.event == "initial"}
    remitted = [c for c in claims if c.claim_id in first]
    denied = [c for c in remitted if c.root_cause]
    causes = Counter(c.root_cause for c in denied)
    stays = [c for c in remitted if c.kind == "inpatient" and c.drg]
    medical = [c for c in stays if weights[c.drg or ""].type == "MED"]
    outside = [c for c in denied if c.kind != "inpatient"]
    # Line level: the payer denied a service (its CAS on that SVC), not the claim as such.
    on_lines = [c for c in outside if _LINE_LEVEL.get(c.root_cause or "") or
                c.root_cause in LINE_OUTSIDE_INPATIENT]  # fmt: skip
    downgrades = Counter(first[c.claim_id].root_cause for c in stays if first[c.claim_id].payer_drg)
    short = [c for c in stays if (c.end - c.start).days <= 2]

    def rate(group: list[Claim]) -> float:
        return _share(sum(1 for c in group if c.root_cause), len(group))

    by_kind: dict[str, list[Claim]] = {}
    for c in remitted:
        by_kind.setdefault(c.payer.kind, []).append(c)
    groups = Counter(d.group for c in denied if (d := first[c.claim_id].denial) is not None)
    charges = [c.charge for c in stays]
    months = Counter(c.start.strftime("%Y-%m") for c in remitted)
    return {
        "today": TODAY.isoformat(),
        "claims": len(remitted),
        "case_mix_index": round(
            sum(float(weights[c.drg or ""].weight or 0) for c in stays) / max(len(stays), 1), 3
        ),
        "inpatient_stays": len(stays),
        "mcc_share_medical": _share(
            sum(any(severity.get(d) == "MCC" for d in c.diagnoses[1:]) for c in medical),
            len(medical),
        ),
        "mean_inpatient_charge": str(
            (sum(charges, Decimal(0)) / max(len(charges), 1)).quantize(Decimal(1))
        ),
        "top_drgs": dict(Counter(c.drg for c in stays).most_common(12)),
        "denial_rate_count": _share(len(denied), len(remitted)),
        "denial_share_by_stream": {
            s: _share(n, len(denied))
            for s, n in sorted(Counter(_STREAM[c.root_cause or ""] for c in denied).items())
        },
        "auth_denial_share": _share(sum(causes[k] for k in AUTH_CAUSES), len(denied)),
        "eligibility_registration_share": _share(
            sum(causes[k] for k in REGISTRATION_CAUSES), len(denied)
        ),
        "line_level_denial_share": _share(len(on_lines), len(outside)),
        "partially_paid_share_outside_inpatient": _share(
            sum(1 for c in outside if first[c.claim_id].status != "4"), len(outside)
        ),
        "denial_group_codes": dict(sorted(groups.items())),
        "drg_downgrade_claims": sum(downgrades.values()),
        "drg_downgrades_by_cause": dict(sorted((str(k), v) for k, v in downgrades.items())),
        "level_of_care_rate_short_stays": _share(
            sum(1 for c in short if c.root_cause == "level_of_care"), len(short)
        ),
        "denial_rate_by_payer_kind": {k: rate(v) for k, v in sorted(by_kind.items())},
        "payer_kinds": {k: len(v) for k, v in sorted(by_kind.items())},
        "months_with_claims": len(months),
        "claims_by_month": dict(sorted(months.items())),
        "near_certain_claims": _near_certain(remitted),
        "planted_miscodings": dict(Counter(c.miscoding for c in claims if c.miscoding)),
        "rejections_999_277ca": acks,
    }


def _near_certain(remitted: list[Claim]) -> dict[str, dict[str, float]]:
    """Claims with a near-certain denial condition (demo.certain) and the share denied."""
    groups = {
        "sent_past_filing_limit": [c for c in remitted if c.facts and c.facts.days_past_limit > 0],
        "coverage_ended": [c for c in remitted if c.facts and c.facts.coverage_ended],
        "noncovered_procedure": [c for c in remitted if c.facts and c.facts.noncovered_lines],
    }
    return {
        name: {"claims": len(group), "denied_share": _share(sum(1 for c in group if c.root_cause),
                                                             len(group))}
        for name, group in groups.items()
    }  # fmt: skip


def write_claims_truth(path: Path, claims: list[Claim], remits: list[Remit]) -> None:
    """One row per claim: its denial probability, the features it depended on, the outcome."""
    first = {r.claim_id: r for r in remits if r.event == "initial"}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["claim_id", "p_denial", "root_cause", "denied", *_FEATURES, "miscoding"])
        for c in claims:
            f = c.facts
            assert f is not None
            values = [getattr(f, name) for name in _FEATURES]
            w.writerow([c.claim_id, f"{sum(c.expected.values()):.6f}", c.root_cause or "",
                        int(c.root_cause is not None and c.claim_id in first),
                        *("" if v is None else v for v in values), c.miscoding or ""])  # fmt: skip
