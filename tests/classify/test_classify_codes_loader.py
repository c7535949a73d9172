"""Loading the official CARC/RARC lists from the user's download (synthetic files, our text)."""

from __future__ import annotations

import csv
import importlib
from datetime import datetime
from pathlib import Path

import pytest

from denialscope.classify.codes import (
    install_official_list,
    official_code,
    official_codes,
    read_official_list,
)
from denialscope.errors import InputError

# Synthetic descriptions: placeholders in the official layout, never the X12 text.
CARC_ROWS = [
    ["Code", "Description", "Start", "Last Modified", "Stop"],
    ["16", "Synthetic text for sixteen.", "01/01/1995", "03/01/2024", ""],
    ["50", "Synthetic text for fifty.", "01/01/1995", "", ""],
    ["B7", "Synthetic text for B7.", "1997-02-28", "", ""],
    ["62", "Synthetic retired code.", "01/01/1995", "", "04/01/2018"],
]
RARC_ROWS = [
    ["RARC", "Code Description", "Effective Date", "Deactivation Date"],
    ["M51", "Synthetic remark M51.", "01/01/1997", ""],
    ["MA130", "Synthetic remark MA130.", "01/01/1997", ""],
    ["N706", "Synthetic remark N706.", "2015-07-01", ""],
]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    openpyxl = importlib.import_module("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_csv_carc_list(tmp_path: Path) -> None:
    listing = read_official_list(_csv(tmp_path / "carc.csv", CARC_ROWS))
    assert listing.kind == "carc"
    assert list(listing.codes) == ["16", "50", "B7", "62"]
    assert listing.codes["16"].modified == "2024-03-01"
    assert listing.codes["62"].stop == "2018-04-01"
    assert listing.codes["B7"].start == "1997-02-28"


def test_csv_rarc_list_with_title_rows_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "rarc.csv"
    text = "Remittance Advice Remark Codes\nDownloaded for testing\n\n"
    text += "\n".join(",".join(row) for row in RARC_ROWS) + "\n"
    path.write_text("\ufeff" + text, encoding="utf-8")
    listing = read_official_list(path)
    assert listing.kind == "rarc"
    assert listing.codes["MA130"].description == "Synthetic remark MA130."
    assert listing.codes["N706"].start == "2015-07-01"


def test_xlsx_list_with_numbers_and_dates(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Code", "Description", "Start", "Stop"],
        [16, "Synthetic text for sixteen.", datetime(1995, 1, 1), None],
        ["P1", "Synthetic text for P1.", datetime(2016, 7, 1), None],
    ]
    listing = read_official_list(_xlsx(tmp_path / "carc.xlsx", rows))
    assert listing.kind == "carc"
    assert listing.codes["16"].start == "1995-01-01"
    assert "P1" in listing.codes


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [*CARC_ROWS[:3], ["ABC-1", "bad", "", "", ""]],
            "row 4: 'ABC-1' is neither a CARC nor a RARC code",
        ),
        ([*CARC_ROWS[:2], ["M51", "remark in a CARC list", "", "", ""]], "row 3: 'M51' is a RARC"),
        ([*CARC_ROWS[:2], ["50", "", "", "", ""]], "row 3: code 50 has no description"),
        ([*CARC_ROWS[:2], ["", "orphan text", "", "", ""]], "row 3: the code is empty"),
        ([*CARC_ROWS[:3], ["16", "again", "", "", ""]], "row 4: code 16 already given on row 2"),
        ([["Reason", "Text"], ["16", "x"]], "no header row with a Code and a Description"),
        ([CARC_ROWS[0]], "has a header but no codes"),
    ],
)
def test_malformed_csv_names_file_and_row(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    path = _csv(tmp_path / "list.csv", rows)
    with pytest.raises(InputError) as caught:
        read_official_list(path)
    assert str(path) in caught.value.message
    assert message in caught.value.message


def test_malformed_xlsx_names_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Code", "Description"], ["N115", "ok"], ["N??", "broken"]]
    path = _xlsx(tmp_path / "rarc.xlsx", rows)
    with pytest.raises(InputError, match=r"rarc\.xlsx: row 3: 'N\?\?'"):
        read_official_list(path)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match=r"not a readable \.xlsx workbook"):
        read_official_list(path)


def test_install_and_read_back(tmp_path: Path, data_dir: Path) -> None:
    assert official_codes("carc", data=data_dir) == {}
    assert official_codes("carc", data=None) == {}  # no data directory: nothing loaded
    listing, target = install_official_list(_csv(tmp_path / "carc.csv", CARC_ROWS), data=data_dir)
    assert target == data_dir / "codes" / "carc.json"
    assert len(listing.codes) == 4
    entry = official_code("carc", " b7 ", data=data_dir)
    assert entry is not None and entry.description == "Synthetic text for B7."
    # Loading again replaces the list.
    install_official_list(_csv(tmp_path / "carc2.csv", CARC_ROWS[:2]), data=data_dir)
    assert set(official_codes("carc", data=data_dir)) == {"16"}
    target.write_text("{broken", encoding="utf-8")
    with pytest.raises(InputError, match="damaged"):
        official_codes("carc", data=data_dir)
