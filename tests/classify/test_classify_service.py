"""The classification services the CLI and the web call: typed results, no printing."""

from __future__ import annotations

from pathlib import Path

import pytest

from denialscope.classify import ClassificationConfig
from denialscope.classify.codes import install_official_list
from denialscope.classify.service import explain_codes, list_root_causes
from denialscope.errors import InputError
from denialscope.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.resolve(data_dir=tmp_path / "data")


def test_explain_codes_normalizes_and_classifies_with_context(
    defaults: ClassificationConfig, settings: Settings
) -> None:
    explained = explain_codes(
        config=defaults,
        settings=settings,
        group=" co ",
        carc="50",
        claim_rarcs=["m25"],
        claim_type=" Inpatient ",
    )
    assert (explained.query.group, explained.query.carc, explained.query.claim_rarcs) == (
        "CO",
        "50",
        ("M25",),
    )
    result = explained.classification
    assert (result.is_denial, result.stream, result.root_cause, result.rule_id) == (
        True,
        "clinical",
        "level_of_care",
        "necessity-inpatient-level-of-care",
    )
    assert explained.official_description is None and not explained.official_remarks
    data = explained.to_dict()
    assert data["input"]["claim_type"] == "inpatient"
    assert data["owner"] == {"role": result.owner_role, "name": result.owner_name}
    assert data["rule"] == "necessity-inpatient-level-of-care"


def test_official_texts_come_from_the_settings_data_directory(
    defaults: ClassificationConfig, settings: Settings, tmp_path: Path
) -> None:
    listing = tmp_path / "rarc.csv"
    listing.write_text("Code,Description\nN115,Synthetic N115 text.\n", encoding="utf-8")
    install_official_list(listing, data=settings.data_dir)
    explained = explain_codes(
        config=defaults, settings=settings, group="CO", carc="50", line_rarcs=["N115", "N1I5"]
    )
    assert dict(explained.official_remarks) == {"N115": "Synthetic N115 text."}
    # A mistyped remark would silently change nothing: it is named.
    assert dict(explained.remark_notes) == {
        "N1I5": "is not a RARC code in the published list (a typo?)"
    }
    elsewhere = Settings.resolve(data_dir=tmp_path / "other")
    assert not explain_codes(
        config=defaults, settings=elsewhere, group="CO", carc="50", line_rarcs=["N115"]
    ).official_remarks


@pytest.mark.parametrize(
    ("group", "claim_type", "message"),
    [("XX", None, "group 'XX'"), ("CO", "dental", "--claim-type 'dental'")],
)
def test_bad_codes_are_input_errors(
    defaults: ClassificationConfig,
    settings: Settings,
    group: str,
    claim_type: str | None,
    message: str,
) -> None:
    with pytest.raises(InputError, match=message):
        explain_codes(
            config=defaults, settings=settings, group=group, carc="16", claim_type=claim_type
        )


def test_list_root_causes_counts_and_orders_by_stream(defaults: ClassificationConfig) -> None:
    causes = list_root_causes(config=defaults)
    by_id = {c.root_cause: c for c in causes}
    assert by_id["readmission"].mapped_carcs == 1
    assert by_id["timely_filing"].stream == "billing"
    assert sum(c.mapped_carcs for c in causes) == 407
    streams = [c.stream for c in causes]
    order = ["clinical", "coding", "access", "billing", "none"]
    assert streams == sorted(streams, key=order.index)
    clinical = list_root_causes(config=defaults, stream="clinical")
    assert clinical and {c.stream for c in clinical} == {"clinical"}
    with pytest.raises(InputError, match="--stream 'nope'"):
        list_root_causes(config=defaults, stream="nope")
