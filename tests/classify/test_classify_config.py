"""Loading and merging the classification YAML: errors name the line and key; overrides work."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from denialscope.classify import ClassificationConfig, classify_adjustment, load_config
from denialscope.errors import ConfigurationError
from denialscope.settings import Settings


def _write(tmp_path: Path, text: str, name: str = "org.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "key", "problem"),
    [
        (
            "rules:\n  - id: x\n    carc: [16]\n    rarcs_any: [M51]\n    root_cause: x\n",
            4,
            "rules[0].rarcs_any",
            "unknown key",
        ),
        (
            "rules:\n  - id: bad-carc\n    carc: [16, ZZ9]\n    root_cause: duplicate\n",
            3,
            "rules[bad-carc].carc",
            "'ZZ9' is not a CARC code",
        ),
        (
            "rules:\n  - id: bad-remark\n    carc: [16]\n    rarc_any:\n      - M51\n      - X1\n"
            "    root_cause: duplicate\n",
            6,
            "rules[bad-remark].rarc_any",
            "not a RARC",
        ),
        (
            "rules:\n  - id: dated\n    carc: [16]\n    effective_from: 2024-02-30\n"
            "    root_cause: duplicate\n",
            4,
            "rules[dated].effective_from",
            "expected a date",
        ),
        (
            "rules:\n  - id: r1\n    carc: [16]\n    root_cause: no_such_cause\n",
            4,
            "rules[r1].root_cause",
            "unknown root cause",
        ),
        (
            "rules:\n  - id: both\n    carc: [16]\n    root_cause: duplicate\n"
            "    category: contractual\n",
            2,
            "rules[both]",
            "exactly one of",
        ),
        (
            "rules:\n  - id: same\n    carc: [1]\n    category: contractual\n"
            "  - id: same\n    carc: [2]\n    category: contractual\n",
            5,
            "rules[same]",
            "duplicate rule id",
        ),
        (
            "rules:\n  - id: ct\n    carc: [50]\n    claim_type: [ambulatory]\n"
            "    root_cause: duplicate\n",
            4,
            "rules[ct].claim_type",
            "not one of",
        ),
        ("disable: [carc-16, no-such-rule]\n", 1, "disable", "no rule or route"),
        (
            "root_causes:\n  medical_necessity:\n    stream: coding\n",
            3,
            "root_causes.medical_necessity.stream",
            "belongs to stream clinical",
        ),
        (
            "root_causes:\n  new_cause:\n    stream: billing\n    label: New\n",
            2,
            "root_causes.new_cause",
            "missing description",
        ),
        (
            'carc_defaults:\n  "50": [medical_necessity]\n',
            2,
            "carc_defaults.50",
            "expected [root cause",
        ),
        (
            "routing:\n  - id: r\n    root_cause: medical_necessity\n    process_step: X\n",
            2,
            "routing[0].owner_role",
            "required key",
        ),
        ("version: 1\nrules: [\n", 3, "YAML syntax", ""),
        (
            "rules:\n  - id: order\n    carc: [16]\n    effective_from: 2025-01-01\n"
            "    effective_to: 2024-01-01\n    root_cause: duplicate\n",
            5,
            "rules[order].effective_to",
            "before effective_from",
        ),
        ("top_level_typo: 1\n", 1, "(top).top_level_typo", "unknown key"),
        (
            "rules:\n  - id: pri\n    carc: [16]\n    priority: high\n    root_cause: duplicate\n",
            4,
            "rules[pri].priority",
            "whole number",
        ),
    ],
)
def test_errors_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, problem: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigurationError) as caught:
        load_config([path])
    message = caught.value.message
    assert message.startswith(f"{path}:{line}: {key}"), message
    assert problem in message
    assert caught.value.context["line"] == line


def test_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="file not found"):
        load_config([tmp_path / "absent.yaml"])


def test_empty_override_changes_nothing_but_the_version(
    tmp_path: Path, defaults: ClassificationConfig
) -> None:
    merged = load_config([_write(tmp_path, "# nothing yet\n")])
    assert [r.id for r in merged.rules] == [r.id for r in defaults.rules]
    assert merged.version != defaults.version  # the file names are part of the version
    assert merged.files[-1].endswith("org.yaml")


def test_version_is_stable_and_tracks_content(tmp_path: Path) -> None:
    first = load_config([_write(tmp_path, "disable: [carc-16]\n")])
    again = load_config([_write(tmp_path, "disable: [carc-16]\n")])
    other = load_config([_write(tmp_path, "disable: [carc-18]\n")])
    assert first.version == again.version
    assert first.version != other.version
    assert first.version.startswith("cfg-")


def test_same_id_replaces_new_id_adds(tmp_path: Path) -> None:
    config = load_config(
        [
            _write(
                tmp_path,
                """
                rules:
                  - id: carc-29
                    carc: ["29"]
                    root_cause: pricing_contract_dispute
                    note: our payers misuse 29
                  - id: payer-acme-16
                    carc: ["16"]
                    payer: [ACME]
                    root_cause: claim_data_error
                """,
            )
        ]
    )
    filing = classify_adjustment(config, group="CO", carc="29")
    assert (filing.root_cause, filing.rule_id) == ("pricing_contract_dispute", "carc-29")
    assert "our payers misuse 29" in filing.explanation
    acme = classify_adjustment(config, group="CO", carc="16", payer_id="ACME")
    other = classify_adjustment(config, group="CO", carc="16", payer_id="OTHER")
    assert acme.root_cause == "claim_data_error"
    assert other.root_cause == "missing_information"
    # A payer rule is more specific than the shipped remark rule, so it wins even with M51.
    with_remark = classify_adjustment(
        config, group="CO", carc="16", payer_id="ACME", claim_rarcs=["M51"]
    )
    assert with_remark.rule_id == "payer-acme-16"


def test_carc_defaults_and_unclassified_replace_by_code(tmp_path: Path) -> None:
    config = load_config(
        [
            _write(
                tmp_path,
                """
                carc_defaults:
                  "192": [claim_data_error, Paper code]
                unclassified:
                  - codes: ["54"]
                    label: Assistant surgeon
                    reason: we have not decided yet
                """,
            )
        ]
    )
    assert classify_adjustment(config, group="CO", carc="192").root_cause == "claim_data_error"
    assistant = classify_adjustment(config, group="CO", carc="54")
    assert (assistant.root_cause, assistant.is_denial) == ("unclassified", True)
    assert "we have not decided yet" in assistant.explanation
    assert "192" not in {code for group in config.unclassified for code in group.codes}


def test_disable_falls_back_to_the_next_rule(tmp_path: Path) -> None:
    config = load_config([_write(tmp_path, "disable: [necessity-inpatient-level-of-care]\n")])
    result = classify_adjustment(
        config, group="CO", carc="50", claim_rarcs=["M25"], claim_type="inpatient"
    )
    assert (result.root_cause, result.rule_id) == ("medical_necessity", "carc-50")


def test_effective_dates_follow_the_adjudication_date(tmp_path: Path) -> None:
    config = load_config(
        [
            _write(
                tmp_path,
                """
                rules:
                  - id: policy-2025
                    carc: ["96"]
                    payer: [BLUE]
                    effective_from: 2025-01-01
                    effective_to: 2025-12-31
                    root_cause: medical_necessity
                """,
            )
        ]
    )

    def cause(on: date) -> str:
        return classify_adjustment(
            config, group="CO", carc="96", payer_id="BLUE", adjudicated_on=on
        ).root_cause

    assert cause(date(2024, 12, 31)) == "coverage_noncovered"
    assert cause(date(2025, 1, 1)) == "medical_necessity"
    assert cause(date(2025, 12, 31)) == "medical_necessity"
    assert cause(date(2026, 1, 1)) == "coverage_noncovered"


def test_root_cause_fields_update_and_new_causes_add(tmp_path: Path) -> None:
    config = load_config(
        [
            _write(
                tmp_path,
                """
                root_causes:
                  timely_filing:
                    owner_name: Pat Example
                  charity_screening:
                    stream: access
                    label: Charity screening missed
                    description: Should have been screened for financial assistance.
                    documentation_driven: false
                    process_step: Financial counseling at registration
                    owner_role: Financial counseling
                rules:
                  - id: charity
                    carc: ["96"]
                    payer: [STATEPLAN]
                    root_cause: charity_screening
                """,
            )
        ]
    )
    late = classify_adjustment(config, group="CO", carc="29")
    assert (late.owner_role, late.owner_name) == ("Billing", "Pat Example")
    charity = classify_adjustment(config, group="CO", carc="96", payer_id="STATEPLAN")
    assert (charity.stream, charity.root_cause) == ("access", "charity_screening")


def test_later_files_win_ties_and_data_dir_file_is_default(tmp_path: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "classification.yaml").write_text(
        "rules:\n  - id: org-50\n    carc: ['50']\n    claim_type: [inpatient]\n"
        "    root_cause: length_of_stay\n",
        encoding="utf-8",
    )
    config = load_config(settings=Settings(data_dir=data_dir, database_url="sqlite://"))
    assert config.files[-1].endswith("classification.yaml")
    assert load_config().files == ("defaults/classification.yaml",)  # no settings: defaults
    # An organization rule beats the per-code default ...
    result = classify_adjustment(config, group="CO", carc="50", claim_type="inpatient")
    assert result.rule_id == "org-50"
    # The shipped remark rule is more specific and still wins where it applies.
    leveled = classify_adjustment(
        config, group="CO", carc="50", claim_type="inpatient", claim_rarcs=["M25"]
    )
    assert leveled.rule_id == "necessity-inpatient-level-of-care"


def test_routing_more_specific_entry_wins(tmp_path: Path, defaults: ClassificationConfig) -> None:
    ed = classify_adjustment(defaults, group="CO", carc="50", department="ed")
    assert ed.process_step == "ED documentation template"
    elsewhere = classify_adjustment(defaults, group="CO", carc="50", department="Clinic")
    assert elsewhere.process_step == "Medical necessity screening before scheduling"
    config = load_config(
        [
            _write(
                tmp_path,
                """
                routing:
                  - id: ed-medical-necessity-blue
                    root_cause: medical_necessity
                    department: [ED]
                    payer: [BLUE]
                    process_step: ED template, Blue payer addendum
                    owner_role: ED physician lead
                    owner_name: Dr. Example
                  - id: ortho-bundling
                    root_cause: ncci_bundling
                    service_line: [Orthopedics]
                    process_step: Ortho rules v2
                    owner_role: Ortho coding
                """,
            )
        ]
    )
    blue = classify_adjustment(config, group="CO", carc="50", department="ED", payer_id="BLUE")
    assert (blue.process_step, blue.owner_name) == (
        "ED template, Blue payer addendum",
        "Dr. Example",
    )
    other = classify_adjustment(config, group="CO", carc="50", department="ED", payer_id="X")
    assert other.process_step == "ED documentation template"
    ortho = classify_adjustment(config, group="CO", carc="97", service_line="orthopedics")
    assert ortho.process_step == "Ortho rules v2"  # replaced by id
    # Non-denials are not routed anywhere.
    assert classify_adjustment(config, group="CO", carc="45").process_step is None


def test_equal_specificity_later_file_wins(tmp_path: Path) -> None:
    config = load_config(
        [
            _write(
                tmp_path,
                """
                rules:
                  - id: our-m51
                    carc: ["16"]
                    rarc_any: [M51]
                    root_cause: claim_data_error
                """,
            )
        ]
    )
    result = classify_adjustment(config, group="CO", carc="16", claim_rarcs=["M51"])
    assert result.rule_id == "our-m51"


def test_rarc_scope_limits_where_remarks_count(tmp_path: Path) -> None:
    config = load_config(
        [
            _write(
                tmp_path,
                """
                rules:
                  - id: line-only
                    carc: ["96"]
                    rarc_any: [N130]
                    rarc_scope: line
                    root_cause: benefit_maximum
                  - id: not-with-n115
                    carc: ["204"]
                    rarc_none: [N115]
                    root_cause: out_of_network
                """,
            )
        ]
    )
    assert classify_adjustment(config, group="CO", carc="96", line_rarcs=["N130"]).rule_id == (
        "line-only"
    )
    assert classify_adjustment(config, group="CO", carc="96", claim_rarcs=["N130"]).rule_id == (
        "carc-96"
    )
    assert classify_adjustment(config, group="CO", carc="204").rule_id == "not-with-n115"
    assert classify_adjustment(config, group="CO", carc="204", line_rarcs=["N115"]).rule_id == (
        "carc-204"
    )
