"""Code lists in a policy: services (CPT/HCPCS codes and ranges) and covered diagnoses (ICD-10-CM).

Services are compared as text within ranges of equal-length codes: "70450-70498" orders CPT
Category I numbers, "J9000-J9999" HCPCS Level II codes and "0100T-0200T" Category III codes
alike. A covered diagnosis covers its children (``E11`` covers ``E11.65``), as the ICD-10-CM
hierarchy does; a range ``M51.16-M51.17`` compares codes cut to the length of its ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import yaml

from denialscope.classify.yamlsource import Source
from denialscope.reference import icd10cm, normalize_icd

__all__ = [
    "SERVICE_CODE",
    "CodeSet",
    "DiagnosisSet",
    "normalize_service",
    "parse_diagnoses",
    "parse_services",
]

# CPT Category I (five digits), Category II/III (four digits + F/T), PLA (U), HCPCS II (A-V + 4).
SERVICE_CODE: Final = re.compile(r"^(\d{4}[0-9FTU]|[A-V]\d{4})$")
_ICD: Final = re.compile(r"^[A-Z]\d[0-9A-Z]{0,5}$")


def normalize_service(code: str) -> str:
    return code.strip().upper()


@dataclass(frozen=True, slots=True)
class CodeSet:
    """Inclusive ranges of equal-length service codes (a single code is a range of one)."""

    ranges: tuple[tuple[str, str], ...]

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        return any(len(lo) == len(code) and lo <= code <= hi for lo, hi in self.ranges)

    def __str__(self) -> str:
        return ", ".join(lo if lo == hi else f"{lo}-{hi}" for lo, hi in self.ranges)


@dataclass(frozen=True, slots=True)
class DiagnosisSet:
    """Covered ICD-10-CM codes: prefixes (a code and its children) and ranges."""

    prefixes: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]
    text: tuple[str, ...]  # as written, for messages

    def covers(self, code: str) -> bool:
        key = normalize_icd(code)
        if key.startswith(self.prefixes):
            return True
        return any(lo <= key[: len(lo)] <= hi for lo, hi in self.ranges)

    def __str__(self) -> str:
        return ", ".join(self.text)


def parse_services(
    source: Source, where: yaml.Node, items: list[tuple[str, yaml.Node]], key: str
) -> CodeSet:
    if not items:
        raise source.error(where, key, "list at least one code or range")
    ranges: list[tuple[str, str]] = []
    for text, node in items:
        lo, sep, hi = text.partition("-")
        lo, hi = normalize_service(lo), normalize_service(hi if sep else lo)
        for end in (lo, hi):
            if not SERVICE_CODE.match(end):
                raise source.error(node, key, f"{end!r} is not a CPT or HCPCS code")
        if len(lo) != len(hi) or hi < lo or (lo[-1].isalpha() != hi[-1].isalpha()):
            raise source.error(
                node, key, f"{text!r}: a range runs from the lower code to the higher"
            )
        ranges.append((lo, hi))
    return CodeSet(tuple(ranges))


def parse_diagnoses(
    source: Source, where: yaml.Node, items: list[tuple[str, yaml.Node]], key: str
) -> DiagnosisSet:
    if not items:
        raise source.error(where, key, "list at least one ICD-10-CM code, or leave the key out")
    known = icd10cm()
    prefixes: list[str] = []
    ranges: list[tuple[str, str]] = []
    for text, node in items:
        lo, sep, hi = text.rstrip("*").partition("-")
        ends = [normalize_icd(lo), normalize_icd(hi)] if sep else [normalize_icd(lo)]
        for end in ends:
            # A category or subcategory is fine: it stands for the codes under it.
            if not _ICD.match(end) or end not in known:
                raise source.error(node, key, f"{end!r} is not an ICD-10-CM code or category")
        if sep:
            if len(ends[0]) != len(ends[1]) or ends[1] < ends[0]:
                raise source.error(
                    node, key, f"{text!r}: a range runs between codes of the same length"
                )
            ranges.append((ends[0], ends[1]))
        else:
            prefixes.append(ends[0])
    return DiagnosisSet(tuple(prefixes), tuple(ranges), tuple(t for t, _ in items))
