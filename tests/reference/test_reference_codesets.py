"""The bundled code sets load, are keyed the way claims carry codes, and stay licence-clean."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import pytest

from denialscope import reference
from denialscope.reference.build import build
from factories.shared import REFDATA_DIR

DATA = Path(reference.__file__).parent / "data"
SHARED = REFDATA_DIR


def test_icd10cm_keys_are_undotted_and_parents_resolve() -> None:
    codes = reference.icd10cm()
    assert len(codes) > 90_000
    hf = codes["I5020"]
    assert hf.dotted == "I50.20"
    assert hf.billable
    assert hf.parent == "I502"
    assert not codes["I50"].billable
    orphans = [c.code for c in codes.values() if c.parent is not None and c.parent not in codes]
    assert orphans == []
    billable = sum(1 for c in codes.values() if c.billable)
    assert 70_000 < billable < 80_000


def test_single_category_blocks_are_kept_once_as_category() -> None:
    b10 = reference.icd10cm()["B10"]
    assert b10.kind == "category"
    assert reference.icd10cm()[b10.parent or ""].kind == "chapter"


def test_normalize_icd() -> None:
    assert reference.normalize_icd(" j18.9 ") == "J189"


def test_msdrg_weights() -> None:
    weights = reference.msdrg_weights()
    pneumonia = weights["193"]
    assert pneumonia.mdc == "04"
    assert pneumonia.type == "MED"
    assert isinstance(pneumonia.weight, Decimal)
    assert pneumonia.weight > Decimal("1")
    assert pneumonia.gmlos is not None and pneumonia.amlos is not None
    assert pneumonia.gmlos <= pneumonia.amlos
    assert weights["999"].weight is None
    assert weights["871"].weight is not None and weights["872"].weight is not None
    assert weights["871"].weight > weights["872"].weight


def test_cc_mcc_mdc_pos_groups() -> None:
    assert reference.cc_mcc()["N179"] == "CC"
    assert set(reference.cc_mcc().values()) == {"CC", "MCC"}
    assert len(reference.mdc()) == 25
    assert reference.mdc()["05"].startswith("Diseases and Disorders of the Circulatory")
    pos = reference.place_of_service()
    assert pos["11"].name == "Office"
    assert pos["02"].telehealth and not pos["11"].telehealth
    assert set(reference.group_codes()) == {"CO", "CR", "OA", "PI", "PR"}


def test_carc_rarc_numbers_only() -> None:
    carc = reference.carc_numbers()
    rarc = reference.rarc_numbers()
    assert carc["50"] == "current"
    assert carc["15"] == "deactivated"
    assert rarc["N115"] == "current"
    assert {"current", "deactivated"} >= set(carc.values())
    # Licence: the files carry numbers and status, never X12's descriptions.
    for name in ("carc_numbers.csv", "rarc_numbers.csv"):
        header = DATA.joinpath(name).read_text(encoding="utf-8").splitlines()[0]
        assert header == "code,status"


def test_icd10pcs_codes_are_seven_characters() -> None:
    pcs = reference.icd10pcs_codes()
    assert "0SR9019" in pcs
    assert all(len(c) == 7 for c in pcs)


def test_bundle_is_small() -> None:
    total = sum(p.stat().st_size for p in DATA.iterdir() if p.is_file())
    assert total < 5_000_000


def test_loaders_are_cached() -> None:
    assert reference.icd10cm() is reference.icd10cm()


@pytest.mark.skipif(not SHARED.is_dir(), reason="research copies of refdata not present")
def test_build_reproduces_bundled_files(tmp_path: Path) -> None:
    build(SHARED, tmp_path)
    for produced in tmp_path.iterdir():
        bundled = DATA.joinpath(produced.name).read_bytes()
        made = produced.read_bytes()
        if produced.name.endswith(".gz"):
            bundled, made = gzip.decompress(bundled), gzip.decompress(made)
        assert made == bundled, produced.name


def test_icd10cm_validity_dates_by_fiscal_year() -> None:
    from datetime import date

    validity = reference.icd10cm_validity()
    assert validity["I10"] == ((date(2015, 10, 1), date(2027, 3, 31)),)
    assert validity["C7831"] == ((date(2026, 10, 1), date(2027, 3, 31)),)  # new in FY2027
    assert validity["I420"][-1][1] == date(2026, 9, 30)  # deleted for FY2027
    assert reference.icd10cm_coverage() == (date(2015, 10, 1), date(2027, 3, 31))
    # On an FY2026 date the table's billable codes are the FY2026 tabular list's leaves
    # (plus five three-character codes the flattened tabular marks as headers).
    day = date(2026, 6, 1)
    valid = {c for c, spans in validity.items() if any(s <= day <= e for s, e in spans)}
    tabular = {c.code for c in reference.icd10cm().values() if c.billable}
    assert tabular <= valid
    assert sorted(valid - tabular) == ["B20", "F99", "P84", "R99", "Z66"]


def test_icd10cm_validity_rebuilds_from_msdrg_byte_for_byte(tmp_path: Path) -> None:
    from denialscope.reference.build_validity import build_validity

    build_validity(tmp_path)
    name = "icd10cm_validity.csv.gz"
    assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes()


def test_validity_ranges_merge_only_when_contiguous() -> None:
    from datetime import date

    from denialscope.reference.build_validity import merged_ranges

    rows = [
        ("A1", date(2015, 10, 1), date(2024, 9, 30)),
        ("A1", date(2024, 10, 1), date(2027, 3, 31)),
        ("B2", date(2015, 10, 1), date(2018, 9, 30)),
        ("B2", date(2020, 10, 1), date(2027, 3, 31)),
    ]
    assert merged_ranges(iter(rows)) == [
        ("A1", date(2015, 10, 1), date(2027, 3, 31)),
        ("B2", date(2015, 10, 1), date(2018, 9, 30)),
        ("B2", date(2020, 10, 1), date(2027, 3, 31)),
    ]
