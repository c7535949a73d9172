"""Front-end acknowledgments: a 999 and a 277CA for every 837 batch the demo sends.

The clearinghouse accepts every transaction set (999 IK5*A, AK9*A: the demo's 837s are
syntactically clean); the payer's front end rejects a few claims in the 277CA (STC A6/A7:
a member id or a provider identifier it cannot match, missing information). Those claims
were never adjudicated: the biller corrects them and sends them again as originals a few
days later (demo.lifecycle), so first-pass yield and the clean-claim rate are computable.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from denialscope.demo.org import Org
from denialscope.demo.pricing import Submission
from denialscope.demo.write837 import RECEIVER, SUBMITTER, batch_submissions
from denialscope.x12.writer import X12Writer

__all__ = ["REJECTIONS", "ack_summary", "write_ack_files"]

# 277CA STC01 (category:status[:entity]) the demo's payers send, our picks: invalid
# subscriber id (entity IL), missing information, billing provider NPI not on file (85).
REJECTIONS: tuple[str, ...] = ("A7:33:IL", "A6:21", "A7:562:85")


def _d8(d: date) -> str:
    return d.strftime("%Y%m%d")


def _999(control: int, file_control: int, sent: date, guide: str) -> str:
    when = datetime(sent.year, sent.month, sent.day, 19, 5)
    w = X12Writer(sender=RECEIVER[1], receiver=SUBMITTER[1], control=control, when=when)
    with w.group("FA", version="005010X231A1"), w.transaction("999", guide="005010X231A1"):
        w.segment("AK1", "HC", file_control * 100 + 1, guide)
        w.segment("AK2", "837", "0001", guide)
        w.segment("IK5", "A")
        w.segment("AK9", "A", 1, 1, 1)
    return w.getvalue()


def _277ca(control: int, batch: list[Submission], org: Org, billing: str, day: date) -> str:
    when = datetime(day.year, day.month, day.day, 6, 15)
    w = X12Writer(sender=RECEIVER[1], receiver=SUBMITTER[1], control=control, when=when)
    fac = org.facilities[billing]
    accepted = [s for s in batch if s.rejection is None]
    rejected = [s for s in batch if s.rejection is not None]
    with w.group("HN", version="005010X214"), w.transaction("277", guide="005010X214"):
        w.segment("BHT", "0085", "08", f"ACK{control}", _d8(day), "0615", "TH")
        w.segment("HL", 1, None, "20", 1)
        w.segment("NM1", "PR", "2", RECEIVER[0], None, None, None, None, "46", RECEIVER[1])
        w.segment("TRN", "1", f"RCPT{control}")
        w.segment("DTP", "050", "D8", _d8(batch[-1].sent))
        w.segment("DTP", "009", "D8", _d8(day))
        w.segment("HL", 2, 1, "21", 1)
        w.segment("NM1", "41", "2", SUBMITTER[0], None, None, None, None, "46", SUBMITTER[1])
        w.segment("TRN", "2", f"BATCH{control}")
        w.segment("STC", ["A1", "19", "PR"], _d8(day), "WQ", sum(s.claim.charge for s in batch))
        w.segment("QTY", "90", len(accepted))
        w.segment("QTY", "AA", len(rejected))
        w.segment("HL", 3, 2, "19", 1)
        w.segment("NM1", "85", "2", fac.name, None, None, None, None, "XX", fac.npi)
        w.segment("TRN", "1", "0")
        for hl, s in enumerate(batch, 4):
            c = s.claim
            w.segment("HL", hl, 3, "PT")
            w.segment("NM1", "QC", "1", c.patient.last_name, c.patient.first_name, None, None,
                      None, "MI", c.patient.member_id)  # fmt: skip
            w.segment("TRN", "2", c.claim_id)
            if s.rejection is None:
                w.segment("STC", ["A2", "20", "PR"], _d8(day), "WQ", c.charge)
            else:
                w.segment("STC", s.rejection.split(":"), _d8(day), "U", c.charge)
            w.segment("DTP", "472", "RD8", f"{_d8(c.start)}-{_d8(c.end)}")
    return w.getvalue()


def write_ack_files(
    out: Path, subs: list[Submission], org: Org, *, control_837: int, control_start: int
) -> list[Path]:
    """One 999 and one 277CA per 837 batch file (same batching and control numbers)."""
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    control = control_start
    for n, ((billing, kind, week), batch) in enumerate(batch_submissions(subs), 1):
        sent = batch[-1].sent
        guide = "005010X222A1" if kind == "P" else "005010X223A2"
        name = f"{kind}_{billing}_{_d8(week)}.x12"
        control += 2
        p999 = out / f"999_{name}"
        p999.write_text(_999(control - 1, control_837 + n, sent, guide), encoding="ascii")
        p277 = out / f"277CA_{name}"
        day = sent + timedelta(days=1)
        p277.write_text(_277ca(control, batch, org, billing, day), encoding="ascii")
        paths += [p999, p277]
    return paths


def ack_summary(subs: list[Submission], *, files_999: int) -> dict[str, Any]:
    """Front-end figures for the profile: rejections, resubmissions, clean-claim rate."""
    sent = [s for s in subs if s.frequency == "1"]
    rejected = {s.claim.claim_id for s in sent if s.rejection}
    resent = {s.claim.claim_id for s in sent if s.rejection is None} & rejected
    originals = {s.claim.claim_id for s in sent}
    return {
        "transaction_sets_999": files_999,
        "sets_rejected_999": 0,
        "claims_acknowledged_277ca": len(subs),
        "claims_rejected_277ca": len(rejected),
        "rejected_then_resubmitted": len(resent),
        "clean_claim_rate": round(1 - len(rejected) / max(len(originals), 1), 4),
    }
