"""The xlsx and PDF renderers every domain uses (output/xlsx.py, output/pdf.py): cheap to
import, numbers stay numbers, text never becomes a formula, a PDF reads only its assets."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from denialscope.errors import ConfigurationError
from denialscope.output.pdf import html_to_pdf
from denialscope.output.values import NUMBER_FORMATS
from denialscope.output.xlsx import workbook_bytes, write_xlsx


def test_importing_the_renderers_loads_no_openpyxl_weasyprint_or_sqlalchemy() -> None:
    code = (
        "import sys, denialscope.output.pdf, denialscope.output.xlsx, denialscope.output.pages;"
        "print(sorted(m for m in ('openpyxl', 'weasyprint', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"


def test_a_workbook_keeps_money_as_numbers_and_formulas_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    rows = [{"payer": "=HYPERLINK(1)", "denied_amount": Decimal("1234.50"), "claims": 3}]
    book = load_workbook(io.BytesIO(workbook_bytes(rows, title="Denials: [Q1]")))
    sheet = book.active
    assert sheet.title == "Denials Q1"
    assert [c.value for c in sheet[1]] == ["payer", "denied_amount", "claims"]
    payer, amount, claims = sheet[2]
    assert (payer.value, payer.data_type, payer.quotePrefix) == ("=HYPERLINK(1)", "s", True)
    assert (amount.value, amount.number_format) == (1234.5, NUMBER_FORMATS["money"])
    assert claims.value == 3
    target = tmp_path / "out.xlsx"
    write_xlsx(rows, target, title="x")
    assert target.read_bytes()[:2] == b"PK"
    assert target.stat().st_mode & 0o077 == 0  # owner-only


def test_a_pdf_is_printed_and_may_not_read_outside_its_assets(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "style.css").write_text("p { color: black }", encoding="utf-8")
    page = '<html><head><link rel="stylesheet" href="style.css"></head><body><p>Hi</p></body>'
    assert html_to_pdf(page, assets=assets).startswith(b"%PDF")
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    outside = f'<html><body><link rel="attachment" href="file://{tmp_path}/secret.txt"></body>'
    with pytest.raises(ConfigurationError, match="may only use the images and stylesheets"):
        html_to_pdf(outside, assets=assets)
