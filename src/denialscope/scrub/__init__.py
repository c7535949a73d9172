"""The pre-submission claim rules engine ("scrubber").

Rules (``rules/<category>/<rule>.py``) are small pure classes registered per category in
:mod:`~denialscope.scrub.registry`; :func:`scrub_claims` runs them over 837 claims with a
:class:`ScrubContext` (rule packs, loaded NCCI/MUE tables, history) and yields a
:class:`ClaimResult` of :class:`Finding` objects per claim.
"""

from __future__ import annotations

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.packs import RulePack, load_pack, parse_pack
from denialscope.scrub.registry import CATEGORIES, all_rules
from denialscope.scrub.runner import ClaimResult, scrub_claims

__all__ = [
    "CATEGORIES",
    "ClaimResult",
    "Finding",
    "Rule",
    "RulePack",
    "ScrubContext",
    "all_rules",
    "load_pack",
    "parse_pack",
    "scrub_claims",
]
