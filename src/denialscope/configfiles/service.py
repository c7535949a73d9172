"""The organization's configuration files: view, validate, install (previous version kept).

Three files in the data directory override what denialscope ships: the classification
mapping (``classification.yaml``, over ``classify/defaults/classification.yaml``), the scrub
rule pack (``scrub_pack.yaml``, no shipped pack) and the work-queue / rework configuration
(``workqueue.yaml``, over ``workqueue/defaults.yaml``). Each is validated by the very loader
that reads it in production (so a file that validates here is a file ingest, scrub and the
queues accept), and only a valid file is installed: written whole, with the version it
replaces copied to ``config_history/`` first. The web's administration pages call these.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from denialscope.errors import ConfigurationError, InputError
from denialscope.files import ensure_private_dir, write_atomic
from denialscope.settings import Settings

__all__ = [
    "HISTORY_SUBDIR",
    "KINDS",
    "ConfigKind",
    "ConfigValidation",
    "ConfigView",
    "InstalledConfig",
    "config_kind",
    "config_view",
    "install_config",
    "validate_config",
]

HISTORY_SUBDIR: Final = "config_history"
MAX_CONFIG_BYTES: Final = 5_000_000  # a mapping is a few hundred KB; more is a wrong file
_LINE_IN_TEXT = re.compile(r"line (\d+)")
# A key path at the start of a loader message: "decision_tree.coding[2].min_dollars: ..."
_KEY_PATH = re.compile(r"^([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*): ")
_PATH_PART = re.compile(r"\.?([\w-]+)|\[(\d+)\]")
# What a loader that checks shapes loosely raises on a file of the wrong shape: refused too.
_SHAPE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, ArithmeticError)


@dataclass(frozen=True, slots=True)
class ConfigKind:
    """One kind of configuration file: where it lives and how it is checked."""

    key: str  # "mapping", "rule-packs", "workqueue": the page's path
    title: str
    filename: str  # in the data directory
    shipped: Path | None  # the defaults it is laid over (None: nothing shipped)
    # Loads the file as production does (None: the shipped defaults alone); a summary line.
    check: Callable[[Path | None, Settings], str]

    def target(self, settings: Settings) -> Path:
        return settings.data_dir / self.filename


def _check_mapping(path: Path | None, _settings: Settings) -> str:
    from denialscope.classify.config import load_config

    config = load_config([] if path is None else [path])
    return (
        f"{len(config.rules):,} rules, {len(config.routes):,} routes, "
        f"{len(config.root_causes):,} root causes; configuration {config.version}"
    )


def _check_pack(path: Path | None, _settings: Settings) -> str:
    from denialscope.scrub.packs import load_pack

    pack = load_pack(*([] if path is None else [path]))
    return (
        f"{len(pack.payers):,} payers, {len(pack.prior_auth):,} prior-authorization lists, "
        f"{len(pack.coverage):,} coverage policies, {len(pack.code_lists):,} code lists, "
        f"{len(pack.thresholds):,} thresholds"
    )


def _check_workqueue(path: Path | None, _settings: Settings) -> str:
    from denialscope.workqueue.config import load_workqueue_config

    config = load_workqueue_config(override=path)
    rules = sum(len(v) for v in config.decision_tree.values())
    return (
        f"{len(config.decision_tree):,} decision-tree branches with {rules:,} rules, "
        f"{len(config.payer_windows):,} payer-window entries, "
        f"{len(config.thresholds):,} thresholds"
    )


def _shipped(module: str, relative: str) -> Path:
    from importlib import resources

    return Path(str(resources.files(module).joinpath(relative)))


KINDS: Final[dict[str, ConfigKind]] = {
    kind.key: kind
    for kind in (
        ConfigKind(
            "mapping",
            "Classification mapping",
            "classification.yaml",
            _shipped("denialscope.classify", "defaults/classification.yaml"),
            _check_mapping,
        ),
        ConfigKind("rule-packs", "Scrub rule pack", "scrub_pack.yaml", None, _check_pack),
        ConfigKind(
            "workqueue",
            "Work-queue and rework configuration",
            "workqueue.yaml",
            _shipped("denialscope.workqueue", "defaults.yaml"),
            _check_workqueue,
        ),
    )
}


def config_kind(key: str) -> ConfigKind:
    kind = KINDS.get(key)
    if kind is None:
        raise InputError(f"unknown configuration {key!r} (known: {', '.join(KINDS)})")
    return kind


@dataclass(frozen=True, slots=True)
class ConfigValidation:
    """The verdict on one file: a summary when valid, else the error with its line and key."""

    kind: str
    name: str
    valid: bool
    summary: str | None = None
    error: str | None = None
    line: int | None = None
    key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "valid": self.valid,
            "summary": self.summary,
            "error": self.error,
            "line": self.line,
            "key": self.key,
        }


@dataclass(frozen=True, slots=True)
class PreviousVersion:
    name: str
    saved_at: str  # ISO time, UTC
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "saved_at": self.saved_at, "size": self.size}


@dataclass(frozen=True, slots=True)
class ConfigView:
    """What is in effect: the shipped defaults, the data directory's override, its history."""

    kind: str
    title: str
    override_path: str
    override_text: str | None  # None: no override installed
    shipped_name: str | None
    shipped_text: str | None
    in_effect: ConfigValidation  # the defaults + override as loaded today
    previous: tuple[PreviousVersion, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "override_path": self.override_path,
            "override_installed": self.override_text is not None,
            "override_text": self.override_text,
            "shipped_name": self.shipped_name,
            "shipped_text": self.shipped_text,
            "in_effect": self.in_effect.to_dict(),
            "previous": [p.to_dict() for p in self.previous],
        }


@dataclass(frozen=True, slots=True)
class InstalledConfig:
    kind: str
    path: str
    previous: str | None  # where the replaced version was kept (None: there was none)
    validation: ConfigValidation

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "previous": self.previous,
            "validation": self.validation.to_dict(),
        }


def _line_of(error: ConfigurationError) -> int | None:
    line = error.context.get("line")
    if isinstance(line, int):
        return line
    found = _LINE_IN_TEXT.search(error.message)  # YAML syntax errors say "line N"
    return int(found.group(1)) if found else None


def _locate(path: Path | None, key_path: str) -> int | None:
    """The line of ``key_path`` ("a.b[2].c") in the YAML file, or of its deepest known part."""
    if path is None:
        return None
    try:
        node: yaml.Node | None = yaml.compose(path.read_text(encoding="utf-8"), yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = None
    for name, index in _PATH_PART.findall(key_path):
        child: yaml.Node | None = None
        if name and isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if str(k.value) == name), None)
            if child is not None:
                key_node = next(k for k, v in node.value if v is child)
                line = int(key_node.start_mark.line) + 1
        elif index and isinstance(node, yaml.SequenceNode) and int(index) < len(node.value):
            child = node.value[int(index)]
            line = int(child.start_mark.line) + 1
        if child is None:
            break
        node = child
    return line


def _refusal(
    kind: ConfigKind, path: Path | None, name: str, message: str, line: int | None, key: Any
) -> ConfigValidation:
    if path is not None:
        message = message.replace(str(path), name)
    key_path = None if message.startswith(name) else _KEY_PATH.match(message)
    if key_path and line is None:
        # A loader that names the key but not the line (the work-queue one): find the line.
        line = _locate(path, key_path.group(1))
        key = key or key_path.group(1)
    if line is not None and not message.startswith(name):
        message = f"{name}, line {line}: {message}"
    return ConfigValidation(
        kind=kind.key,
        name=name,
        valid=False,
        error=message,
        line=line,
        key=key if isinstance(key, str) and key else None,
    )


def _check(kind: ConfigKind, path: Path | None, name: str, settings: Settings) -> ConfigValidation:
    try:
        summary = kind.check(path, settings)
    except ConfigurationError as error:
        return _refusal(kind, path, name, error.message, _line_of(error), error.context.get("key"))
    except _SHAPE_ERRORS as error:
        problem = f"{name}: not the expected shape ({type(error).__name__}: {error})"
        return _refusal(kind, path, name, problem, None, None)
    return ConfigValidation(kind=kind.key, name=name, valid=True, summary=summary)


def _decode(content: bytes, name: str) -> str:
    if len(content) > MAX_CONFIG_BYTES:
        raise InputError(
            f"{name}: {len(content):,} bytes is more than a configuration file may hold "
            f"({MAX_CONFIG_BYTES:,})",
            file=name,
        )
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: not UTF-8 text (byte {error.start:,}); save the YAML as UTF-8",
            file=name,
            offset=error.start,
        ) from None


def validate_config(
    *, settings: Settings, kind: str, content: bytes, name: str
) -> ConfigValidation:
    """Check ``content`` (a candidate file called ``name``) with the production loader;
    nothing is written to the data directory."""
    found = config_kind(kind)
    text = _decode(content, name)
    with tempfile.TemporaryDirectory(prefix="denialscope-config-") as folder:
        candidate = Path(folder) / found.filename
        write_atomic(candidate, text)
        return _check(found, candidate, name, settings)


def install_config(*, settings: Settings, kind: str, content: bytes, name: str) -> InstalledConfig:
    """Validate, keep the version in place under ``config_history/``, then write the new one.

    An invalid file raises :class:`ConfigurationError` (its line and key in the context) and
    nothing is written.
    """
    found = config_kind(kind)
    validation = validate_config(settings=settings, kind=kind, content=content, name=name)
    if not validation.valid:
        raise ConfigurationError(
            f"{validation.error}; nothing was installed",
            file=name,
            line=validation.line,
            key=validation.key,
        )
    target = found.target(settings)
    settings.ensure_data_dir()
    kept: Path | None = None
    if target.is_file():
        history = ensure_private_dir(settings.data_dir / HISTORY_SUBDIR)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept = history / f"{found.filename}.{stamp}"
        write_atomic(kept, target.read_bytes())
    write_atomic(target, content)
    return InstalledConfig(
        kind=kind,
        path=str(target),
        previous=None if kept is None else str(kept),
        validation=validation,
    )


def _previous(settings: Settings, kind: ConfigKind) -> tuple[PreviousVersion, ...]:
    folder = settings.data_dir / HISTORY_SUBDIR
    if not folder.is_dir():
        return ()
    found = []
    for path in folder.glob(f"{kind.filename}.*"):
        stamp = path.name.removeprefix(f"{kind.filename}.")
        try:
            saved = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue  # not one of ours
        size = path.stat().st_size
        found.append(PreviousVersion(path.name, saved.isoformat(timespec="seconds"), size))
    return tuple(sorted(found, key=lambda p: p.name, reverse=True))


def config_view(*, settings: Settings, kind: str) -> ConfigView:
    """The configuration of ``kind`` in effect and where it comes from."""
    found = config_kind(kind)
    target = found.target(settings)
    override = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else None
    if override is not None:
        in_effect = _check(found, target, found.filename, settings)
    else:
        in_effect = _check(found, None, "shipped defaults", settings)
    return ConfigView(
        kind=found.key,
        title=found.title,
        override_path=str(target),
        override_text=override,
        shipped_name=None if found.shipped is None else found.shipped.name,
        shipped_text=None if found.shipped is None else found.shipped.read_text(encoding="utf-8"),
        in_effect=in_effect,
        previous=_previous(settings, found),
    )
