"""What each department bills: encounter templates, code numbers and the charge master.

Code NUMBERS only (CPT/HCPCS, revenue codes, ICD-10): descriptions are licensed or not
needed. Every ICD-10-CM code here is billable in the bundled FY2026 list except those in
``INVALID_DIAGNOSES`` (kept deliberately for invalid-diagnosis denials); the tests check it.
Charges are one invented charge master, identical for every payer as real ones are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "DIAGNOSIS_SIDE",
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
    lateral: bool = False  # gets RT or LT (the side of the diagnosis when it has one)
    dx: tuple[str, ...] = ()  # main service: its diagnoses; extra: billed only with these


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
    mcc: tuple[str, ...] = ()  # complications this kind of stay has (one is coded)
    mcc_chance: float = 0.0
    cc: tuple[str, ...] = ()
    cc_chance: float = 0.0
    combination: str = ""  # "hf" or "sepsis": guideline combination coding (demo.inpatient)
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
                 _OFFICE_NEW_EST, (Service("73562", lateral=True, chance=0.35,
                                           dx=("M1711", "M1712", "M25561")),)),
        Template("ortho_injection", "office", 20, "minor_procedure",
                 ("M1711", "M1712", "M25561"), _em("99213 99214"),
                 (Service("20610", lateral=True), Service("J3301", units=(10, 40)))),
        Template("ortho_arthroscopy", "outpatient", 15, "surgery",
                 ("S83241A", "M1711", "M1712"), (Service("29881", "0360", lateral=True),),
                 (Service("", "0370"), Service("", "0710"), Service("", "0250", units=(1, 3)))),
        Template("ortho_mri", "outpatient", 10, "advanced_imaging",
                 ("M25561", "S83241A", "M1712"), (Service("73721", "0610", lateral=True),)),
    ),
    "imaging": (
        Template("img_ct", "outpatient", 22, "advanced_imaging",
                 ("R1031", "R109", "N200", "R918"),
                 (Service("74177", "0352", dx=("R1031", "R109", "N200")),
                  Service("71260", "0351", dx=("R918",)))),
        Template("img_mri", "outpatient", 12, "advanced_imaging",
                 ("R519", "M5416", "M5450"),
                 (Service("70553", "0611", dx=("R519",)),
                  Service("72148", "0612", dx=("M5416", "M5450")))),
        Template("img_xray", "outpatient", 26, "imaging",
                 ("R0602", "R079", "M25561", "M5450"),
                 (Service("71046", "0324", dx=("R0602", "R079")),
                  Service("72100", "0320", dx=("M5450",)))),
        Template("img_us", "outpatient", 14, "imaging",
                 ("R1031", "N200", "R109"), (Service("76700", "0402"), Service("76856", "0402"))),
        Template("img_mammo", "outpatient", 12, "imaging", ("Z1231",),
                 (Service("77067", "0403"),)),
        Template("img_reading", "reading", 24, "advanced_imaging",
                 ("R1031", "R109", "N200", "R918", "R519"),
                 (Service("74177", modifiers=("26",), dx=("R1031", "R109", "N200")),
                  Service("70553", modifiers=("26",), dx=("R519",)),
                  Service("71260", modifiers=("26",), dx=("R918",)))),
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

# Department service line -> inpatient cases (grouped by the real MS-DRG grouper). Weights
# follow the national volume ranking of MS-DRGs (CMS MedPAR): sepsis, joint replacement, heart
# failure, digestive, urinary, cellulitis, pneumonia first; MCC chances put 871 above 872 and
# 291 above 293, as in the national data.
INPATIENT_CASES: dict[str, tuple[InpatientCase, ...]] = {
    "cardiology": (
        InpatientCase("hf", 34, "inpatient_medical", ("I5023", "I5033", "I5043"),
                      mcc=("J9601", "N170"), mcc_chance=0.2, cc=("E871", "N179"), cc_chance=0.5,
                      combination="hf"),
        InpatientCase("nstemi_pci", 22, "inpatient_surgical", ("I214",), ("027034Z", "4A023N7"),
                      mcc=("J9601", "N170"), mcc_chance=0.25, cc=("E871", "N179"), cc_chance=0.3,
                      extra_revenue=(("0481", 24500), ("0278", 9200))),
        InpatientCase("nstemi_medical", 10, "inpatient_medical", ("I214",), ("4A023N7",),
                      mcc=("J9601", "N170"), mcc_chance=0.35, extra_revenue=(("0481", 9800),)),
        InpatientCase("afib", 16, "inpatient_medical", ("I4891",), mcc=("J9601",),
                      mcc_chance=0.2, cc=("E871",), cc_chance=0.3),
        InpatientCase("cabg", 10, "inpatient_surgical", ("I2510",), ("021109W",),
                      mcc=("J9601", "N170"), mcc_chance=0.3,
                      extra_revenue=(("0360", 42000), ("0278", 8600), ("0200", 15600))),
    ),
    "orthopedics": (
        InpatientCase("knee_replacement_right", 15, "inpatient_surgical", ("M1711",),
                      ("0SRC0J9",), mcc=("J9601",), mcc_chance=0.02,
                      extra_revenue=(("0360", 22500), ("0278", 11800))),
        InpatientCase("knee_replacement_left", 13, "inpatient_surgical", ("M1712",),
                      ("0SRD0J9",), mcc=("J9601",), mcc_chance=0.02,
                      extra_revenue=(("0360", 22500), ("0278", 11800))),
        InpatientCase("hip_replacement", 18, "inpatient_surgical", ("M1611",), ("0SR9019",),
                      mcc=("J9601",), mcc_chance=0.03,
                      extra_revenue=(("0360", 23800), ("0278", 12400))),
        InpatientCase("hip_fracture", 24, "inpatient_surgical", ("S72141A",), ("0QS634Z",),
                      mcc=("J9601", "G9341"), mcc_chance=0.2, cc=("E871", "N179"),
                      cc_chance=0.5, extra_revenue=(("0360", 18800), ("0278", 6200))),
        InpatientCase("spinal_fusion", 18, "inpatient_surgical", ("M4316",), ("0SG0070",),
                      mcc=("J9601",), mcc_chance=0.05,
                      extra_revenue=(("0360", 36500), ("0278", 28400))),
    ),
    "behavioral_health": (
        InpatientCase("psych", 62, "inpatient_psych", ("F332", "F200", "F319", "F331")),
        InpatientCase("depression", 18, "inpatient_psych", ("F329",)),
        InpatientCase("alcohol", 20, "inpatient_psych", ("F10239",)),
    ),
    "inpatient_medicine": (
        InpatientCase("sepsis", 26, "inpatient_medical", ("A419",),
                      mcc=("J9601", "G9341", "N170", "R6521", "E43"), mcc_chance=0.56,
                      cc=("E871", "N179"), cc_chance=0.6, combination="sepsis"),
        InpatientCase("sepsis_ventilated", 3.5, "inpatient_medical", ("A419",), ("5A1955Z",),
                      mcc=("J9601",), mcc_chance=1.0, combination="sepsis",
                      extra_revenue=(("0200", 31200), ("0410", 9600))),
        InpatientCase("respiratory_failure_ventilated", 2.5, "inpatient_medical", ("J9601",),
                      ("5A1955Z",), extra_revenue=(("0200", 31200), ("0410", 9600))),
        InpatientCase("pneumonia", 12, "inpatient_medical", ("J189",), mcc=("J9601", "G9341"),
                      mcc_chance=0.2, cc=("E871", "N179"), cc_chance=0.6),
        InpatientCase("copd", 8, "inpatient_medical", ("J441",), mcc=("J9601",),
                      mcc_chance=0.35, cc=("E871",), cc_chance=0.4),
        InpatientCase("uti", 9, "inpatient_medical", ("N390",), mcc=("G9341",),
                      mcc_chance=0.12, cc=("E871", "N179"), cc_chance=0.5),
        InpatientCase("cellulitis", 7, "inpatient_medical", ("L03115",), mcc=("E43",),
                      mcc_chance=0.1, cc=("N179",), cc_chance=0.3),
        InpatientCase("gi_bleed", 6, "inpatient_medical", ("K922",), mcc=("N170",),
                      mcc_chance=0.2, cc=("D62", "E871"), cc_chance=0.6),
        InpatientCase("gastro", 9, "inpatient_medical", ("K5730", "K2970", "K5900"),
                      mcc=("G9341",), mcc_chance=0.08, cc=("E871",), cc_chance=0.5),
        InpatientCase("renal_failure", 6, "inpatient_medical", ("N179",), mcc=("G9341",),
                      mcc_chance=0.2, cc=("E871",), cc_chance=0.6),
        InpatientCase("stroke", 6, "inpatient_medical", ("I63512",), mcc=("G936", "I6203"),
                      mcc_chance=0.3, cc=("R4701",), cc_chance=0.5),
        InpatientCase("dka", 3, "inpatient_medical", ("E1010",)),
        InpatientCase("hf_medicine", 5, "inpatient_medical", ("I5023", "I5033"),
                      mcc=("J9601",), mcc_chance=0.2, cc=("E871",), cc_chance=0.5,
                      combination="hf"),
    ),
    "surgery": (
        InpatientCase("chole_inpatient", 35, "inpatient_surgical", ("K8010",), ("0FT44ZZ",),
                      mcc=("J9601",), mcc_chance=0.08, cc=("E871", "N179"), cc_chance=0.35,
                      extra_revenue=(("0360", 14600),)),
        InpatientCase("hernia_inpatient", 15, "inpatient_surgical", ("K4090",), ("0YQ50ZZ",),
                      extra_revenue=(("0360", 11700), ("0278", 2100))),
        InpatientCase("colectomy", 25, "inpatient_surgical", ("K5720",), ("0DTN0ZZ",),
                      mcc=("J9601", "N170", "E43"), mcc_chance=0.3, cc=("E871",),
                      cc_chance=0.5, extra_revenue=(("0360", 31800),)),
        InpatientCase("appendectomy", 25, "inpatient_surgical", ("K3580",), ("0DTJ4ZZ",),
                      cc=("E871",), cc_chance=0.2, extra_revenue=(("0360", 12900),)),
    ),
}  # fmt: skip

# The laterality a diagnosis code states (RT/LT on the procedure must agree with it).
DIAGNOSIS_SIDE: dict[str, str] = {
    "M1711": "RT", "M1712": "LT", "M25561": "RT", "M25511": "RT", "S83241A": "RT",
    "M75101": "RT", "M1611": "RT", "S93401A": "RT", "S61411A": "RT",
}  # fmt: skip

# Every secondary diagnosis the demo codes (demo.inpatient decides which, and how they
# combine); some are CC/MCC and so move the DRG, as in real stays.
SECONDARY_DIAGNOSES: tuple[str, ...] = (
    "I10", "I110", "I130", "I129", "E119", "E1122", "E1165", "N1830", "Z794", "E785", "N179",
    "E871", "J9601", "G9341", "N170", "R6520", "R6521", "E43", "D62", "G936", "I6203",
    "R4701", "F17210", "E669", "Z87891", "Z7901", "K219", "G4733", "E039", "I4891",
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
    "90686": 55, "90471": 40, "G0439": 260,
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
    "0120": 3100, "0200": 7800, "0300": 1450, "0320": 880, "0410": 1350, "0450": 2250,
    "0636": 260, "0730": 420,
}  # fmt: skip
