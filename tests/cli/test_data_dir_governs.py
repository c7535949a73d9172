"""One ``--data-dir`` governs every command: its database, classification.yaml, workqueue.yaml,
letter templates, loaded code lists and tables; and no command leaves a ``./data`` behind.

One data directory D holds an override classification (CO-16 becomes ``claim_data_error`` with
our own label), an override work queue (``claim_data_error`` is routed to the access queue,
billing rework costs 10 touches) and an organization letter template. Every command that takes
``--data-dir`` runs with D from an empty working folder (checked against the command tree, so a
new command cannot skip this test), on SQLite (D's own database file) and on PostgreSQL (its
URL given with ``--database``: the data directory still chooses the configuration).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.main import get_command
from typer.testing import CliRunner

from denialscope.classify import load_config
from denialscope.cli.main import COMMAND_MODULES
from denialscope.db.engine import open_database
from denialscope.errors import DenialscopeError
from denialscope.remits.models import Adjustment
from denialscope.settings import Settings
from denialscope.workqueue.models import WorkItemDocument

OUR_LABEL = "Data-dir label for CO-16"
CLASSIFICATION = f'carc_defaults:\n  "16": [claim_data_error, {OUR_LABEL}]\n'
# Coding denials go to the access queue (drg_apc_dispute keeps its own route to CDI), and
# reworking one takes ten coding touches.
WORKQUEUE = (
    "routing:\n  by_stream:\n    coding: access\nwork_cost:\n  streams:\n    coding: {coding: 10}\n"
)
TEMPLATE = '{% extends "base.html.j2" %}{% block subject %}Data dir letter{% endblock %}'
PTP = (
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\t"
    "Modifier\tPTP Edit Rationale\n29880\t29870\t*\t19960101\t*\t0\tMisuse\n"
)
MUE = (
    '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"\n"11042","1","1 Line Edit","Anatomic"\n'
)
CARC_LIST = "Code,Description\n16,Synthetic official text for sixteen.\n"
POLICIES = """version: 1
policies:
  - id: DD-POLICY-1
    title: Data dir lumbar MRI
    payer_kinds: [commercial]
    services: ["72148"]
    prior_authorization: required
    criteria:
      - {type: payer_policy, id: DD-POLICY-1}
    effective_from: 2025-01-01
"""
EVENTS = "events:\n  - {date: 2025-03-01, kind: template, department: ED, description: new ED}\n"


@cache
def _app() -> typer.Typer:
    """The whole command tree, as ``denialscope`` assembles it."""
    app = typer.Typer()
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


@cache
def _options() -> dict[str, frozenset[str]]:
    """Every command path (``queue letter``) with the options it takes."""
    found: dict[str, frozenset[str]] = {}

    def walk(command: Any, prefix: str) -> None:
        if hasattr(command, "commands"):  # a group
            for name, child in command.commands.items():
                walk(child, f"{prefix} {name}".strip())
        else:
            found[prefix] = frozenset(o for p in command.params for o in getattr(p, "opts", ()))

    walk(get_command(_app()), "")
    return found


def _commands_with_data_dir() -> set[str]:
    return {path for path, options in _options().items() if "--data-dir" in options}


class Run:
    """Runs commands in an empty working folder, recording which ones ran."""

    def __init__(self, cwd: Path, data: Path, database: list[str]) -> None:
        self.cwd, self.data, self.database = cwd, data, database
        self.ran: set[str] = set()
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, stdin: str | None = None) -> str:
        words = [a for a in args if not a.startswith("-")]
        path = " ".join(words[:2]) if words[0] in _GROUPS else words[0]
        self.ran.add(path)
        database = self.database if "--database" in _options()[path] else []
        argv = [*args, "--data-dir", str(self.data), *database]
        result = self.runner.invoke(_app(), argv, input=stdin)
        failure = result.exception
        if isinstance(failure, SystemExit):
            failure = None
        if ok:
            assert result.exit_code == 0 and failure is None, (argv, result.output, failure)
        else:  # allowed to refuse, with a clear error, never a crash
            assert failure is None or isinstance(failure, DenialscopeError), failure
        assert not (self.cwd / "data").exists(), f"{path} made ./data"
        return result.output


_GROUPS = {
    "codes", "db", "queue", "report", "plan", "event", "refdata",
    "adt", "ur", "predict", "policy", "export", "spark", "users",
}  # fmt: skip
# Commands that take --data-dir but are not run here, and why; they build their Settings with
# the same cli_settings call as the others.
NOT_RUN = {
    "adt listen": "a server (tests/adt/test_adt_mllp.py drives it over loopback)",
    "policy serve-cds": "a server (tests/policy/test_cds_hooks.py drives its router)",
    "serve": "a server (tests/web/test_auth_serve.py runs it on loopback)",
    "spark ingest": "starts a JVM (tests/scale/test_spark.py runs it in local mode)",
    "spark kpis": "starts a JVM (tests/scale/test_spark_reports.py runs its service with the "
    "settings of a data directory)",
}


@pytest.fixture
def run(
    backend: str,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Run]:
    data = tmp_path / "D"
    (data / "appeals" / "templates").mkdir(parents=True)
    (data / "classification.yaml").write_text(CLASSIFICATION, encoding="utf-8")
    (data / "workqueue.yaml").write_text(WORKQUEUE, encoding="utf-8")
    (data / "appeals" / "templates" / "dd_letter.html.j2").write_text(TEMPLATE, encoding="utf-8")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    for name in ("DENIALSCOPE_DATA_DIR", "DENIALSCOPE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DENIALSCOPE_MIN_CLAIMS", "1")  # a 100-claim demo has few a month
    yield Run(cwd, data, [] if backend == "sqlite" else ["--database", database_url])


def _settings(run: Run) -> Settings:
    database = run.database[1] if run.database else None
    return Settings.resolve(data_dir=run.data, database=database, create=False)


def _adjustments_16(run: Run) -> list[tuple[str | None, str | None]]:
    engine, factory = open_database(_settings(run).database_url, migrate=False)
    try:
        with factory() as session:
            rows = session.execute(
                select(Adjustment.root_cause, Adjustment.rule_id).where(
                    Adjustment.reason_code == "16"
                )
            ).all()
    finally:
        engine.dispose()
    return [(r.root_cause, r.rule_id) for r in rows]


def _letter_templates(run: Run) -> list[str | None]:
    engine, factory = open_database(_settings(run).database_url, migrate=False)
    try:
        with factory() as session:
            return list(session.scalars(select(WorkItemDocument.template)))
    finally:
        engine.dispose()


def test_one_data_dir_governs_every_command(run: Run, tmp_path: Path) -> None:
    ours = load_config(settings=_settings(run)).version
    assert ours != load_config().version
    # The data: demo files written into D, then loaded with D's classification.
    run("demo", "--claims", "100", "--seed", "5", "--no-ingest")
    demo = run.data / "demo"
    loaded = json.loads(run("ingest", str(demo / "837"), str(demo / "835"), "--json"))
    assert loaded["totals"]["errors"] == 0, loaded
    if not run.database:
        assert (run.data / "denialscope.db").is_file()
    stored = _adjustments_16(run)
    assert ("claim_data_error", "carc-16") in stored  # D's rule, applied at ingest
    assert ("missing_information", "carc-16") not in stored
    # Classification commands read D's classification.yaml.
    reclassified = json.loads(run("reclassify", "--json"))
    assert reclassified["adjustments_changed"] == 0, reclassified  # ingest already used D's rules
    explained = json.loads(run("codes", "explain", "CO", "16", "--json"))
    assert (explained["root_cause"], explained["carc_label"]) == ("claim_data_error", OUR_LABEL)
    assert json.loads(run("codes", "list", "--json"))["config_version"] == ours
    assert str(run.data / "classification.yaml") in run("codes", "check")
    carcs = tmp_path / "carc.csv"
    carcs.write_text(CARC_LIST, encoding="utf-8")
    run("codes", "load", str(carcs))
    assert (run.data / "codes" / "carc.json").is_file()
    official = json.loads(run("codes", "explain", "CO", "16", "--json"))
    assert official["official_description"] == "Synthetic official text for sixteen."
    # The database commands.
    url = run("db", "url").strip()
    assert url.startswith("postgresql") if run.database else url.endswith("/D/denialscope.db")
    assert "up to date" in run("db", "current")
    assert "(newest)" in run("db", "upgrade")
    # The work queue follows D's workqueue.yaml.
    items = json.loads(run("queue", "list", "--limit", "0", "--format", "json"))
    coding = [i for i in items if i["stream"] == "coding" and i["root_cause"] != "drg_apc_dispute"]
    assert coding and {i["queue"] for i in coding} == {"access"}
    item, claim, cause = coding[0]["id"], coding[0]["claim_number"], coding[0]["root_cause"]
    explanation = json.loads(run("explain", claim, "--json"))
    assert explanation["config_version"] == ours
    assert json.loads(run("queue", "show", str(item), "--format", "json"))["id"] == item
    run("queue", "assign", str(item), "pat")
    run("queue", "act", str(item), "--note", "checked the record")
    run("queue", "next", "--queue", "access", "--user", "sam")
    # The shipped index maps no root cause to this name: only D's templates can provide it.
    index = run.data / "appeals" / "templates" / "index.yaml"
    index.write_text(f"{cause}: dd_letter\n", encoding="utf-8")
    letter = tmp_path / "letter.pdf"
    run("queue", "letter", str(item), "--out", str(letter), "--force", "--draft")
    assert letter.read_bytes().startswith(b"%PDF")
    assert _letter_templates(run) == ["dd_letter"]  # D's template, found through D's index
    run("queue", "resubmit", str(item), ok=False)  # D's item: a clear refusal or a claim
    # Reports run on D's database, with D's rework rates.
    kpis = json.loads(run("report", "kpis", "--format", "json"))
    assert kpis["rework"]["cost_per_reworked_claim"]["coding"] == "150.00"  # 10 x $15 (money: text)
    for report in ("pareto", "departments", "events", "alerts", "trends"):
        assert run("report", report, "--format", "json").strip()
    assert json.loads(run("report", "governance", "--format", "json"))["quarter"]
    run("event", "add", "--date", "2025-02-01", "--kind", "template", "--department", "ED")
    events = tmp_path / "events.yaml"
    events.write_text(EVENTS, encoding="utf-8")
    run("event", "load", str(events))
    assert "new ED" in run("event", "list")
    cause = "claim_data_error"
    run("plan", "add", "--root-cause", cause, "--owner-role", "Billing", "--owner-name", "Lee",
        "--metric", "count", "--change", "-40", "--due", "2027-12-31")  # fmt: skip
    assert json.loads(run("plan", "list", "--format", "json"))[0]["stream"] == "billing"
    run("plan", "update", "1", "--status", "at_risk")
    # Reference tables go into D, and scrub reads them from there.
    ptp, mue = tmp_path / "ccipra-v321r0-f1.txt", tmp_path / "MCR_MUE_PractitionerServices.csv"
    ptp.write_text(PTP, encoding="utf-8")
    mue.write_text(MUE, encoding="utf-8")
    run("refdata", "load-ncci", str(ptp))
    run("refdata", "load-mue", str(mue))
    assert (run.data / "refdata" / "ncci" / "practitioner").is_dir()
    scrubbed = run("scrub", str(demo / "837"), "--format", "json")
    assert "no NCCI PTP table loaded" not in scrubbed
    assert "no MUE table loaded" not in scrubbed
    _newer_commands(run, demo, tmp_path)
    assert run.ran | set(NOT_RUN) == _commands_with_data_dir()


def _newer_commands(run: Run, demo: Path, tmp_path: Path) -> None:
    """UR, prediction, policy and export: each on D's database and D's files."""
    assert json.loads(run("report", "drg-downgrades", "--format", "json")) is not None
    hl7 = sorted((demo / "adt").glob("*.hl7"))
    assert hl7, "the demo writes an ADT feed"
    loaded = json.loads(run("adt", "load", *map(str, hl7), "--json"))
    assert loaded, loaded
    run("adt", "census", "--as-of", "2025-06-30T12:00", "--format", "json")
    run("ur", "worklist", "--as-of", "2025-06-30T12:00", "--format", "json")
    run("ur", "kpis", "--from", "2025-01-01", "--to", "2025-12-31", "--json")
    # Review actions on a visit D's census does not hold: a clear refusal, never ./data.
    run("ur", "stay", "NO-SUCH-VISIT", "--json", ok=False)
    run("ur", "review", "NO-SUCH-VISIT", "--outcome", "met", "--criteria-set", "X",
        "--reviewer", "rn", ok=False)  # fmt: skip
    run("ur", "escalate", "NO-SUCH-VISIT", "--advisor", "dr", ok=False)
    run("ur", "p2p", "NO-SUCH-VISIT", "--outcome", "upheld", ok=False)
    run("ur", "authorize", "NO-SUCH-VISIT", "--days", "3", ok=False)
    # The UR model is saved in D (a 100-claim year may hold too few stays to fit a cause).
    trained = json.loads(run("ur", "train", "--format", "json"))
    assert trained["folder"] == str(run.data / "models" / "ur_denial" / "v0001")
    # Prediction: a 100-claim year may be too little to train on; the model, if any, is D's.
    run("predict", "train", "--format", "json", ok=False)
    run("predict", "evaluate", "--format", "json", ok=False)
    run("predict", "score", str(demo / "837"), "--format", "json", ok=False)
    assert not (run.cwd / "models").exists()
    # Policy: D's library replaces the shipped example.
    (run.data / "payer_policies.yaml").write_text(POLICIES, encoding="utf-8")
    listed = run("policy", "list", "--format", "json")
    assert "DD-POLICY-1" in listed and "SHP-RAD-017" not in listed
    checked = run("policy", "check", "72148", "--payer-kind", "commercial", "--format", "json")
    assert "DD-POLICY-1" in checked
    out = tmp_path / "parquet"
    report = json.loads(run("export", "parquet", "--from-database", "--out", str(out), "--json"))
    assert report and (out / "claims").is_dir()
    # Web users live in D's database.
    secret = "a long enough secret\n"
    run("users", "add", "dana", "--role", "leader", "--password-stdin", stdin=secret)
    run("users", "passwd", "dana", "--password-stdin", stdin=secret)
    run("users", "disable", "dana")
    run("users", "enable", "dana")
    assert [u["username"] for u in json.loads(run("users", "list", "--json"))] == ["dana"]


def test_the_option_beats_the_environment_which_beats_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DENIALSCOPE_DATABASE_URL", raising=False)
    chosen, environment = tmp_path / "chosen", tmp_path / "environment"
    for folder, label in ((chosen, "CHOSEN"), (environment, "ENVIRONMENT")):
        folder.mkdir()
        (folder / "classification.yaml").write_text(
            f'carc_defaults:\n  "16": [claim_data_error, {label}]\n', encoding="utf-8"
        )

    def explain(*extra: str) -> str:
        return CliRunner().invoke(_app(), ["codes", "explain", "CO", "16", *extra]).output

    monkeypatch.delenv("DENIALSCOPE_DATA_DIR", raising=False)
    assert "Information missing" in explain()  # ./data has no override: the shipped label
    monkeypatch.setenv("DENIALSCOPE_DATA_DIR", str(environment))
    assert "ENVIRONMENT" in explain()
    assert "CHOSEN" in explain("--data-dir", str(chosen))
    url = CliRunner().invoke(_app(), ["db", "url", "--data-dir", str(chosen)]).output
    assert url.strip() == f"sqlite:///{(chosen / 'denialscope.db').resolve()}"
    monkeypatch.setenv("DENIALSCOPE_DATABASE_URL", "postgresql://u:secret@db.example/x")
    assert CliRunner().invoke(_app(), ["db", "url"]).output.strip() == (
        "postgresql+psycopg://u:***@db.example/x"
    )
    assert not (tmp_path / "data").exists()  # db url and codes explain create nothing


def test_settings_resolve_reads_the_environment_only_for_what_is_not_given(
    tmp_path: Path,
) -> None:
    env = {
        "DENIALSCOPE_DATA_DIR": str(tmp_path / "env"),
        "DENIALSCOPE_LOCK_TIMEOUT": "12",
        "DENIALSCOPE_ZIP_MAX_MEMBERS": "1_000",
    }
    given = Settings.resolve(data_dir=tmp_path / "given", environ=env, create=False)
    assert given.data_dir == tmp_path / "given"
    assert given.database_url == f"sqlite:///{(tmp_path / 'given' / 'denialscope.db').resolve()}"
    assert (given.lock_timeout_s, given.zip_limits.max_members) == (12, 1000)
    fallback = Settings.resolve(environ=env, create=False)
    assert fallback.data_dir == tmp_path / "env"
    assert not (tmp_path / "env").exists()  # create=False makes nothing
    Settings.resolve(environ=env)
    assert (tmp_path / "env").is_dir()  # the default SQLite database lives there
    remote = Settings.resolve(database="postgresql://h/db", environ=env)
    assert remote.database_url == "postgresql+psycopg://h/db"
    assert Settings.resolve(data_dir=tmp_path / "x", database="sqlite://", environ={}) == Settings(
        data_dir=tmp_path / "x", database_url="sqlite://"
    )


def test_the_walk_finds_the_commands() -> None:
    # A guard for the walk above: it does see nested commands and their options.
    assert {"ingest", "queue letter", "codes load", "db url", "report kpis"} <= (
        _commands_with_data_dir()
    )
    assert "parse" not in _commands_with_data_dir()  # reads files only
