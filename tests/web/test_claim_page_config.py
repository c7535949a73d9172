"""The classification the claim page explains payments under: the organization's file over the
shipped one, loaded once per version of that file (loading takes about a second)."""

from __future__ import annotations

import os
from pathlib import Path

from denialscope.settings import Settings
from denialscope.web.claim.shared import classification_of

OVERRIDE = """\
rules:
  - id: test-blue-necessity
    carc: ["96"]
    payer: [BLUE01]
    rarc_any: [N130]
    root_cause: medical_necessity
"""


def test_the_classification_is_loaded_once_per_version_of_the_organizations_file(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://")
    shipped = classification_of(settings)
    assert classification_of(settings) is shipped  # not loaded again
    assert "test-blue-necessity" not in {rule.id for rule in shipped.rules}

    settings.classification_file.write_text(OVERRIDE, encoding="utf-8")
    own = classification_of(settings)
    assert own is not shipped and own.version != shipped.version
    assert "test-blue-necessity" in {rule.id for rule in own.rules}
    assert classification_of(settings) is own

    # A new version of the file (another size and time) is loaded afresh.
    settings.classification_file.write_text(OVERRIDE + "disable: [test-blue-necessity]\n")
    stat = settings.classification_file.stat()
    os.utime(settings.classification_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    changed = classification_of(settings)
    assert changed is not own
    assert "test-blue-necessity" not in {rule.id for rule in changed.rules}


def test_the_letter_choices_are_read_once_and_follow_the_organizations_templates(
    tmp_path: Path,
) -> None:
    from denialscope.web.claim.shared import letter_choices

    settings = Settings(data_dir=tmp_path, database_url="sqlite://")
    names, chosen = letter_choices(settings, "medical_necessity")
    assert chosen == "medical_necessity" and "general" in names and "appeal_x" not in names
    assert letter_choices(settings, "medical_necessity")[0] is names  # kept, not re-read
    assert letter_choices(settings, "no_such_cause")[1] == "general"
    assert letter_choices(settings, None)[1] is None  # no work item: nothing to choose

    # The organization's own folder: its template is offered and its index.yaml decides.
    own = settings.templates_dir
    own.mkdir(parents=True)
    (own / "appeal_x.html.j2").write_text("{{ claim }}", encoding="utf-8")
    (own / "index.yaml").write_text("medical_necessity: appeal_x\n", encoding="utf-8")
    names, chosen = letter_choices(settings, "medical_necessity")
    assert "appeal_x" in names and chosen == "appeal_x"

    # An edited index (another size and time) is read afresh.
    (own / "index.yaml").write_text("medical_necessity: general\n", encoding="utf-8")
    stat = (own / "index.yaml").stat()
    os.utime(own / "index.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert letter_choices(settings, "medical_necessity")[1] == "general"
