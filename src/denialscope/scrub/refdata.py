"""Where the loaded official edit tables live in the data directory, and how to open them."""

from __future__ import annotations

from pathlib import Path

from denialscope.scrub.mue import MueIndex
from denialscope.scrub.ncci import PtpIndex

__all__ = ["mue_path", "ncci_folder", "open_mue", "open_ncci"]


def ncci_folder(data_dir: Path, setting: str) -> Path:
    return data_dir / "refdata" / "ncci" / setting


def mue_path(data_dir: Path, setting: str) -> Path:
    return data_dir / "refdata" / "mue" / f"{setting}.json"


def open_ncci(data_dir: Path) -> dict[str, PtpIndex]:
    """Every PTP index loaded in ``data_dir`` by setting (none loaded: empty)."""
    out = {}
    for setting in ("practitioner", "outpatient"):
        folder = ncci_folder(data_dir, setting)
        if (folder / "keys.npy").is_file():
            out[setting] = PtpIndex(folder)
    return out


def open_mue(data_dir: Path) -> dict[str, MueIndex]:
    """Every MUE table loaded in ``data_dir`` by setting (none loaded: empty)."""
    return {
        setting: MueIndex.open(mue_path(data_dir, setting))
        for setting in ("practitioner", "outpatient", "dme")
        if mue_path(data_dir, setting).is_file()
    }
