"""NCCI PTP and MUE loaders on synthetic files in the official layouts, and rule packs."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from denialscope.errors import ConfigurationError, InputError
from denialscope.scrub.mue import MueIndex, build_mue_index
from denialscope.scrub.ncci import PtpIndex, build_ptp_index
from denialscope.scrub.packs import parse_pack
from factories.ncci import MUE_HEADING, PTP_HEADING

ROWS = [
    "29880\t29870\t*\t19960101\t*\t0\tMisuse of column two code with column one code",
    "11042\t97597\t \t20150101\t20250101\t1\tStandards of medical / surgical practice",
    "11042\t97597\t \t20250101\t*\t9\tStandards of medical / surgical practice",
]


def _lookup(index: PtpIndex, one: str, two: str, day: date) -> int | None:
    [edit] = index.find([(one, two, day)])
    return None if edit is None else edit.modifier_indicator


def test_ptp_text_zip_of_parts(tmp_path: Path) -> None:
    archive = tmp_path / "ccipra-v321r0.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ccipra-v321r0-f1.txt", "\n".join([*PTP_HEADING, *ROWS[:2]]) + "\n")
        zf.writestr("ccipra-v321r0-f2.txt", "\n".join([*PTP_HEADING, ROWS[2]]) + "\n")
        zf.writestr("README.pdf", b"%PDF-1.4")
    assert build_ptp_index([archive], tmp_path / "ix") == 3
    index = PtpIndex(tmp_path / "ix")
    assert _lookup(index, "29880", "29870", date(2026, 1, 1)) == 0
    assert _lookup(index, "29870", "29880", date(2026, 1, 1)) is None  # order matters
    assert _lookup(index, "11042", "97597", date(2024, 6, 1)) == 1
    assert _lookup(index, "11042", "97597", date(2025, 6, 1)) == 9
    assert _lookup(index, "11042", "97597", date(2014, 6, 1)) is None


def test_ptp_xlsx(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([PTP_HEADING[0]])
    sheet.append(["Column 1", "Column 2", "*=in existence prior to 1996", "Effective Date"])
    sheet.append(["29880", "29870", "*", 19960101, "*", 0, "Misuse"])
    path = tmp_path / "ccioph-v321r0-f1.xlsx"
    book.save(path)
    assert build_ptp_index([path], tmp_path / "ix") == 1
    assert _lookup(PtpIndex(tmp_path / "ix"), "29880", "29870", date(2026, 1, 1)) == 0


def test_ptp_malformed_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "ccipra-v321r0-f1.txt"
    path.write_text("\n".join([*PTP_HEADING, ROWS[0], "29880\t29871\t*\t1996\t*\t0\tx"]) + "\n")
    with pytest.raises(InputError, match=r"ccipra-v321r0-f1.txt, line 4: effective date"):
        build_ptp_index([path], tmp_path / "ix")
    path.write_text("\n".join([*PTP_HEADING, ROWS[0], "29880\t29871\t*\t19960101\t*\t5\tx"]))
    with pytest.raises(InputError, match=r"line 4: modifier indicator '5'"):
        build_ptp_index([path], tmp_path / "ix")


def test_mue_csv_and_malformed(tmp_path: Path) -> None:
    path = tmp_path / "MCR_MUE_DMESupplierServices.csv"
    rows = ['"E0601","1","2 Date of Service Edit: Policy","Nature of Equipment"']
    path.write_text("\n".join([*MUE_HEADING, *rows]) + "\n", "utf-8")
    assert build_mue_index([path], tmp_path / "mue.json") == 1
    limit = MueIndex.open(tmp_path / "mue.json").get("E0601")
    assert limit is not None and (limit.value, limit.indicator, limit.per_line) == (1, 2, False)
    path.write_text("\n".join([*MUE_HEADING, *rows, '"E0602","1","Line Edit","x"']) + "\n")
    with pytest.raises(InputError, match=r"DMESupplierServices.csv, line 4: adjudication"):
        build_mue_index([path], tmp_path / "mue.json")


def test_no_rows_at_all(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n".join(PTP_HEADING) + "\n")
    with pytest.raises(InputError, match="no PTP edit rows"):
        build_ptp_index([path], tmp_path / "ix")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("payers:\n  '12345': {filing_limit_days: ninety}\n", "line 2, key 'payers.12345"),
        ("coverage:\n  - id: X\n    procedures: [82306]\n", "line 2, key 'coverage[0]'"),
        ("prior_auth:\n  - payer: '*'\n    procedures: []\n", "line 3, key 'prior_auth[0]"),
        ("thresholds:\n  filing_warn: 3\n", "line 2, key 'thresholds.filing_warn'"),
        ("colour: red\n", "line 1, key 'colour'"),
        ("payers: [\n", "line 2"),
    ],
)
def test_pack_errors_name_line_and_key(text: str, where: str) -> None:
    with pytest.raises(ConfigurationError, match="pack.yaml, " + where.replace("[", r"\[")):
        parse_pack(text, source="pack.yaml")


def test_pack_merge_keeps_explicit_thresholds() -> None:
    first = parse_pack("thresholds: {filing_warn_days: 3}\npayers: {'1': {filing_limit_days: 90}}")
    merged = first.merged(parse_pack("payers: {'2': {filing_limit_days: 30}}"))
    assert merged.threshold("filing_warn_days") == 3
    assert (merged.filing_limit("1"), merged.filing_limit("2"), merged.filing_limit("3")) == (
        90,
        30,
        365,
    )


def test_vectorised_reader_equals_row_reader(tmp_path: Path) -> None:
    from denialscope.scrub.ncci import _fast_part, _slow_part
    from denialscope.scrub.tables import Part

    rows = [*ROWS, "0001a\tG0480\t\t20200101\t20211231\t1\tRationale, with a comma\r"]
    part = Part("x.txt", "x.txt", ("\n".join([*PTP_HEADING, *rows, "", ""]) + "\n").encode())
    fast = _fast_part(part)
    assert fast is not None
    slow: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    _slow_part(part, slow)
    assert [list(column) for column in fast] == [list(column) for column in slow]
    assert fast[2].tolist()[-1] == 20211231 and fast[3].tolist() == [0, 1, 9, 1]


def test_code_ranges_membership_is_by_equal_length_text_ranges() -> None:
    from denialscope.scrub.code_ranges import CodeRanges, em_25_ranges

    ranges = CodeRanges.of([("36400", "36416"), ("10004", "20000"), ("36410", "36420")])
    assert ranges.starts == ("10004", "36400") and ranges.ends == ("20000", "36420")
    assert "36415" in ranges and "10004" in ranges and "36420" in ranges
    assert "20001" not in ranges and "10003" not in ranges and "G0168" not in ranges
    assert "1000" not in ranges and "" not in ranges
    procedures, exempt = em_25_ranges()
    assert "36415" in procedures and "36415" in exempt  # in the section, but exempt
    assert "85025" not in procedures  # labs are never on the list
    assert "97597" in procedures and "11042" not in exempt


def test_every_rule_category_says_which_denials_it_can_prevent() -> None:
    from denialscope.scrub.preventable import can_prevent, preventable_table
    from denialscope.scrub.registry import CATEGORIES

    assert set(preventable_table()) == set(CATEGORIES)
    assert can_prevent("duplicate", ["18"], [])
    assert not can_prevent("duplicate", ["97"], [])
    assert can_prevent("dx_specificity", ["16"], ["M81"])
    assert not can_prevent("dx_specificity", ["16"], ["N290"])  # CARC 16 alone is too broad
    assert can_prevent("missing_data", ["16"], [])  # ... but is what missing data causes
