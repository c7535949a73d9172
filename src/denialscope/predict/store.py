"""Models as versioned folders in the data directory.

    <data dir>/models/<name>/<version>/model_1.txt   LightGBM text models (P(denial)
                                      ... model_5.txt  scores): the cross-fit's members,
                                                    listed in meta.json ``members``
                                                    (model.txt: one model, older versions
                                                    and the appeal-outcome model)
                                      causes.txt    root-cause model (when learned)
                                      meta.json     training window, features, vocabulary,
                                                    calibration, cause classes, metrics

Versions are numbered v0001, v0002 ... (``train`` adds one); the highest is the one in use.
A folder is written under a temporary name and renamed, so a reader never sees half a model.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from denialscope.errors import InputError

__all__ = ["ModelFiles", "ModelStoreError", "latest", "next_version", "save", "versions"]

RISK_MODEL = "denial_risk"


class ModelStoreError(InputError):
    """A model folder that cannot be read."""


@dataclass(frozen=True, slots=True)
class ModelFiles:
    name: str
    version: str
    folder: Path
    meta: dict[str, Any]

    def text(self, file: str) -> str | None:
        path = self.folder / file
        return path.read_text(encoding="utf-8") if path.is_file() else None


def _root(data_dir: Path, name: str) -> Path:
    return data_dir / "models" / name


def versions(data_dir: Path, name: str = RISK_MODEL) -> list[str]:
    root = _root(data_dir, name)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("v"))


def next_version(data_dir: Path, name: str = RISK_MODEL) -> str:
    found = versions(data_dir, name)
    number = int(found[-1][1:]) + 1 if found else 1
    return f"v{number:04d}"


def save(
    data_dir: Path, *, name: str = RISK_MODEL, texts: dict[str, str], meta: dict[str, Any]
) -> ModelFiles:
    """Write a new version; returns where it went."""
    version = next_version(data_dir, name)
    root = _root(data_dir, name)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{version}.tmp{os.getpid()}"
    tmp.mkdir()
    meta = {
        **meta,
        "name": name,
        "version": version,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    for file, text in texts.items():
        (tmp / file).write_text(text, encoding="utf-8")
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    tmp.rename(root / version)
    return ModelFiles(name, version, root / version, meta)


def latest(data_dir: Path, name: str = RISK_MODEL, version: str | None = None) -> ModelFiles | None:
    """The newest version (or the one asked for); None when none was trained."""
    found = versions(data_dir, name)
    if version is not None:
        if version not in found:
            where = _root(data_dir, name)
            raise ModelStoreError(f"no version {version} of model {name} in {where}")
        found = [version]
    if not found:
        return None
    folder = _root(data_dir, name) / found[-1]
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelStoreError(f"{folder / 'meta.json'}: cannot read the model ({exc})") from exc
    return ModelFiles(name, found[-1], folder, meta)
