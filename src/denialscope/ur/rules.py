"""The UR rules per payer (``ur.yaml``) and the inpatient-only list, shipped as data and
replaced by the organization's files in the data directory."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from denialscope.errors import ConfigurationError

__all__ = ["PayerRules", "RuleBook", "inpatient_only", "load_rules"]


@dataclass(frozen=True, slots=True)
class PayerRules:
    admission_review_hours: int | None
    checkpoint_before_gmlos_days: int | None
    outlier_after_amlos: bool
    observation_hours: tuple[int, ...]
    two_midnight: bool
    inpatient_only_check: bool
    concurrent_review_days: tuple[int, ...]
    concurrent_review_every: int | None
    p2p_window_hours: int | None
    base_rate: Decimal
    observation_payment: Decimal
    unknown_drg_weight: Decimal


_KEYS = {f.name for f in fields(PayerRules)}


def _convert(name: str, key: str, value: Any) -> Any:
    def bad(what: str) -> ConfigurationError:
        return ConfigurationError(f"{name}: {key}: expected {what}, got {value!r}", file=name,
                                  key=key)  # fmt: skip

    field = key.rsplit(".", 1)[-1]
    if field in ("outlier_after_amlos", "two_midnight", "inpatient_only_check"):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if field in ("observation_hours", "concurrent_review_days"):
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
        ):
            raise bad("a list of positive whole numbers")
        return tuple(sorted(value))
    if field in ("base_rate", "observation_payment", "unknown_drg_weight"):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise bad("a number") from None
        if isinstance(value, bool) or amount < 0:
            raise bad("a number of zero or more")
        return amount
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise bad("a whole number of zero or more, or null")
    return value


def _section(name: str, where: str, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{name}: {where}: expected a mapping", file=name, key=where)
    out = {}
    for key, value in raw.items():
        if key not in _KEYS:
            raise ConfigurationError(
                f"{name}: {where}.{key}: unknown setting (known: {', '.join(sorted(_KEYS))})",
                file=name, key=f"{where}.{key}",
            )  # fmt: skip
        out[key] = _convert(name, f"{where}.{key}", value)
    return out


@dataclass(frozen=True, slots=True)
class RuleBook:
    default: dict[str, Any]
    kinds: dict[str, dict[str, Any]]
    payers: dict[str, dict[str, Any]]
    source: str

    def for_payer(
        self, *, kind: str | None, payer_id: str | None, name: str | None, two_midnight: bool | None
    ) -> PayerRules:
        """The rules of one payer: default, then its kind, then its own entry."""
        merged = {**self.default, **self.kinds.get(kind or "", {})}
        for ident in (payer_id, name):
            if ident and ident.upper() in self.payers:
                merged.update(self.payers[ident.upper()])
                break
        if two_midnight:  # the payer is marked as following the rule (orgs: two_midnight)
            merged["two_midnight"] = True
        return PayerRules(**merged)


def _read(name: str, text: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigurationError(f"{name}:{line} is not valid YAML", file=name) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) or set(raw) - {"default", "kinds", "payers"}:
        raise ConfigurationError(
            f"{name}: expected the sections default, kinds and payers", file=name
        )
    default = _section(name, "default", raw.get("default"))
    kinds = {str(k): _section(name, f"kinds.{k}", v) for k, v in (raw.get("kinds") or {}).items()}
    payers = {
        str(k).upper(): _section(name, f"payers.{k}", v)
        for k, v in (raw.get("payers") or {}).items()
    }
    return default, kinds, payers


def load_rules(*, path: Path | None = None) -> RuleBook:
    """The shipped rules, with the organization's ``ur.yaml`` (when ``path`` exists) laid
    over them key by key: the organization writes only what differs."""
    shipped = resources.files("denialscope.ur").joinpath("defaults/ur.yaml").read_text("utf-8")
    default, kinds, payers = _read("ur.yaml (shipped)", shipped)
    source = "ur.yaml (shipped)"
    if path is not None and path.is_file():
        source = str(path)
        own_default, own_kinds, own_payers = _read(source, path.read_text(encoding="utf-8"))
        default.update(own_default)
        for kind, values in own_kinds.items():
            kinds[kind] = {**kinds.get(kind, {}), **values}
        payers.update(own_payers)
    missing = _KEYS - set(default)
    if missing:
        raise ConfigurationError(
            f"{source}: default: missing {', '.join(sorted(missing))}", file=source, key="default"
        )
    return RuleBook(default=default, kinds=kinds, payers=payers, source=source)


def inpatient_only(*, path: Path | None = None) -> frozenset[str]:
    """CPT/HCPCS codes Medicare pays only as inpatient (the organization's file if present)."""
    if path is not None and path.is_file():
        name, text = str(path), path.read_text(encoding="utf-8")
    else:
        name = "inpatient_only.csv (shipped)"
        text = (
            resources.files("denialscope.ur")
            .joinpath("defaults/inpatient_only.csv")
            .read_text("utf-8")
        )
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "code" not in reader.fieldnames:
        raise ConfigurationError(f"{name}: expected a header with a code column", file=name)
    return frozenset(
        row["code"].strip().upper() for row in reader if (row.get("code") or "").strip()
    )
