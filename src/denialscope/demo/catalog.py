"""What each department bills: encounter templates, code numbers and the charge master.

Code NUMBERS only (CPT/HCPCS, revenue codes, ICD-10): descriptions are licensed or not
needed. Every ICD-10-CM code here is billable in the bundled FY2026 list except those in
``INVALID_DIAGNOSES`` (kept deliberately for invalid-diagnosis denials); the tests check it.
Charges are one invented charge master, identical for every payer as real ones are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "FACILITY_CHARGES",
    "INPATIENT_CASES",
    "INVALID_DIAGNOSES",
    "PRO_CHARGES",
    "SECONDARY_DIAGNOSES",
    "TEMPLATES",
    "InpatientCase",
    "Service",
    "Template",
]


@dataclass(frozen=True, slots=True)
class Service:
    code: str  # CPT/HCPCS; "" for a revenue-code-only institutional line
    revenue: str = ""  # institutional claims only
    units: tuple[int, int] = (1, 1)
    modifiers: tuple[str, ...] = ()
    chance: float = 1.0  # probability that an optional extra line is billed
    lateral: bool = False  # gets RT or LT


@dataclass(frozen=True, slots=True)
class Template:
    key: str
    kind: str  # office, ed_pro, reading, ed_facility, outpatient, observation
    weight: float  # relative volume inside its department
    family: str  # procedure family, shared across departments (the case-mix variable)
    diagnoses: tuple[str, ...]
    main: tuple[Service, ...]  # exactly one is billed (an E/M level, the main procedure)
    extras: tuple[Service, ...] = ()


@dataclass(frozen=True, slots=True)
class InpatientCase:
    key: str
    weight: float
    family: str
    principal: tuple[str, ...]
    procedures: tuple[str, ...] = ()  # ICD-10-PCS, all performed
    secondary_chance: float = 0.6
    extra_revenue: tuple[tuple[str, int], ...] = field(default=())  # (revenue code, charge)


def _em(codes: str, revenue: str = "") -> tuple[Service, ...]:
    return tuple(Service(c, revenue) for c in codes.split())


_OFFICE_NEW_EST = _em("99203 99204 99212 99213 99213 99214 99214 99214 99215")
_ED_LEVELS = _em("99282 99283 99283 99284 99284 99285")
_ED_FACILITY = _em("99282 99283 99283 99284 99284 99285", "0450")

# Department service line -> outpatient/professional templates.
TEMPLATES: dict[str, tuple[Template, ...]] = {
    "emergency": (
        Template("ed_pro_visit", "ed_pro", 30, "em",
                 ("R0789", "R079", "R1010", "R109", "J069", "N390", "R519", "R55", "K5900",
                  "J45901"), _ED_LEVELS),
        # E/M plus a same-day procedure: the E/M needs modifier 25 (signal a).
        Template("ed_pro_procedure", "ed_pro", 22, "minor_procedure",
                 ("S0101XA", "S61411A", "S93401A"), _ED_LEVELS,
                 (Service("12002"), Service("29515", chance=0.4), Service("12001", chance=0.3))),
        Template("ed_facility", "ed_facility", 40, "em",
                 ("R0789", "R079", "R1010", "R109", "J069", "N390", "R519", "R55", "S0101XA",
                  "S93401A"), _ED_FACILITY,
                 (Service("80053", "0301", chance=0.6), Service("85025", "0305", chance=0.6),
                  Service("71046", "0324", chance=0.4), Service("93005", "0730", chance=0.3),
                  Service("J1885", "0636", units=(1, 2), chance=0.2))),
    ),
    "cardiology": (
        Template("card_office", "office", 45, "em",
                 ("I10", "I2510", "I4891", "I5022", "I480", "R0602", "I209", "E785", "I350",
                  "R002"), _OFFICE_NEW_EST, (Service("93000", chance=0.5),)),
        Template("card_echo", "outpatient", 18, "diagnostic",
                 ("I5022", "I350", "R0602", "I4891", "R002"), (Service("93306", "0483"),)),
        Template("card_stress", "outpatient", 10, "advanced_imaging",
                 ("I209", "R0789", "I2510"), (Service("78452", "0341"),),
                 (Service("A9502", "0636"), Service("93017", "0482"))),
        Template("card_cath", "outpatient", 7, "surgery",
                 ("I209", "I2510", "I350"), (Service("93458", "0481"),),
                 (Service("C1769", "0272", chance=0.5),)),
    ),
    "orthopedics": (
        Template("ortho_office", "office", 45, "em",
                 ("M1711", "M1712", "M1611", "M25561", "M25511", "M75101", "M5416"),
                 _OFFICE_NEW_EST, (Service("73562", lateral=True, chance=0.35),)),
        Template("ortho_injection", "office", 20, "minor_procedure",
                 ("M1711", "M1712", "M25561"), _em("99213 99214"),
                 (Service("20610", lateral=True), Service("J3301", units=(10, 40)))),
        Template("ortho_arthroscopy", "outpatient", 15, "surgery",
                 ("S83241A", "M1711", "M75101"), (Service("29881", "0360", lateral=True),),
                 (Service("", "0370"), Service("", "0710"), Service("", "0250", units=(1, 3)))),
        Template("ortho_mri", "outpatient", 10, "advanced_imaging",
                 ("M25561", "S83241A", "M25511"), (Service("73721", "0610", lateral=True),)),
    ),
    "imaging": (
        Template("img_ct", "outpatient", 22, "advanced_imaging",
                 ("R1031", "R109", "N200", "R918"), (Service("74177", "0352"),
                                                      Service("71260", "0351"))),
        Template("img_mri", "outpatient", 12, "advanced_imaging",
                 ("R519", "M5416", "M5450"), (Service("70553", "0611"), Service("72148", "0612"))),
        Template("img_xray", "outpatient", 26, "imaging",
                 ("R0602", "R079", "M25561", "M5450"), (Service("71046", "0324"),
                                                        Service("72100", "0320"))),
        Template("img_us", "outpatient", 14, "imaging",
                 ("R1031", "N200", "R109"), (Service("76700", "0402"), Service("76856", "0402"))),
        Template("img_mammo", "outpatient", 12, "imaging", ("Z1231",),
                 (Service("77067", "0403"),)),
        Template("img_reading", "reading", 24, "advanced_imaging",
                 ("R1031", "R109", "N200", "R918", "R519"),
                 (Service("74177", modifiers=("26",)), Service("70553", modifiers=("26",)),
                  Service("71260", modifiers=("26",)))),
    ),
    "behavioral_health": (
        Template("bh_therapy", "office", 55, "psych",
                 ("F329", "F331", "F332", "F411", "F4310", "F4321", "F902"),
                 _em("90834 90834 90837 90832"), ()),
        Template("bh_eval", "office", 15, "psych", ("F329", "F411", "F200", "F319", "F1020"),
                 _em("90791 90792")),
        Template("bh_med_mgmt", "office", 30, "em", ("F200", "F319", "F331", "F902", "F1020"),
                 _em("99213 99214"), (Service("90833", chance=0.5),)),
    ),
    "inpatient_medicine": (
        Template("obs_stay", "observation", 100, "observation", ("R079", "R55", "R0789", "R0602"),
                 (Service("G0378", "0762", units=(14, 40)),),
                 (Service("99284", "0450", chance=0.7), Service("80053", "0301"),
                  Service("84484", "0301"), Service("93005", "0730"),
                  Service("71046", "0324", chance=0.5))),
    ),
    "primary_care": (
        Template("pc_visit", "office", 60, "em",
                 ("I10", "E119", "E785", "J069", "E039", "M5450", "R5383", "E1165", "K219",
                  "G4733"), _OFFICE_NEW_EST,
                 (Service("36415", chance=0.4), Service("80053", chance=0.3),
                  Service("83036", chance=0.25), Service("93000", chance=0.1))),
        Template("pc_preventive", "office", 25, "preventive", ("Z0000", "Z0001"),
                 _em("99395 99396 99397"), (Service("36415", chance=0.5),
                                            Service("80061", chance=0.5))),
        Template("pc_vaccine", "office", 15, "preventive", ("Z23",),
                 (Service("90686"),), (Service("90471"),)),
    ),
    "surgery": (
        Template("surg_chole", "outpatient", 25, "surgery", ("K8020", "K8010"),
                 (Service("47562", "0360"),),
                 (Service("", "0370"), Service("", "0710"), Service("", "0250", units=(1, 3)))),
        Template("surg_hernia", "outpatient", 25, "surgery", ("K4090",),
                 (Service("49505", "0360", lateral=True),),
                 (Service("C1781", "0278", chance=0.7), Service("", "0370"),
                  Service("", "0710"))),
        Template("surg_colonoscopy", "outpatient", 50, "minor_procedure", ("Z1211", "K5730"),
                 (Service("45378", "0750"), Service("45380", "0750"), Service("45385", "0750")),
                 (Service("88305", "0310", chance=0.5),)),
    ),
}  # fmt: skip

# Department service line -> inpatient cases (grouped by the real MS-DRG grouper).
INPATIENT_CASES: dict[str, tuple[InpatientCase, ...]] = {
    "cardiology": (
        InpatientCase("hf", 40, "inpatient_medical", ("I5023", "I5033", "I130")),
        InpatientCase("nstemi_pci", 25, "inpatient_surgical", ("I214",),
                      ("027034Z", "4A023N7"), extra_revenue=(("0481", 14500), ("0278", 6200))),
        InpatientCase("nstemi_cath", 10, "inpatient_medical", ("I214",), ("4A023N7",),
                      extra_revenue=(("0481", 9800),)),
        InpatientCase("afib", 25, "inpatient_medical", ("I4891",)),
    ),
    "orthopedics": (
        InpatientCase("knee_replacement", 45, "inpatient_surgical", ("M1711", "M1712"),
                      ("0SRD0J9",), extra_revenue=(("0360", 18500), ("0278", 9800))),
        InpatientCase("hip_replacement", 30, "inpatient_surgical", ("M1611",), ("0SR9019",),
                      extra_revenue=(("0360", 19200), ("0278", 10400))),
        InpatientCase("hip_fracture", 25, "inpatient_surgical", ("S72141A",), ("0QS634Z",),
                      extra_revenue=(("0360", 15800), ("0278", 5200))),
    ),
    "behavioral_health": (
        InpatientCase("psych", 80, "inpatient_psych", ("F332", "F200", "F319", "F331")),
        InpatientCase("alcohol", 20, "inpatient_psych", ("F10239",)),
    ),
    "inpatient_medicine": (
        InpatientCase("pneumonia", 25, "inpatient_medical", ("J189",)),
        InpatientCase("sepsis", 20, "inpatient_medical", ("A419",), secondary_chance=0.8),
        InpatientCase("copd", 15, "inpatient_medical", ("J441",)),
        InpatientCase("uti", 10, "inpatient_medical", ("N390",)),
        InpatientCase("cellulitis", 10, "inpatient_medical", ("L03115",)),
        InpatientCase("gi_bleed", 10, "inpatient_medical", ("K922",)),
        InpatientCase("dka", 5, "inpatient_medical", ("E1010",)),
        InpatientCase("hf_medicine", 5, "inpatient_medical", ("I5023", "I5033")),
    ),
    "surgery": (
        InpatientCase("chole_inpatient", 55, "inpatient_surgical", ("K8010",), ("0FT44ZZ",),
                      extra_revenue=(("0360", 9600),)),
        InpatientCase("hernia_inpatient", 45, "inpatient_surgical", ("K4090",), ("0YQ50ZZ",),
                      extra_revenue=(("0360", 8700), ("0278", 2100))),
    ),
}  # fmt: skip

# Common comorbidities; some are CC/MCC and so move the DRG, as in real stays.
SECONDARY_DIAGNOSES: tuple[str, ...] = (
    "I10", "E119", "E785", "N179", "E871", "J9601", "E1122", "N1830", "Z794", "F17210",
    "E669", "D649", "Z87891", "Z7901", "K219", "G4733", "E039", "I4891",
)  # fmt: skip

# Truncated (non-billable) codes: what a claim denied for an invalid diagnosis carries.
INVALID_DIAGNOSES: tuple[str, ...] = ("M171", "S7200", "E113", "J44", "I50")

# Professional fee schedule (charge per unit).
PRO_CHARGES: dict[str, int] = {
    "99202": 175, "99203": 255, "99204": 385, "99205": 505, "99211": 70, "99212": 130,
    "99213": 195, "99214": 285, "99215": 395, "99282": 140, "99283": 235, "99284": 410,
    "99285": 640, "12001": 310, "12002": 385, "29515": 260, "93000": 85, "73562": 165,
    "20610": 295, "J3301": 6, "74177": 310, "70553": 420, "71260": 240, "90791": 365,
    "90792": 410, "90832": 140, "90834": 190, "90837": 265, "90833": 120, "36415": 25,
    "80053": 95, "83036": 60, "80061": 85, "99395": 290, "99396": 310, "99397": 340,
    "90686": 55, "90471": 40,
}  # fmt: skip

# Hospital charge master (charge per unit), keyed by HCPCS or by revenue code for
# revenue-only lines.
FACILITY_CHARGES: dict[str, int] = {
    "99282": 610, "99283": 1150, "99284": 2250, "99285": 3650, "80053": 240, "85025": 115,
    "71046": 390, "93005": 210, "J1885": 48, "93306": 2650, "78452": 3900, "A9502": 850,
    "93017": 620, "93458": 11800, "C1769": 1450, "29881": 9400, "73721": 3100,
    "74177": 4200, "71260": 2900, "70553": 5200, "72148": 3600, "72100": 420,
    "76700": 980, "76856": 760, "77067": 520, "G0378": 145, "84484": 180, "47562": 14800,
    "49505": 9900, "C1781": 1900, "45378": 3400, "45380": 3900, "45385": 4300,
    "88305": 330, "0370": 2600, "0710": 1250, "0250": 380,
    # inpatient per-day and ancillary revenue lines
    "0120": 3100, "0300": 1450, "0320": 880, "0410": 1350, "0636": 260, "0730": 420,
}  # fmt: skip
