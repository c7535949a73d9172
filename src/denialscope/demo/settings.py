"""Demo settings: the generator's proportions from a YAML file (``denialscope demo --settings``).

The demo's mix (payer denial rates, encounter and service factors, stream shares, Medicare
Advantage behaviour, planted signal strengths, miscoding and lifecycle rates) lives in module
tables of ``denial_model``, ``inpatient`` and ``lifecycle``. A settings file changes any of
them for one run; the ground truth is computed from the same tables, so it follows. Every
key and sub-key is checked against the tables it changes (a typo is an error naming the file
and key, never a silently ignored setting), and the tables are restored after the run.

    payer_base_rates: {MCR: 0.06, MAH: 0.12}           # per payer code (org.yaml)
    encounter_factors: {inpatient: 1.4}
    family_factors: {advanced_imaging: 1.5}
    department_factors: {RMC-ORTH: 2.2}                # a department's true excess
    stream_shares: {other: {access: 0.45}}             # per setting (inpatient, other)
    medicare_advantage_factors: {level_of_care: 3.0}
    signals: {ed_template_v2: 120}                     # planted signal multipliers
    miscoding_rate: 0.05                               # inpatient combination-code miscodings
    lifecycle_rates: {appeal: 0.5, front_end_reject: 0.03}
    near_certain: {late_filing_rate: 0.01, timely_filing_p: 0.99}  # demo/certain.py
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from denialscope.demo import certain, denial_model, inpatient, lifecycle
from denialscope.errors import InputError

__all__ = ["SETTING_KEYS", "demo_settings", "load_settings"]

# key -> (module, table name): the flat tables a setting updates (known sub-keys only).
_TABLES: dict[str, tuple[Any, str]] = {
    "payer_base_rates": (denial_model, "BASE"),
    "encounter_factors": (denial_model, "ENCOUNTER"),
    "family_factors": (denial_model, "FAMILY"),
    "medicare_advantage_factors": (denial_model, "MA_CAUSE"),
    "lifecycle_rates": (lifecycle, "RATES"),
    "near_certain": (certain, "NEAR_CERTAIN"),
}
# Rates that are probabilities must stay in [0, 1]; factors only need to be >= 0.
_PROBABILITIES = frozenset(
    {"payer_base_rates", "lifecycle_rates", "miscoding_rate", "near_certain"}
)
SETTING_KEYS = (
    *_TABLES,
    "department_factors",
    "stream_shares",
    "signals",
    "miscoding_rate",
)


def _number(value: Any, where: str, *, probability: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: expected a number, got {value!r}")
    number = float(value)
    if number < 0 or (probability and number > 1):
        limits = "between 0 and 1" if probability else "0 or more"
        raise InputError(f"{where}: expected a number {limits}, got {value!r}")
    return number


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a mapping of names to numbers")
    return value


def _known(value: Mapping[str, Any], known: Mapping[str, Any] | set[str], where: str) -> None:
    unknown = sorted(set(map(str, value)) - set(known))
    if unknown:
        raise InputError(
            f"{where}: unknown name(s) {', '.join(unknown)}; expected one of "
            f"{', '.join(sorted(known))}"
        )


def load_settings(path: Path) -> dict[str, Any]:
    """Read and check a settings file; the checked values, ready for :func:`demo_settings`."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InputError(f"{path}: cannot read the demo settings: {error}") from error
    raw = raw or {}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of settings at the top")
    _known(raw, set(SETTING_KEYS), str(path))
    checked: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{path}: {key}"
        probability = key in _PROBABILITIES
        if key == "miscoding_rate":
            checked[key] = _number(value, where, probability=True)
        elif key in _TABLES:
            module, name = _TABLES[key]
            table = getattr(module, name)
            _known(_mapping(value, where), table, where)
            checked[key] = {
                str(k): _number(v, f"{where}.{k}", probability=probability)
                for k, v in value.items()
            }
        elif key == "department_factors":
            checked[key] = {
                str(k): _number(v, f"{where}.{k}", probability=False)
                for k, v in _mapping(value, where).items()
            }
        elif key == "stream_shares":
            shares = denial_model.STREAM_SHARE
            _known(_mapping(value, where), shares, where)
            checked[key] = {}
            for setting, streams in value.items():
                inner = f"{where}.{setting}"
                _known(_mapping(streams, inner), shares[setting], inner)
                checked[key][setting] = {
                    str(s): _number(v, f"{inner}.{s}", probability=True) for s, v in streams.items()
                }
        elif key == "signals":
            ids = {s.id for s in denial_model.SIGNALS}
            _known(_mapping(value, where), ids, where)
            checked[key] = {
                str(k): _number(v, f"{where}.{k}", probability=False) for k, v in value.items()
            }
    return checked


@contextmanager
def demo_settings(settings: Mapping[str, Any] | None) -> Iterator[None]:
    """Apply checked settings to the generator's tables for the ``with`` block only."""
    if not settings:
        yield
        return
    saved_tables = {
        name: dict(getattr(module, name)) for module, name in _TABLES.values()
    }  # fmt: skip
    saved_departments = dict(denial_model.DEPARTMENT)
    saved_shares = {k: dict(v) for k, v in denial_model.STREAM_SHARE.items()}
    saved_signals = denial_model.SIGNALS
    saved_miscoding = inpatient.MISCODING_RATE
    try:
        for key, (module, name) in _TABLES.items():
            getattr(module, name).update(settings.get(key, {}))
        denial_model.DEPARTMENT.update(settings.get("department_factors", {}))
        for setting, streams in settings.get("stream_shares", {}).items():
            denial_model.STREAM_SHARE[setting].update(streams)
        strengths = settings.get("signals", {})
        denial_model.SIGNALS = tuple(
            dataclasses.replace(s, multiplier=strengths.get(s.id, s.multiplier))
            for s in denial_model.SIGNALS
        )
        if "miscoding_rate" in settings:
            inpatient.MISCODING_RATE = settings["miscoding_rate"]
        yield
    finally:
        for module, name in _TABLES.values():
            table = getattr(module, name)
            table.clear()
            table.update(saved_tables[name])
        denial_model.DEPARTMENT.clear()
        denial_model.DEPARTMENT.update(saved_departments)
        for setting, streams in saved_shares.items():
            denial_model.STREAM_SHARE[setting].clear()
            denial_model.STREAM_SHARE[setting].update(streams)
        denial_model.SIGNALS = saved_signals
        inpatient.MISCODING_RATE = saved_miscoding
