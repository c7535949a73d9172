"""The demo's denial model: an explicit probability per claim and root cause.

    p(root cause | claim) = BASE[payer] x ENCOUNTER[kind] x FAMILY[family] x DEPARTMENT[dept]
                            x drg_factor(weight) x STREAM_SHARE[setting][stream]
                            x share of the cause inside its stream (among causes that apply)
                            x signal multiplier(cause, claim)

The causes are mutually exclusive, so one uniform draw picks at most one; the ground truth
can therefore state the exact expected rates. Near-certain denials (``demo.certain``: sent
past the filing limit, coverage ended, a non-covered procedure) come first with their own
probability (0.97-0.985); only what they leave is shared by the product above, whose total
stays capped at ``MAX_TOTAL_P``. Payer reason codes per cause follow
/work/briefs/taxonomy.md; where the taxonomy left a choice open, ``CODE_CHOICES`` says
what we picked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from denialscope.demo.certain import certain_causes, combine

__all__ = [
    "BASE",
    "CODE_CHOICES",
    "DEPARTMENT",
    "ENCOUNTER",
    "FAMILY",
    "ROOT_CAUSES",
    "SIGNALS",
    "STREAM_SHARE",
    "ClaimFacts",
    "ReasonCode",
    "RootCause",
    "Signal",
    "cause_probabilities",
    "los_factor",
    "payer_codes",
]


@dataclass(frozen=True, slots=True)
class ReasonCode:
    group: str
    carc: str
    rarc: str | None = None


@dataclass(frozen=True, slots=True)
class RootCause:
    id: str
    stream: str
    share: float  # share inside its stream
    codes: tuple[ReasonCode, ...]
    level: str  # claim (whole claim zero-paid), line (one line zero-paid), partial, drg (paid
    # at the payer's lower DRG)
    needs: str = "any"  # which claims the cause can hit; see ``_applies``


def _rc(group_carc: str, rarc: str | None = None) -> ReasonCode:
    group, carc = group_carc.split("-")
    return ReasonCode(group, carc, rarc)


ROOT_CAUSES: tuple[RootCause, ...] = (
    # clinical. Outside the hospital stay a clinical denial sits on the service line it is
    # about (pricing.LINE_OUTSIDE_INPATIENT); a stay is denied or cut as a whole.
    # On a medical stay the necessity question is the admission itself (level_of_care); a
    # surgical stay can still be denied for the procedure's necessity (a PCI, a fusion).
    RootCause("medical_necessity", "clinical", 0.36, (_rc("CO-50", "N115"), _rc("CO-50", "N386")),
              "claim", "procedure_necessity"),
    RootCause("level_of_care", "clinical", 0.14, (_rc("CO-50", "M25"),), "claim", "short_stay"),
    RootCause("length_of_stay", "clinical", 0.08, (_rc("CO-152"),), "partial", "inpatient"),
    RootCause("auth_denied_clinical_review", "clinical", 0.22, (_rc("CO-50", "N54"),), "claim",
              "auth"),
    # Days past the authorized stay (the extension was not obtained in concurrent review):
    # the payer cuts those days, CO-197 on the inpatient claim, which the classifier gives to
    # utilization review (rule inpatient-days-beyond-authorization), not to registration.
    RootCause("concurrent_review", "clinical", 0.18, (_rc("CO-197"),), "partial",
              "inpatient_auth"),
    RootCause("experimental_investigational", "clinical", 0.03, (_rc("CO-55"),), "line",
              "outpatient_lines"),
    RootCause("documentation_insufficient", "clinical", 0.12, (_rc("CO-50", "N706"),), "claim"),
    # The payer's clinical reviewer finds the MCC diagnosis not clinically supported: the
    # stay is paid at the DRG without it (CLP11 below the billed DRG).
    RootCause("clinical_validation", "clinical", 0.25, (_rc("CO-50", "N706"),), "drg",
              "downgradable"),
    # coding
    # The payer's DRG auditor re-sequences or drops a code: paid at a lower DRG.
    RootCause("drg_apc_dispute", "coding", 0.30, (_rc("CO-150", "N208"),), "drg", "downgradable"),
    RootCause("ncci_bundling", "coding", 0.28, (_rc("CO-97", "M15"), _rc("CO-97", "N20")), "line",
              "two_cpt_lines"),
    RootCause("modifier_missing_invalid", "coding", 0.16,
              (_rc("CO-4", "N822"), _rc("CO-4", "N823")), "line", "modifier_line"),
    RootCause("procedure_dx_mismatch", "coding", 0.18, (_rc("CO-11"),), "line", "cpt_line"),
    RootCause("invalid_procedure_code", "coding", 0.07, (_rc("CO-181", "M51"),), "line",
              "cpt_line"),
    RootCause("invalid_diagnosis_code", "coding", 0.10, (_rc("CO-146", "M76"),), "claim",
              "not_inpatient"),
    RootCause("units_mue", "coding", 0.10, (_rc("CO-151", "N362"),), "partial", "multi_unit"),
    RootCause("place_of_service", "coding", 0.07, (_rc("CO-5", "M77"),), "line", "professional"),
    RootCause("age_sex_conflict", "coding", 0.04, (_rc("CO-7"), _rc("CO-6")), "line", "cpt_line"),
    # access
    RootCause("eligibility_terminated", "access", 0.40, (_rc("CO-27"), _rc("CO-26")), "claim"),
    RootCause("patient_not_identified", "access", 0.10, (_rc("CO-31"),), "claim"),
    RootCause("coverage_noncovered", "access", 0.08, (_rc("CO-96", "N130"),), "line"),
    # COB: OA when the payer only points at the other payer, as many remits do.
    RootCause("cob_other_payer", "access", 0.14, (_rc("CO-22"), _rc("OA-22")), "claim"),
    # Plans (not Medicare fee-for-service) often send a missing authorization as PI.
    # Outside a stay only: on an inpatient claim the same codes mean days beyond the
    # authorization (concurrent_review above).
    RootCause("auth_not_obtained", "access", 0.50, (_rc("CO-197"), _rc("PI-197")), "claim",
              "auth_not_inpatient"),
    RootCause("referral_not_obtained", "access", 0.03, (_rc("CO-288"),), "claim", "referral"),
    RootCause("benefit_maximum", "access", 0.04, (_rc("CO-119"),), "claim", "psych"),
    RootCause("out_of_network", "access", 0.03, (_rc("CO-242"),), "claim", "commercial"),
    RootCause("wrong_payer", "access", 0.03, (_rc("CO-109"),), "claim"),
    # billing
    RootCause("missing_information", "billing", 0.45, (_rc("CO-16"), _rc("CO-16", "MA114")),
              "claim"),
    RootCause("timely_filing", "billing", 0.22, (_rc("CO-29"),), "claim", "timely_limit"),
    RootCause("missing_attachment", "billing", 0.18, (_rc("CO-252", "M127"),), "claim"),
    RootCause("provider_enrollment", "billing", 0.15, (_rc("CO-B7"),), "claim", "professional"),
)  # fmt: skip

_STREAM: dict[str, str] = {rc.id: rc.stream for rc in ROOT_CAUSES}

# The taxonomy's open choices, as decided for the demo (the ground truth repeats this).
CODE_CHOICES: dict[str, str] = {
    "level_of_care": "CO-50 + M25 (level of service not substantiated) on an inpatient claim",
    "length_of_stay": "CO-152 (length of stay not supported), partial payment, inpatient",
    "clinical_validation": "CO-50 + N706 with CLP11 the DRG without the unsupported MCC",
    "drg_apc_dispute": "CO-150 + N208 with CLP11 the payer's lower DRG (a DRG downgrade)",
    "auth_denied_clinical_review": "CO-50 + N54 (inconsistent with authorised services)",
    "concurrent_review": "CO-197 on an inpatient claim, partial payment (days past the "
    "authorized stay); a stay with no authorization at all is not generated (the classifier "
    "would also give it to concurrent review)",
    "auth_not_obtained": "CO-197 or PI-197 (plans) on outpatient and professional claims only",
    "documentation_insufficient": "CO-50 + N706 (documentation missing / not supporting)",
    "missing_attachment": "CO-252 + M127 (medical record requested; N29 is deactivated)",
    "missing_information": "CO-16 alone or + MA114 (where services were furnished); "
    "CO-16 + MA130 is left to claim_data_error as the classifier reads it",
    "units_mue": "CO-151 + N362 (units above the acceptable maximum), partial payment",
    "modifier_missing_invalid": "CO-4 + N822 (missing modifier) or N823 (invalid modifier)",
    "provider_enrollment": "CO-B7 (provider not eligible on the date of service)",
    "duplicate": "OA-18 (exact duplicate), excluded from denial rates",
}

# Initial denial propensity by payer: Medicare fee-for-service lowest, Medicare Advantage
# and Medicaid (fee-for-service and managed) highest (see docs/demo.md for the sources);
# scaled so the realized initial denial rate stays near 13-14% with the planted signals and
# the near-certain denials (demo.certain: Medicare's base lowered for its non-covered
# routine physicals, commercial bases for their stale coverage).
BASE: dict[str, float] = {
    "MCR": 0.052, "MAH": 0.102, "MAP": 0.090, "MCD": 0.177, "MMC": 0.167, "SHP": 0.099,
    "BHH": 0.091, "PCI": 0.110,
}  # fmt: skip
# Remark codes only Medicare contractors send (the MA-prefixed series); Medicare Advantage
# plans follow CMS remittance conventions and may send them too, other payers never do.
MEDICARE_REMARK_KINDS = frozenset({"medicare", "medicare_advantage"})
ENCOUNTER: dict[str, float] = {
    "office": 0.95, "ed_pro": 1.0, "reading": 1.0, "ed_facility": 0.9, "outpatient": 1.05,
    "observation": 1.2, "inpatient": 1.25,
}  # fmt: skip
FAMILY: dict[str, float] = {
    "em": 1.0, "minor_procedure": 1.1, "surgery": 1.15, "diagnostic": 1.0, "imaging": 0.85,
    "advanced_imaging": 1.3, "psych": 1.7, "preventive": 0.6, "observation": 1.0,
    "inpatient_medical": 1.0, "inpatient_surgical": 1.1, "inpatient_psych": 1.8,
}  # fmt: skip
# Only orthopedics carries a true excess (signal b); every other department is 1.
DEPARTMENT: dict[str, float] = {"RMC-ORTH": 2.2}
# Access is lower than the streams' published shares alone would give: the near-certain
# coverage-ended and non-covered denials (demo.certain) add to it on top.
STREAM_SHARE: dict[str, dict[str, float]] = {
    "inpatient": {"clinical": 0.46, "access": 0.22, "coding": 0.16, "billing": 0.14},
    "other": {"clinical": 0.11, "access": 0.35, "coding": 0.27, "billing": 0.22},
}
# Medicare Advantage plans deny what fee-for-service Medicare does not review before payment:
# authorizations, inpatient status on short stays, DRG-level clinical validation (OIG
# OEI-09-18-00260, KFF 2024); fee-for-service needs no prior authorization for these.
MA_CAUSE: dict[str, float] = {
    "auth_not_obtained": 1.8, "auth_denied_clinical_review": 2.0, "level_of_care": 2.5,
    "clinical_validation": 1.6, "length_of_stay": 1.5, "concurrent_review": 1.5,
}  # fmt: skip
# What plans put behind prior authorization: procedures, advanced imaging, cardiac testing,
# behavioral health, observation and every admission.
# Even a payer policy aimed at a service denies it at most this often for one cause.
MAX_CAUSE_P = 0.35
# A planted defect (a template that drops a modifier, a payer policy aimed at one service
# line) is systematic: the payer denies most of the claims it touches, so the cap is higher.
MAX_SIGNAL_P = 0.8
MAX_TOTAL_P = 0.9
AUTH_FAMILIES = frozenset(
    {
        "surgery",
        "advanced_imaging",
        "inpatient_surgical",
        "inpatient_psych",
        "inpatient_medical",
        "psych",
        "diagnostic",
        "minor_procedure",
        "observation",
    }
)


@dataclass(frozen=True, slots=True)
class Signal:
    id: str
    root_cause: str
    multiplier: float
    department: str | None = None
    service_line: str | None = None
    payer: str | None = None
    template: str | None = None
    start: date | None = None


SIGNALS: tuple[Signal, ...] = (
    Signal("ed_template_v2", "modifier_missing_invalid", 120.0, department="RMC-ED",
           template="ed_pro_procedure", start=date(2025, 6, 1)),
    Signal("summit_cardiology_med_necessity", "medical_necessity", 12.0, payer="SHP",
           service_line="cardiology"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the model looks at; everything is known before adjudication."""

    payer: str
    payer_kind: str
    kind: str
    family: str
    department: str
    service_line: str
    template: str
    service_date: date
    drg_weight: Decimal | None
    cpt_lines: int
    has_modifier_line: bool
    has_multi_unit: bool
    professional: bool
    timely_limit_days: int
    los: int = 0  # inpatient days (0 outside a stay)
    downgradable: bool = False  # dropping the MCC/CC would group the stay to a lower DRG
    expected_midnights: int | None = None  # the physician's expectation at the inpatient order
    # Near-certain denials (demo.certain), all known on the submission day:
    days_past_limit: int = 0  # days after the payer's filing limit the claim was sent
    coverage_ended: bool = False  # the plan on file ended before the date of service
    noncovered_lines: int = 0  # lines whose procedure is on the payer's non-covered list
    # The billed DRG's geometric and arithmetic mean LOS (the shipped FY table), for a stay:
    gmlos: float | None = None
    amlos: float | None = None


def _applies(needs: str, f: ClaimFacts) -> bool:
    inpatient = f.kind == "inpatient"
    match needs:
        case "any":
            return True
        case "inpatient":
            return inpatient
        case "not_inpatient":
            return not inpatient
        case "procedure_necessity":
            return not inpatient or f.family == "inpatient_surgical"
        case "auth":
            return f.family in AUTH_FAMILIES and f.payer_kind != "medicare"
        case "auth_not_inpatient":
            return not inpatient and _applies("auth", f)
        case "inpatient_auth":
            return inpatient and _applies("auth", f)
        case "short_stay":  # under two midnights: the stay an auditor calls observation
            return inpatient and f.los <= 2
        case "downgradable":
            return inpatient and f.downgradable
        case "outpatient_lines":
            return not inpatient and f.cpt_lines >= 1
        case "two_cpt_lines":
            return f.cpt_lines >= 2
        case "cpt_line":
            return f.cpt_lines >= 1
        case "modifier_line":
            return f.has_modifier_line
        case "multi_unit":
            return f.has_multi_unit
        case "professional":
            return f.professional
        case "referral":
            return f.payer == "PCI" and f.kind == "office" and f.service_line != "primary_care"
        case "psych":
            return f.family == "psych"
        case "commercial":
            return f.payer_kind == "commercial"
        case "timely_limit":
            # Only a claim sent past the limit is denied for it, and then almost surely: a
            # near-certain cause (demo.certain), never a draw among the others.
            return False
    raise ValueError(f"unknown applicability {needs!r}")


def payer_codes(cause: RootCause, payer_kind: str) -> tuple[ReasonCode, ...]:
    """The reason codes this payer would send for ``cause`` (no Medicare-only remarks
    from a commercial or Medicaid payer: the code without that remark instead)."""
    codes = cause.codes
    if payer_kind == "medicare":  # Medicare contractors use CO/PR/OA, not PI
        codes = tuple(c for c in codes if c.group != "PI") or codes
    if payer_kind in MEDICARE_REMARK_KINDS:
        return codes
    out = tuple(
        ReasonCode(c.group, c.carc, None) if c.rarc and c.rarc.startswith("MA") else c
        for c in codes
    )
    return tuple(dict.fromkeys(out))


# A short inpatient stay is denied for its status mostly when the admission was ordered as a
# short stay: under the two-midnight rule (42 CFR 412.3(d)) a stay the physician reasonably
# expected to cross two midnights is payable as inpatient even when it ended sooner, and
# auditors test the expectation documented at the order (CMS-1599-F; MA plans apply their own
# criteria, so their protection is weaker). Factors keep the average over short stays near 1.
EXPECTATION_FACTOR: dict[str, float] = {"short": 1.7, "two_plus": 0.35, "two_plus_medicare": 0.15}


def expectation_factor(f: ClaimFacts) -> float:
    """How the physician's expected midnights move a short stay's level-of-care risk."""
    if f.expected_midnights is None:
        return 1.0
    if f.expected_midnights < 2:
        return EXPECTATION_FACTOR["short"]
    key = "two_plus_medicare" if f.payer_kind == "medicare" else "two_plus"
    return EXPECTATION_FACTOR[key]


# A payer denies days (CO-152, "length of stay not supported") on stays longer than its
# criteria support: the days past the DRG's expected stay, concentrated in stays past the
# arithmetic mean LOS (the long-stay tail an auditor looks at; see docs/demo.md for the
# sources). The factor moves a stay's length-of-stay risk by its length against the DRG's
# GMLOS / AMLOS; the claim's other clinical causes are rescaled so that their sum, the
# claim's total and therefore which claims are denied, stay what they were without it.
# The factors keep the average over the demo's stays near 1 (docs/demo.md has the figure).
LOS_FACTOR: dict[str, float] = {"under_gmlos": 0.2, "to_amlos": 0.9, "past_amlos": 2.4,
                                "per_gmlos_past_amlos": 2.0, "max": 6.0}  # fmt: skip


def los_factor(f: ClaimFacts) -> float:
    """How the stay's length against its DRG's GMLOS / AMLOS moves its length-of-stay risk."""
    if f.kind != "inpatient" or not f.gmlos or not f.amlos:
        return 1.0
    if f.los < f.gmlos:
        return LOS_FACTOR["under_gmlos"]
    if f.los <= f.amlos:
        return LOS_FACTOR["to_amlos"]
    past = (f.los - f.amlos) / f.gmlos  # days past the AMLOS, in units of the GMLOS
    return min(
        LOS_FACTOR["past_amlos"] + LOS_FACTOR["per_gmlos_past_amlos"] * past, LOS_FACTOR["max"]
    )


def _redistribute_clinical(out: dict[str, float], factor: float) -> None:
    """Multiply the length-of-stay cause by ``factor`` inside the claim's clinical causes,
    keeping their sum (the draw that decides a denial sees the same total)."""
    if factor == 1.0 or not out.get("length_of_stay"):
        return
    clinical = [k for k in out if _STREAM[k] == "clinical"]
    before = sum(out[k] for k in clinical)
    out["length_of_stay"] *= factor
    scale = before / sum(out[k] for k in clinical)
    for k in clinical:
        out[k] *= scale


def drg_factor(weight: Decimal | None) -> float:
    """Heavier stays draw more scrutiny: about x0.9 at weight 0.8, x1.3 at weight 3."""
    if weight is None:
        return 1.0
    return float(math.sqrt(float(weight) / 1.5) ** 0.8)


def signal_multiplier(
    cause: str, f: ClaimFacts, signals: tuple[Signal, ...] | None = None
) -> float:
    m = 1.0
    # Read at call time: demo settings (demo/settings.py) may replace the planted signals.
    for s in SIGNALS if signals is None else signals:
        if s.root_cause != cause:
            continue
        if s.department and s.department != f.department:
            continue
        if s.service_line and s.service_line != f.service_line:
            continue
        if s.payer and s.payer != f.payer:
            continue
        if s.template and s.template != f.template:
            continue
        if s.start and f.service_date < s.start:
            continue
        m *= s.multiplier
    return m


def cause_probabilities(
    f: ClaimFacts,
    *,
    with_signals: bool = True,
    with_department: bool = True,
    with_los_factor: bool = True,
) -> Mapping[str, float]:
    """Probability of each root cause for this claim (zero-probability causes left out).

    ``with_signals=False`` / ``with_department=False`` give the counterfactual rates the
    ground truth compares against; ``with_los_factor=False`` the causes before the stay's
    length moved its length-of-stay share (same total).
    """
    base = BASE[f.payer] * ENCOUNTER[f.kind] * FAMILY[f.family] * drg_factor(f.drg_weight)
    if with_department:
        base *= DEPARTMENT.get(f.department, 1.0)
    shares = STREAM_SHARE["inpatient" if f.kind == "inpatient" else "other"]
    out: dict[str, float] = {}
    for stream, stream_share in shares.items():
        causes = [rc for rc in ROOT_CAUSES if rc.stream == stream and _applies(rc.needs, f)]
        total = sum(rc.share for rc in causes)
        for rc in causes:
            p = base * stream_share * rc.share / total
            boost = signal_multiplier(rc.id, f) if with_signals else 1.0
            p *= boost
            if f.payer_kind == "medicare_advantage":
                p *= MA_CAUSE.get(rc.id, 1.0)
            if rc.id == "level_of_care":
                p *= expectation_factor(f)
            out[rc.id] = min(p, MAX_SIGNAL_P if boost > 1 else MAX_CAUSE_P)
    total = sum(out.values())
    if total > MAX_TOTAL_P:  # stacked multipliers must still leave a probability
        out = {k: v * MAX_TOTAL_P / total for k, v in out.items()}
    if with_los_factor:
        _redistribute_clinical(out, los_factor(f))
    certain = certain_causes(
        days_past_limit=f.days_past_limit,
        coverage_ended=f.coverage_ended,
        noncovered=f.noncovered_lines,
    )
    return combine(certain, out) if certain else out
