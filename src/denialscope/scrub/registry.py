"""The built-in rules: one list per category, assembled once; duplicate ids are refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from denialscope.scrub.base import Rule
from denialscope.scrub.rules.age_sex.maternity import MaternityConflict
from denialscope.scrub.rules.age_sex.newborn import NewbornConflict
from denialscope.scrub.rules.drg.drg_mismatch import DrgMismatch
from denialscope.scrub.rules.duplicate.duplicate_line import DuplicateService
from denialscope.scrub.rules.dx_combination.hypertension import HypertensionCombination
from denialscope.scrub.rules.dx_procedure_coverage.coverage_list import CoverageList
from denialscope.scrub.rules.dx_specificity.laterality import UnspecifiedLaterality
from denialscope.scrub.rules.dx_specificity.unspecified import UnspecifiedDiagnosis
from denialscope.scrub.rules.dx_validity.billable_code import BillableDiagnosis
from denialscope.scrub.rules.mce.code_editor import MedicareCodeEditor
from denialscope.scrub.rules.missing_data.claim_fields import MissingClaimData
from denialscope.scrub.rules.missing_data.line_fields import MissingLineData
from denialscope.scrub.rules.modifier.bilateral import BilateralModifiers
from denialscope.scrub.rules.modifier.em_without_25 import EmWithoutModifier25
from denialscope.scrub.rules.modifier.invalid_for_code import ModifierInvalidForCode
from denialscope.scrub.rules.modifier.x_with_59 import Modifier59WithX
from denialscope.scrub.rules.mue.units import MueUnits
from denialscope.scrub.rules.ncci_ptp.pair_edit import NcciPairEdit
from denialscope.scrub.rules.place_of_service.pos_mismatch import PlaceOfServiceMismatch
from denialscope.scrub.rules.principal_dx.not_principal import NotAllowedAsPrincipal
from denialscope.scrub.rules.prior_auth.missing_auth import MissingPriorAuthorization
from denialscope.scrub.rules.provider_id.missing_taxonomy import MissingTaxonomy
from denialscope.scrub.rules.provider_id.npi_check_digit import NpiCheckDigit
from denialscope.scrub.rules.timely_filing.filing_limit import FilingLimit

__all__ = ["CATEGORIES", "RULES_BY_CATEGORY", "all_rules", "build_registry", "rule_by_id"]

RULES_BY_CATEGORY: dict[str, list[type[Rule]]] = {
    "ncci_ptp": [NcciPairEdit],
    "mue": [MueUnits],
    "modifier": [
        EmWithoutModifier25,
        Modifier59WithX,
        BilateralModifiers,
        ModifierInvalidForCode,
    ],
    "dx_validity": [BillableDiagnosis],
    "principal_dx": [NotAllowedAsPrincipal],
    "dx_specificity": [UnspecifiedDiagnosis, UnspecifiedLaterality],
    "dx_combination": [HypertensionCombination],
    "age_sex": [MaternityConflict, NewbornConflict],
    "dx_procedure_coverage": [CoverageList],
    "prior_auth": [MissingPriorAuthorization],
    "timely_filing": [FilingLimit],
    "duplicate": [DuplicateService],
    "provider_id": [NpiCheckDigit, MissingTaxonomy],
    "missing_data": [MissingLineData, MissingClaimData],
    "place_of_service": [PlaceOfServiceMismatch],
    "mce": [MedicareCodeEditor],
    "drg": [DrgMismatch],
}
CATEGORIES = tuple(RULES_BY_CATEGORY)


def build_registry(by_category: Mapping[str, Sequence[type[Rule]]]) -> dict[str, type[Rule]]:
    """Rule id -> class; refuses duplicate ids, empty ids and rules filed in the wrong list."""
    out: dict[str, type[Rule]] = {}
    for category, rules in by_category.items():
        for rule in rules:
            if not rule.id or rule.category != category:
                raise ValueError(
                    f"{rule.__name__}: id {rule.id!r} / category {rule.category!r} "
                    f"filed under {category!r}"
                )
            if rule.id in out:
                raise ValueError(
                    f"duplicate rule id {rule.id!r}: {out[rule.id].__name__} and {rule.__name__}"
                )
            out[rule.id] = rule
    return out


_REGISTRY = build_registry(RULES_BY_CATEGORY)


def all_rules() -> list[Rule]:
    """One instance of every built-in rule, in category order."""
    return [rule() for rule in _REGISTRY.values()]


def rule_by_id(rule_id: str) -> type[Rule]:
    return _REGISTRY[rule_id]
