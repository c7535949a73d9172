"""The x12 file report service: counts, totals, redacted diagnostics, unreadable files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from denialscope.x12 import report as report_service
from denialscope.x12.diagnostics import Diagnostic, Severity
from denialscope.x12.report import (
    FileReport,
    file_reports,
    read_file_report,
    report_json,
    shown_value,
    summary_facts,
)

ACK = Path(__file__).resolve().parent / "fixtures" / "ack"

# Two claims. Claim 1: charge 200, paid 100, CAS 90 (off by 10 at claim and line level), a
# claim DTM with an impossible date. Claim 2: status 77 (not in the guide), balanced.
# BPR02 150 = 100 + 50.
ISA = (
    "ISA*00*          *00*          *ZZ*SYNPAYER       *ZZ*SYNPROVIDER    "
    "*240115*1200*^*00501*000000104*0*T*:~\n"
)
REMIT = (
    ISA
    + """\
GS*HP*SYNPAYER*SYNPROVIDER*20240115*1200*104*X*005010X221A1~
ST*835*0001~
BPR*I*150*C*CHK************20240116~
TRN*1*CHK0000104*1512345678~
N1*PR*SYNTHETIC HEALTH PLAN~
N1*PE*SYNTHETIC CLINIC*XX*1234567893~
LX*1~
CLP*ACCT0001*1*200*100*0*12*PCN0000001*11*1~
NM1*QC*1*DOEPATIENT*JANE****MI*MEMBER0001~
DTM*232*20241399~
SVC*HC:99213*200*100**1~
CAS*CO*45*90~
CLP*ACCT0002*77*80*50*0*12*PCN0000002*11*1~
NM1*QC*1*ROEPATIENT*JOHN****MI*MEMBER0002~
SVC*HC:99212*80*50**1~
CAS*CO*45*30~
SE*16*0001~
GE*1*104~
IEA*1*000000104~
"""
)
PATIENT_DATA = ("DOEPATIENT", "ROEPATIENT", "JANE", "MEMBER0001", "20241399")


@pytest.fixture
def remit(tmp_path: Path) -> Path:
    path = tmp_path / "remit.835"
    path.write_text(REMIT, encoding="ascii")
    return path


def test_counts_and_totals_of_an_835(remit: Path) -> None:
    report = read_file_report(path=remit)
    assert report.error is None and report.summary is not None
    s = report.summary
    assert (s.transaction, s.version) == ("835", "005010X221A1")
    assert (s.interchanges, s.groups, s.transactions) == (1, 1, 1)
    assert (s.claims, s.service_lines, s.adjustments, s.provider_adjustments) == (2, 2, 2, 0)
    assert (s.total_charge, s.total_paid, s.total_payment) == (
        Decimal(280),
        Decimal(150),
        Decimal(150),
    )


def test_diagnostics_are_positioned_and_redacted(remit: Path) -> None:
    report = read_file_report(path=remit)
    by_rule = {d.rule: d for d in report.diagnostics}
    assert set(by_rule) == {
        "element.date",
        "balance.service",
        "balance.claim",
        "remit835.claim_status",
    }
    assert (report.errors, report.warnings, report.total_diagnostics) == (3, 1, 4)
    date = by_rule["element.date"]
    assert (date.segment_index, date.where, date.value) == (11, "DTM02", "99999999")
    status = by_rule["remit835.claim_status"]
    assert (status.segment_index, status.where, status.value) == (14, "CLP02", "77")
    assert (status.interchange, status.transaction, status.severity) == (
        "000000104",
        "0001",
        "warning",
    )
    assert by_rule["balance.claim"].value == "10"  # off by 10.00: an amount, shown as read
    text = repr(report) + json.dumps(report_json(report))
    assert not [p for p in PATIENT_DATA if p in text]


def test_report_json_money_as_exact_strings(remit: Path) -> None:
    data = report_json(read_file_report(path=remit))
    assert (data["total_charge"], data["total_paid"], data["total_payment"]) == (
        "280",
        "150",
        "150",
    )
    assert (data["errors"], data["warnings"], data["diagnostics_dropped"]) == (3, 1, 0)
    assert data["diagnostics"][0] == {
        "severity": "error",
        "rule": "element.date",
        "segment_index": 11,
        "offset": 408,
        "segment_id": "DTM",
        "element": 2,
        "value": "99999999",
        "interchange": "000000104",
        "transaction": "0001",
        "message": "DTM02 should be a date (CCYYMMDD) and is not.",
    }
    json.dumps(data)  # plain types only


def test_summary_facts_follow_the_transaction_type(remit: Path) -> None:
    remit_summary = read_file_report(path=remit).summary
    assert remit_summary is not None
    facts = summary_facts(remit_summary)
    assert [f.key for f in facts] == [
        "transaction",
        "version",
        "interchanges",
        "transactions",
        "claims",
        "service_lines",
        "adjustments",
        "provider_adjustments",
        "total_charge",
        "total_paid",
        "total_payment",
    ]
    assert facts[-1].label == "total payment (BPR02)" and facts[-1].value == Decimal(150)
    ack = read_file_report(path=ACK / "999_mixed.x12").summary
    assert ack is not None
    keys = [f.key for f in summary_facts(ack)]
    assert keys[-2:] == ["accepted", "rejected"]
    assert "adjustments" not in keys and "total_paid" not in keys
    assert {f.key: f.value for f in summary_facts(ack)}["rejected"] == 1


def test_unreadable_files_are_reports_and_the_others_still_read(
    remit: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.x12"
    empty.write_bytes(b"")
    csv = tmp_path / "claims.csv"
    csv.write_text("claim,patient\nC1,SMITH\n")
    folder = tmp_path / "nothing"
    folder.mkdir()
    missing = tmp_path / "missing.x12"
    reports = list(file_reports(paths=[empty, csv, folder, missing, remit]))
    assert [r.file for r in reports] == [str(p) for p in (empty, csv, folder, missing, remit)]
    assert reports[0].error == "the file is empty"
    assert reports[1].error is not None and reports[1].error.startswith("not an X12 file")
    assert reports[1].error_offset == 0 and "SMITH" not in reports[1].error
    assert reports[2].error == "a folder with no files to read"
    assert reports[3].error is not None and reports[3].error.startswith("cannot open")
    assert reports[4].error is None and reports[4].summary is not None
    assert report_json(reports[2]) == {
        "file": str(folder),
        "error": reports[2].error,
        "offset": None,
    }


def test_a_reader_bug_is_a_report_without_the_exception_text(
    remit: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("NM1*QC*1*DOEPATIENT*JANE")

    monkeypatch.setattr(report_service, "open_x12", broken)
    report = read_file_report(path=remit)
    assert report.error == "denialscope failed while reading (KeyError); please report it"


def test_an_error_report_counts_nothing() -> None:
    report = FileReport(file="f", error="the file is empty")
    assert (report.errors, report.warnings, report.total_diagnostics) == (0, 0, 0)


def _diag(rule: str, value: str, segment_id: str = "CLP") -> Diagnostic:
    return Diagnostic(Severity.ERROR, rule, "m", "f", segment_id=segment_id, value=value)


@pytest.mark.parametrize(
    ("diagnostic", "shown"),
    [
        (_diag("envelope.se_count", "12", "SE"), "12"),
        (_diag("element.amount", "12x"), "12x"),
        (_diag("element.date", "19800231", "DMG"), None),  # a birth date
        (_diag("element.date", "20240231", "DTP"), None),  # a date of service
        (_diag("element.date", "20240231", "BPR"), "99999999"),  # masked: only its shape
        (_diag("element.required", "SMITH", "CLP"), "XXXXX"),
        (_diag("envelope.control", "NM1|QC|1|DOE|JANE", "GS"), "XX9|XX|9|XXX|XXXX"),
        (_diag("remit835.claim_status", "99"), "99"),
        (_diag("claim837.missing_patient", "SMITH"), "XXXXX"),
        (_diag("element.required", "x"), "X"),
        (_diag("envelope.unsupported", "PAT", "NM1"), None),  # never from a name segment
    ],
)
def test_shown_value_rule(diagnostic: Diagnostic, shown: str | None) -> None:
    assert shown_value(diagnostic) == shown
