"""No patient data in diagnostics: segment ids alone, values masked unless they are codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from denialscope.x12.diagnostics import DiagnosticSink, mask_value, safe_segment_id, shape

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *250101*1200*^*00501"
    "*000000001*0*T*:~"
)
PHI = ("DOE", "JANE", "MBR12345", "19751224", "20251311")


def _body(element: str) -> str:
    segments = [
        "GS*HC*SENDER*RECEIVER*20250101*1200*1*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        "BHT*0019*00*1*20250101*1200*CH",
        "NM1*41*2*CLINIC*****46*1",
        "NM1*40*2*PAYER*****46*2",
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JANE****MI*MBR12345",
        "DMG*D8*19751224*F",
        "NM1*PR*2*PAYER*****PI*2",
        "CLM*ACCT1*100***11:B:1*Y*A*Y*Y",
        "HI*ABK:R51",
        "LX*1",
        "SV1*HC:99213*100*UN*1***1",
        "DTP*472*D8*20251311",
        "SE*18*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    return "~".join(s.replace("*", element) for s in segments) + "~"


def test_segment_id_alone_and_values_by_shape() -> None:
    assert safe_segment_id("NM1|QC|1|DOE|JANE||||MI|X") == "NM1"
    assert safe_segment_id("CLP") == "CLP"
    assert shape("19751224") == "99999999"
    assert shape("DOE, JANE") == "XXX, XXXX"
    assert mask_value("remit835.claim_status", "CLP", "22") == "22"
    assert mask_value("element.date", "DTP", "20251311") == "99999999"
    assert mask_value("envelope.control", "GS", "NM1|QC|DOE") == "XX9|XX|XXX"
    assert mask_value("remit835.code_value", "NM1", "ZZ") == "ZZ"  # a qualifier
    assert mask_value("remit835.code_value", "NM1", "SMITH") == "XXXXX"


def test_the_sink_masks_message_segment_and_value() -> None:
    sink = DiagnosticSink("f.837")
    sink.warning(
        "envelope.outside_transaction",
        "Segment NM1|QC|1|DOE|JANE is outside any transaction set; skipped.",
        segment_id="NM1|QC|1|DOE|JANE",
    )
    sink.error("element.date", "DTP03 20251311 is not a date.", segment_id="DTP", value="20251311")
    first, second = sink.items
    assert first.segment_id == "NM1" and "DOE" not in first.message
    assert first.message == "Segment NM1… is outside any transaction set; skipped."
    assert second.value == "99999999" and second.message == "DTP03 99999999 is not a date."
    assert "20251311" not in json.dumps(second.to_dict())


def test_parse_prints_no_patient_data_with_wrong_separators(tmp_path: Path) -> None:
    from denialscope.cli.main import _register, app

    _register()
    runner = CliRunner()
    # The ISA declares "*" but the body is split by "|": every segment is one long "id".
    wrong = tmp_path / "wrong.837"
    wrong.write_text(ISA + _body("|"), encoding="utf-8")
    # Right separators, a bad date of service: the date must not be echoed.
    bad_date = tmp_path / "bad_date.837"
    bad_date.write_text(ISA + _body("*"), encoding="utf-8")
    for path in (wrong, bad_date):
        for extra in ([], ["--json"]):
            result = runner.invoke(app, ["parse", *extra, str(path)], env={"COLUMNS": "200"})
            assert result.exit_code in (0, 2), result.output
            assert not [p for p in PHI if p in result.output], result.output
    dated = runner.invoke(app, ["parse", "--json", str(bad_date)])
    (date,) = [d for d in json.loads(dated.output)["diagnostics"] if d["rule"] == "element.date"]
    assert date["segment_id"] == "DTP" and date["element"] == 3  # where, without the value
    shown = runner.invoke(app, ["parse", "--json", str(wrong)])
    segments = {d["segment_id"] for d in json.loads(shown.output)["diagnostics"]}
    assert "NM1" in segments and all(len(s) <= 3 for s in segments if s)
