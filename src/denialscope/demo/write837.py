"""Write the demo's 5010 837P (005010X222A1) and 837I (005010X223A2) files.

One file per billing entity, claim type and week of submission, as a clearinghouse batch
would be: one interchange, one group, one transaction, claims of every payer inside.
Segments are written directly with ``X12Writer`` so the demo does not depend on the 837
record writer being built in parallel.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from denialscope.demo.encounters import Claim
from denialscope.demo.org import Org
from denialscope.demo.pricing import Submission
from denialscope.x12.writer import X12Writer

__all__ = ["RECEIVER", "SUBMITTER", "batch_submissions", "write_837_files"]

SUBMITTER = ("RIVERBEND HEALTH SYSTEM", "RHS000001")
RECEIVER = ("DEMO CLEARINGHOUSE", "CLEARHOUSE01")
_MAX_HI = 12  # composites per HI segment


def _d8(d: date) -> str:
    return d.strftime("%Y%m%d")


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _hi(w: X12Writer, items: list[list[str]]) -> None:
    for i in range(0, len(items), _MAX_HI):
        w.segment("HI", *items[i : i + _MAX_HI])


def _claim_837p(w: X12Writer, c: Claim, s: Submission, org: Org) -> None:
    w.segment("CLM", c.claim_id, c.charge, None, None, [c.place_of_service, "B", s.frequency],
              "Y", "A", "Y", "Y")  # fmt: skip
    if s.original_reference:
        w.segment("REF", "F8", s.original_reference)
    if c.prior_auth:
        w.segment("REF", "G1", c.prior_auth)
    _hi(w, [["ABK" if i == 0 else "ABF", dx] for i, dx in enumerate(c.diagnoses)])
    p = c.provider
    w.segment("NM1", "82", "1", p.last_name, p.first_name, None, None, None, "XX", p.npi)
    w.segment("PRV", "PE", "PXC", p.taxonomy)
    if c.place_of_service in ("22", "23"):
        fac = org.facilities[c.department.facility]
        w.segment("NM1", "77", "2", fac.name, None, None, None, None, "XX", fac.npi)
        w.segment("N3", fac.address)
        w.segment("N4", fac.city, fac.state, fac.zip)
    pointers = [str(i + 1) for i in range(min(4, len(c.diagnoses)))]
    for ln in c.lines:
        w.segment("LX", ln.number)
        w.segment("SV1", ["HC", ln.code, *ln.modifiers], ln.charge, "UN", ln.units, None, None,
                  pointers)  # fmt: skip
        w.segment("DTP", "472", "D8", _d8(ln.service_date))
        w.segment("REF", "6R", ln.control)


def _claim_837i(w: X12Writer, c: Claim, s: Submission) -> None:
    inpatient = c.kind == "inpatient"
    w.segment("CLM", c.claim_id, c.charge, None, None, [c.bill_type, "A", s.frequency], None,
              "A", "Y", "Y")  # fmt: skip
    if inpatient:
        w.segment("DTP", "096", "TM", "1100")
    w.segment("DTP", "434", "RD8", f"{_d8(c.start)}-{_d8(c.end)}")
    if inpatient:
        w.segment("DTP", "435", "DT", _d8(c.start) + "0800")
        w.segment("CL1", "1" if c.family != "inpatient_surgical" else "3", "1",
                  c.discharge_status)  # fmt: skip
    else:
        w.segment("CL1", "1" if c.kind in ("ed_facility", "observation") else "3", "1", "01")
    if s.original_reference:
        w.segment("REF", "F8", s.original_reference)
    if c.prior_auth:
        w.segment("REF", "G1", c.prior_auth)
    poa = ["", "", "", "", "", "", "Y"] if inpatient else []
    w.segment("HI", ["ABK", c.diagnoses[0], *poa])
    if inpatient:
        w.segment("HI", ["ABJ", c.diagnoses[0]])
    if len(c.diagnoses) > 1:
        _hi(w, [["ABF", dx, *poa] for dx in c.diagnoses[1:]])
    if c.procedures:
        _hi(w, [["BBR" if i == 0 else "BBQ", code, "D8", _d8(day)]
                for i, (code, day) in enumerate(c.procedures)])  # fmt: skip
    if c.drg:
        w.segment("HI", ["DR", c.drg])
    p = c.provider
    w.segment("NM1", "71", "1", p.last_name, p.first_name, None, None, None, "XX", p.npi)
    w.segment("PRV", "AT", "PXC", p.taxonomy)
    for ln in c.lines:
        w.segment("LX", ln.number)
        procedure = ["HC", ln.code, *ln.modifiers] if ln.code else None
        w.segment("SV2", ln.revenue, procedure, ln.charge, "UN", ln.units)
        if not inpatient:
            w.segment("DTP", "472", "D8", _d8(ln.service_date))
        w.segment("REF", "6R", ln.control)


def _subscriber(w: X12Writer, hl: int, c: Claim) -> None:
    institutional = not c.professional
    pt = c.patient
    filing = c.payer.filing_institutional if institutional else c.payer.filing_professional
    w.segment("HL", hl, "1", "22", "0")
    w.segment("SBR", "P", "18", None, None, None, None, None, None, filing)
    w.segment("NM1", "IL", "1", pt.last_name, pt.first_name, None, None, None, "MI",
              pt.member_id)  # fmt: skip
    w.segment("N3", pt.street)
    w.segment("N4", pt.city, "WI", pt.zip)
    w.segment("DMG", "D8", _d8(pt.birth_date), pt.sex)
    w.segment("NM1", "PR", "2", c.payer.name, None, None, None, None, "PI", c.payer.payer_id)


def batch_submissions(
    subs: list[Submission],
) -> list[tuple[tuple[str, str, date], list[Submission]]]:
    """The batches the 837 files hold, in file order: (billing, P/I, Monday) -> claims."""
    batches: dict[tuple[str, str, date], list[Submission]] = defaultdict(list)
    for s in subs:
        kind = "P" if s.claim.professional else "I"
        batches[(s.claim.billing, kind, _monday(s.sent))].append(s)
    for batch in batches.values():
        batch.sort(key=lambda s: (s.sent, s.claim.claim_id, s.frequency, s.rejection is None))
    return sorted(batches.items())


def write_837_files(
    out: Path, subs: list[Submission], org: Org, *, control_start: int
) -> list[Path]:
    """Write every submission into weekly batch files; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    control = control_start
    for (billing, kind, week), batch in batch_submissions(subs):
        control += 1
        sent = batch[-1].sent
        w = X12Writer(sender=SUBMITTER[1], receiver=RECEIVER[1], control=control,
                      when=datetime(sent.year, sent.month, sent.day, 18, 30))  # fmt: skip
        guide = "005010X222A1" if kind == "P" else "005010X223A2"
        fac = org.facilities[billing]
        with w.group("HC", version=guide), w.transaction("837", guide=guide):
            w.segment("BHT", "0019", "00", f"{billing}{kind}{_d8(week)}", _d8(sent), "1830", "CH")
            w.segment("NM1", "41", "2", SUBMITTER[0], None, None, None, None, "46", SUBMITTER[1])
            w.segment("PER", "IC", "BILLING OFFICE", "TE", "6085550100")
            w.segment("NM1", "40", "2", RECEIVER[0], None, None, None, None, "46", RECEIVER[1])
            w.segment("HL", "1", None, "20", "1")
            w.segment("PRV", "BI", "PXC", fac.taxonomy)
            w.segment("NM1", "85", "2", fac.name, None, None, None, None, "XX", fac.npi)
            w.segment("N3", fac.address)
            w.segment("N4", fac.city, fac.state, fac.zip)
            w.segment("REF", "EI", fac.tax_id)
            for hl, s in enumerate(batch, 2):
                _subscriber(w, hl, s.claim)
                if kind == "P":
                    _claim_837p(w, s.claim, s, org)
                else:
                    _claim_837i(w, s.claim, s)
        path = out / f"837{kind}_{billing}_{_d8(week)}.x12"
        path.write_text(w.getvalue(), encoding="ascii")
        paths.append(path)
    return paths
