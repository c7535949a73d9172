"""Encounters and their claims: who was seen, where, for what, billed how.

One ``Claim`` is one original claim (CLM01). The denial model is consulted here, before
the 837 is written, because what a payer will deny shows in the claim itself: a missing
modifier 25, a truncated diagnosis, no prior-authorisation number, a late submission.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from denialscope.demo import catalog as cat
from denialscope.demo import certain
from denialscope.demo.denial_model import AUTH_FAMILIES, ClaimFacts, cause_probabilities
from denialscope.demo.drg import Grouper
from denialscope.demo.inpatient import code_outpatient, code_stay
from denialscope.demo.org import Department, Org, Payer, Provider
from denialscope.demo.period import YEAR_END, YEAR_START
from denialscope.reference import cc_mcc, msdrg_weights

__all__ = ["YEAR_END", "YEAR_START", "Claim", "Line", "Patient", "make_claims"]

CENT = Decimal("0.01")

# Share of the system's claims per department.
DEPARTMENT_VOLUME: dict[str, float] = {
    "RMC-ED": 11, "LCH-ED": 6, "RMC-CARD": 10, "RMC-ORTH": 9, "RMC-IMG": 12, "RMC-BH": 9,
    "RMC-MED": 7, "LCH-MED": 4, "RMC-SURG": 8, "RPG-PC": 24,
}  # fmt: skip
# Share of a department's claims that are inpatient stays.
INPATIENT_SHARE: dict[str, float] = {
    "cardiology": 0.20, "orthopedics": 0.20, "behavioral_health": 0.11,
    "inpatient_medicine": 0.72, "surgery": 0.20,
}  # fmt: skip
# Payer mix by service line, in PAYER_ORDER. Medicare is split about half fee-for-service,
# half Medicare Advantage (KFF: 54% of eligible beneficiaries in MA in 2025); Medicaid about
# 70% managed care (KFF/MACPAC: most Medicaid enrollees are in managed-care plans).
PAYER_MIX: dict[str, tuple[float, ...]] = {
    "emergency": (0.140, 0.078, 0.062, 0.081, 0.189, 0.150, 0.150, 0.150),
    "cardiology": (0.275, 0.154, 0.121, 0.021, 0.049, 0.190, 0.120, 0.070),
    "orthopedics": (0.190, 0.106, 0.084, 0.024, 0.056, 0.200, 0.190, 0.150),
    "imaging": (0.200, 0.112, 0.088, 0.036, 0.084, 0.170, 0.170, 0.140),
    "behavioral_health": (0.050, 0.028, 0.022, 0.204, 0.476, 0.090, 0.070, 0.060),
    "inpatient_medicine": (0.280, 0.157, 0.123, 0.048, 0.112, 0.100, 0.100, 0.080),
    "primary_care": (0.150, 0.084, 0.066, 0.045, 0.105, 0.200, 0.200, 0.150),
    "surgery": (0.175, 0.098, 0.077, 0.036, 0.084, 0.190, 0.190, 0.150),
}
PAYER_ORDER = ("MCR", "MAH", "MAP", "MCD", "MMC", "SHP", "BHH", "PCI")
_MEDICARE_KINDS = ("medicare", "medicare_advantage")
_STREETS = ("OAK ST", "MAPLE AVE", "CEDAR LN", "PINE RD", "ELM CT", "BIRCH DR", "WILLOW WAY")
_CITIES = (("RIVERBEND", "53901"), ("LAKESIDE", "53920"), ("MILLBROOK", "53911"))


@dataclass(slots=True)
class Patient:
    member_id: str
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    street: str
    city: str
    zip: str
    dual_medicaid: bool  # Medicare primary with Medicaid secondary (crossover)
    # The day the coverage with this payer ended, registration told late (demo.certain).
    coverage_end: date | None = None

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@dataclass(slots=True)
class Line:
    number: int
    code: str  # HCPCS/CPT, "" for revenue-only lines
    revenue: str
    modifiers: list[str]
    units: int
    charge: Decimal
    service_date: date
    control: str
    family: str = ""


# P(the physician expected fewer than two midnights | the stay's actual midnights): most
# one-midnight admissions were ordered as short stays; some stays planned longer ended early
# (the patient improved, left, was transferred), and a few planned short ran long.
SHORT_EXPECTATION_P: dict[int, float] = {0: 0.7, 1: 0.65, 2: 0.35}
SHORT_EXPECTATION_P_LONGER = 0.08


def expected_midnights(claim_id: str, los: int) -> int:
    """The midnights the admitting physician expected, drawn from the claim's own stream (a
    seeded ``Random`` per claim) so that adding it left every other draw of the demo as it was."""
    rng = random.Random(f"expected-midnights-{claim_id}")
    if rng.random() < SHORT_EXPECTATION_P.get(los, SHORT_EXPECTATION_P_LONGER):
        return 1
    return max(2, los + rng.choice((-1, 0, 0, 1)))


@dataclass(slots=True)
class Claim:
    claim_id: str
    kind: str  # office, ed_pro, reading, ed_facility, outpatient, observation, inpatient
    department: Department
    template: str
    family: str
    billing: str  # facility code of the billing entity
    provider: Provider
    payer: Payer
    patient: Patient
    start: date
    end: date
    diagnoses: list[str]
    lines: list[Line]
    submitted: date
    procedures: list[tuple[str, date]] = field(default_factory=list)
    drg: str | None = None
    drg_weight: Decimal | None = None
    discharge_status: str = "01"
    prior_auth: str | None = None
    root_cause: str | None = None
    # The cause the same draw picks without the length-of-stay factor (denial_model.los_factor):
    # where it differs, the lifecycle keeps the shared generator's draws as they were.
    cause_without_los_factor: str | None = None
    expected: dict[str, float] = field(default_factory=dict)  # model probabilities
    facts: ClaimFacts | None = None
    modifier_line: int | None = None  # index of the line that lost its modifier
    dropped_modifier: str | None = None
    replaced_diagnosis: str | None = None  # the valid code an invalid one stands in for
    miscoding: str | None = None  # a planted coding-guideline miss (demo.inpatient)
    downgrade_drg: str | None = None  # the DRG without the MCC/CC (a payer's downgrade)
    downgrade_weight: Decimal | None = None
    # Midnights the admitting physician expected at the inpatient order (the ADT feed's
    # PV2-9 expected discharge): what the two-midnight benchmark is judged on.
    expected_midnights: int | None = None

    def corrected(self) -> Claim:
        """The replacement claim a biller sends: the defect the payer named is fixed."""
        lines = [dataclasses.replace(ln, modifiers=list(ln.modifiers)) for ln in self.lines]
        if self.modifier_line is not None and self.dropped_modifier:
            lines[self.modifier_line].modifiers.insert(0, self.dropped_modifier)
        diagnoses = list(self.diagnoses)
        if self.replaced_diagnosis:
            diagnoses[0] = self.replaced_diagnosis
        return dataclasses.replace(self, lines=lines, diagnoses=diagnoses)

    @property
    def professional(self) -> bool:
        return self.kind in ("office", "ed_pro", "reading")

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), Decimal(0))

    @property
    def place_of_service(self) -> str:
        return {"office": "11", "ed_pro": "23", "reading": "22"}.get(self.kind, "")

    @property
    def bill_type(self) -> str:
        return "11" if self.kind == "inpatient" else "13"


class _PatientPool:
    def __init__(self, rng: random.Random, certain_rng: random.Random) -> None:
        self.rng = rng
        self.certain_rng = certain_rng
        self.by_payer: dict[str, list[Patient]] = {k: [] for k in PAYER_ORDER}
        self._seq = 0

    def _age_range(self, kind: str) -> tuple[int, int]:
        if kind in _MEDICARE_KINDS:  # about one in eight is under 65 (disability, ESRD)
            return (40, 92) if self.rng.random() < 0.12 else (65, 92)
        if kind in ("medicaid", "managed_medicaid"):
            return (18, 64)
        return (19, 64)

    def draw(self, payer: Payer, *, sex: str | None = None) -> Patient:
        pool = self.by_payer[payer.key]
        rng = self.rng
        # Reuse existing patients most of the time: real systems see the same people again.
        if pool and rng.random() < 0.6:
            candidate = rng.choice(pool)
            if sex is None or candidate.sex == sex:
                return candidate
        self._seq += 1
        lo, hi = self._age_range(payer.kind)
        age = rng.randint(lo, hi)
        birth = YEAR_START - timedelta(days=age * 365 + rng.randint(0, 364))
        street = f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}"
        city, zip_code = rng.choice(_CITIES)
        patient = Patient(
            member_id=f"{payer.key[0]}{rng.randrange(10**9):09d}{self._seq % 10}",
            last_name=f"DEMO{self._seq:06d}",
            first_name=rng.choice(("ALEX", "JAMIE", "ROBIN", "SAM", "CASEY", "RILEY", "DREW")),
            birth_date=birth,
            sex=sex or rng.choice("MF"),
            street=street,
            city=city,
            zip=zip_code,
            dual_medicaid=payer.kind == "medicare" and rng.random() < 0.15,
            coverage_end=certain.coverage_end(self.certain_rng, payer.kind),
        )
        pool.append(patient)
        return patient


def _weighted(rng: random.Random, items: list[str], weights: list[float]) -> str:
    return rng.choices(items, weights=weights, k=1)[0]


def _service_date(rng: random.Random, *, weekdays_only: bool) -> date:
    while True:
        d = YEAR_START + timedelta(days=rng.randrange(365))
        if not weekdays_only or d.weekday() < 5:
            return d


class _ClaimFactory:
    def __init__(
        self, rng: random.Random, org: Org, grouper: Grouper, certain_rng: random.Random
    ) -> None:
        self.rng = rng
        self.certain_rng = certain_rng
        self.org = org
        self.grouper = grouper
        self.patients = _PatientPool(rng, certain_rng)
        self.weights = msdrg_weights()
        self.severity = cc_mcc()
        self.seq: dict[str, int] = {}

    def _claim_id(self, billing: str) -> str:
        self.seq[billing] = self.seq.get(billing, 0) + 1
        return f"{billing}25{self.seq[billing]:07d}"

    def make(self) -> Claim:
        rng = self.rng
        dept_code = _weighted(rng, list(DEPARTMENT_VOLUME), list(DEPARTMENT_VOLUME.values()))
        dept = self.org.departments[dept_code]
        line = dept.service_line
        payer = self.org.payers[_weighted(rng, list(PAYER_ORDER), list(PAYER_MIX[line]))]
        provider = rng.choice(self.org.providers[dept_code])
        if rng.random() < INPATIENT_SHARE.get(line, 0.0):
            claim = self._inpatient(dept, payer, provider)
        else:
            claim = self._outpatient(dept, payer, provider)
        self._decide(claim)
        return claim

    # -- building the claim ---------------------------------------------------------------

    def _outpatient(self, dept: Department, payer: Payer, provider: Provider) -> Claim:
        rng = self.rng
        templates = cat.TEMPLATES[dept.service_line]
        t = templates[rng.choices(range(len(templates)), weights=[x.weight for x in templates])[0]]
        professional = t.kind in ("office", "ed_pro", "reading")
        patient = self.patients.draw(payer, sex="F" if t.key == "img_mammo" else None)
        day = _service_date(rng, weekdays_only=t.kind in ("office", "outpatient"))
        end = day
        main = rng.choice(t.main)
        if certain.noncovered_lines(payer.key, [main.code]) and not certain.billed_anyway(
            self.certain_rng
        ):
            # The payer's covered alternative (Medicare's annual wellness visit for a routine
            # physical); only some visits are still billed with the non-covered code.
            main = cat.Service(certain.COVERED_ALTERNATIVE[main.code])
        # The diagnosis supports the procedure billed (a knee code for a knee scope), and
        # an extra is billed only for the diagnoses it goes with.
        principal = rng.choice(main.dx or t.diagnoses)
        services = [main] + [
            s for s in t.extras if rng.random() < s.chance and (not s.dx or principal in s.dx)
        ]
        billing = "RPG" if professional else dept.facility
        claim_id = self._claim_id(billing)
        lines: list[Line] = []
        for n, s in enumerate(services, 1):
            units = rng.randint(*s.units)
            mods = list(s.modifiers)
            if s.lateral:
                mods.append(cat.DIAGNOSIS_SIDE.get(principal) or rng.choice(("RT", "LT")))
            if (
                n == 1
                and len(services) > 1
                and t.family == "minor_procedure"
                and s.code[:3] == "992"
            ):
                mods.insert(0, "25")  # E/M on the day of a minor procedure
            per_unit = (cat.PRO_CHARGES if professional else cat.FACILITY_CHARGES)[
                s.code or s.revenue
            ]
            lines.append(
                Line(n, s.code, "" if professional else s.revenue, mods, units,
                     Decimal(per_unit * units), day, f"{claim_id}-{n}", t.family)
            )  # fmt: skip
        if t.kind == "observation":
            # Placed at 14:00 and kept the G0378 hours billed: the stay may end a day or two
            # later (the ADT feed's discharge time), and ends within the year.
            hours = next(ln.units for ln in lines if ln.code == "G0378")
            stay_days = (14 + hours) // 24
            if day + timedelta(days=stay_days) > YEAR_END:
                day = YEAR_END - timedelta(days=stay_days)
                for ln in lines:
                    ln.service_date = day
            end = day + timedelta(days=stay_days)
        coded = code_outpatient(rng, principal, age=patient.age_on(day))
        return Claim(
            claim_id=claim_id,
            kind=t.kind,
            department=dept,
            template=t.key,
            family=t.family,
            billing=billing,
            provider=provider,
            payer=payer,
            patient=patient,
            start=day,
            end=end,
            diagnoses=[coded.principal, *coded.secondary],
            lines=lines,
            submitted=day,
            miscoding=coded.miscoding,
        )

    def _inpatient(self, dept: Department, payer: Payer, provider: Provider) -> Claim:
        rng = self.rng
        cases = cat.INPATIENT_CASES[dept.service_line]
        case = cases[rng.choices(range(len(cases)), weights=[c.weight for c in cases])[0]]
        patient = self.patients.draw(payer)
        admit = _service_date(rng, weekdays_only=False)
        coded = code_stay(rng, case, age=patient.age_on(admit))
        dx = [coded.principal, *coded.secondary]
        status = "01"
        if case.family == "inpatient_surgical" and rng.random() < 0.25:
            status = rng.choice(("03", "06"))
        elif rng.random() < 0.08:
            status = "06"
        drg = self.grouper.group(
            discharge=admit + timedelta(days=3),  # provisional: LOS depends on the DRG
            age=patient.age_on(admit),
            sex=patient.sex,
            discharge_status=status,
            principal=dx[0],
            secondary=dx[1:],
            procedures=list(case.procedures),
        )
        info = self.weights[drg]
        gmlos = float(info.gmlos or 3)
        los = max(1, round(gmlos * rng.lognormvariate(0, 0.35)))
        # The year's stays are those discharged in it (a claim's year is its discharge's).
        admit = min(admit, YEAR_END - timedelta(days=los))
        discharge = admit + timedelta(days=los)
        # Regroup with the version in force at discharge (codes unchanged).
        drg = self.grouper.group(
            discharge=discharge,
            age=patient.age_on(admit),
            sex=patient.sex,
            discharge_status=status,
            principal=dx[0],
            secondary=dx[1:],
            procedures=list(case.procedures),
        )
        info = self.weights[drg]
        # What an auditor who rejects the MCC (else the CC) would group the stay to.
        for level in ("MCC", "CC"):
            kept = [d for d in dx[1:] if self.severity.get(d) != level]
            if len(kept) == len(dx) - 1:
                continue
            lower = self.grouper.group(
                discharge=discharge, age=patient.age_on(admit), sex=patient.sex,
                discharge_status=status, principal=dx[0], secondary=kept,
                procedures=list(case.procedures),
            )  # fmt: skip
            low_weight = self.weights[lower].weight
            if lower != drg and low_weight is not None and low_weight < (info.weight or 0):
                downgrade = (lower, low_weight)
                break
        else:
            downgrade = None
        claim_id = self._claim_id(dept.facility)
        # Sicker stays (an MCC) spend days in the ICU; ancillaries scale with the DRG weight.
        mcc = any(self.severity.get(d) == "MCC" for d in dx[1:])
        icu = min(los - 1, rng.randint(1, 3)) if mcc and los > 1 else 0
        scale = float(info.weight or 1)
        revenue: list[tuple[str, int, int]] = [("0120", los - icu, cat.FACILITY_CHARGES["0120"])]
        if icu:
            revenue.append(("0200", icu, cat.FACILITY_CHARGES["0200"]))
        revenue += [
            ("0250", 1, round(rng.randint(500, 1100) * los * scale)),
            ("0300", 1, round(rng.randint(450, 1100) * los * min(scale, 2.0))),
            ("0320", 1, cat.FACILITY_CHARGES["0320"]),
        ]
        if case.family == "inpatient_medical":  # most medical admissions come through the ED
            revenue.append(("0450", 1, cat.FACILITY_CHARGES["0450"]))
        revenue += [(code, 1, amount) for code, amount in case.extra_revenue]
        lines = [
            Line(n, "", code, [], units, Decimal(per_unit * units), admit, f"{claim_id}-{n}")
            for n, (code, units, per_unit) in enumerate(revenue, 1)
        ]
        return Claim(
            claim_id=claim_id,
            kind="inpatient",
            department=dept,
            template=case.key,
            family=case.family,
            billing=dept.facility,
            provider=provider,
            payer=payer,
            patient=patient,
            start=admit,
            end=discharge,
            diagnoses=dx,
            lines=lines,
            submitted=discharge,
            procedures=[(p, admit + timedelta(days=min(1, los - 1))) for p in case.procedures],
            drg=drg,
            drg_weight=info.weight,
            discharge_status=status,
            miscoding=coded.miscoding,
            downgrade_drg=downgrade[0] if downgrade else None,
            downgrade_weight=downgrade[1] if downgrade else None,
            expected_midnights=expected_midnights(claim_id, los),
        )

    # -- what the payer will do, and how it shows in the claim -----------------------------

    def _facts(self, c: Claim, days_past_limit: int) -> ClaimFacts:
        cpt_lines = sum(1 for ln in c.lines if ln.code)
        # A modifier can be missing where an E/M meets a same-day procedure (25) or where
        # laterality / the professional component (RT, LT, 26) must be stated.
        modifier_line = any(
            "25" in ln.modifiers or {"RT", "LT", "26"} & set(ln.modifiers) for ln in c.lines
        )
        drg = self.weights.get(c.drg) if c.kind == "inpatient" and c.drg else None
        return ClaimFacts(
            payer=c.payer.key,
            payer_kind=c.payer.kind,
            kind=c.kind,
            family=c.family,
            department=c.department.code,
            service_line=c.department.service_line,
            template=c.template,
            service_date=c.start,
            drg_weight=c.drg_weight,
            cpt_lines=cpt_lines,
            has_modifier_line=modifier_line,
            has_multi_unit=any(ln.units > 1 for ln in c.lines if ln.revenue != "0120"),
            professional=c.professional,
            timely_limit_days=c.payer.timely_filing_days,
            los=(c.end - c.start).days if c.kind == "inpatient" else 0,
            downgradable=c.downgrade_drg is not None,
            expected_midnights=c.expected_midnights,
            days_past_limit=days_past_limit,
            coverage_ended=certain.coverage_ended(c.patient.coverage_end, c.start),
            noncovered_lines=certain.noncovered_lines(c.payer.key, [ln.code for ln in c.lines]),
            gmlos=_float(drg.gmlos) if drg else None,
            amlos=_float(drg.amlos) if drg else None,
        )

    def _decide(self, c: Claim) -> None:
        rng = self.rng
        # Filing limits count from the service (from discharge for a stay). A late claim is a
        # fact of the submission, decided before the payer's response.
        late = certain.late_days(
            self.certain_rng, filing_from=c.end, limit_days=c.payer.timely_filing_days
        )
        c.facts = self._facts(c, late - c.payer.timely_filing_days if late else 0)
        c.expected = dict(cause_probabilities(c.facts))
        u = rng.random()
        c.root_cause = _pick(c.expected, u)
        c.cause_without_los_factor = _pick(cause_probabilities(c.facts, with_los_factor=False), u)
        cause = c.root_cause
        # Submission lag: days after discharge / visit.
        lag = rng.randint(2, 9) if c.kind != "inpatient" else rng.randint(3, 14)
        if late:
            lag = late
        c.submitted = c.end + timedelta(days=lag)
        needs_auth = c.family in AUTH_FAMILIES and c.payer.kind != "medicare"
        if needs_auth and cause != "auth_not_obtained" and rng.random() < 0.93:
            c.prior_auth = f"PA{rng.randrange(10**8):08d}"
        if cause == "invalid_diagnosis_code":
            c.replaced_diagnosis = c.diagnoses[0]
            c.diagnoses[0] = rng.choice(cat.INVALID_DIAGNOSES)
        after_template_change = (
            c.department.code == "RMC-ED"
            and c.template == "ed_pro_procedure"
            and c.start >= date(2025, 6, 1)
        )
        if cause == "modifier_missing_invalid" or (after_template_change and rng.random() < 0.6):
            dropped = _drop_modifier(c.lines)
            if dropped is not None:
                c.modifier_line, c.dropped_modifier = dropped


def _pick(probabilities: Mapping[str, float], u: float) -> str | None:
    """The cause a uniform draw ``u`` falls on (None past their sum: paid)."""
    acc = 0.0
    for name, p in probabilities.items():
        acc += p
        if u < acc:
            return name
    return None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _drop_modifier(lines: list[Line]) -> tuple[int, str] | None:
    """Remove the modifier the payer needs (25 on the E/M first, else RT/LT or 26)."""
    for i, ln in enumerate(lines):
        if "25" in ln.modifiers:
            ln.modifiers.remove("25")
            return i, "25"
    for i, ln in enumerate(lines):
        for mod in ("RT", "LT", "26"):
            if mod in ln.modifiers:
                ln.modifiers.remove(mod)
                return i, mod
    return None


def make_claims(
    rng: random.Random, org: Org, count: int, *, certain_rng: random.Random | None = None
) -> list[Claim]:
    """``count`` original claims, sorted by service date. ``certain_rng`` draws the
    near-certain denials' facts (late filing, coverage ended: demo.certain)."""
    with Grouper() as grouper:
        factory = _ClaimFactory(rng, org, grouper, certain_rng or random.Random(0))
        claims = [factory.make() for _ in range(count)]
    claims.sort(key=lambda c: (c.start, c.claim_id))
    return claims
