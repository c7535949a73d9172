"""DRG downgrades on hand-built stays (SQLite and PostgreSQL), every figure computed by hand.

Weights (FY2026): 871 1.9425, 872 1.0233, 065 1.0103, 066 0.6844, 291 1.2838, 293 0.5660.

    ALPHA C1  billed 871, paid 872: paid 9,000 + PR 1,233 = 10,233 / 1.0233 = 10,000 a unit
              x (1.9425 - 1.0233) = 9,192.00
    ALPHA C2  billed 871, paid 871 (its later payment at 872 is not the initial adjudication)
    ALPHA C4  billed "65", paid "066": 6,844 / 0.6844 = 10,000 x 0.3259 = 3,259.00
    ALPHA C8  billed 871, paid 872: 5,116.50 / 1.0233 = 5,000 x 0.9192 = 4,596.00
    BETA  C5  billed 291, paid 293, zero paid: a downgrade without a dollar estimate
    BETA  C6  billed 872, paid 871: an upgrade, not a downgrade
    BETA  C7  billed 999 (no weight), paid 871: unknown direction
    BETA  P1  a professional claim without a DRG: not counted
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.analytics.cohort import Filters
from denialscope.analytics.drg_downgrades import drg_downgrades, normalize_drg
from denialscope.claims.models import Claim
from denialscope.orgs.models import Payer
from denialscope.remits.models import ClaimPayment, Remittance
from denialscope.sources.models import SourceFile

D = Decimal


def _build(session: Session) -> None:
    source = SourceFile(sha256="1" * 64, name="drg.x12")
    alpha = Payer(payer_key="ALPHA", name="ALPHA HEALTH", payer_id="ALPHA")
    beta = Payer(payer_key="BETA", name="BETA CARE", payer_id="BETA")
    session.add_all([source, alpha, beta])
    session.flush()
    remittance = Remittance(source_file_id=source.id)
    session.add(remittance)
    session.flush()

    def stay(key: str, payer: Payer, billed: str | None, payments: list[tuple[str, str, str]],
             *, denied: str = "0", kind: str = "837I") -> None:  # fmt: skip
        claim = Claim(
            claim_key=f"{key}|1234567893",
            control_number=key,
            kind=kind,
            payer_id=payer.id,
            drg=billed,
            total_charge=D("50000"),
            submitted_at=dt.date(2025, 11, 3),
        )
        session.add(claim)
        session.flush()
        for seq, (payer_drg, paid, patient) in enumerate(payments, start=1):
            session.add(
                ClaimPayment(
                    remittance_id=remittance.id,
                    claim_id=claim.id,
                    seq=seq,
                    status_code="1",
                    payer_responsibility="primary",
                    charge=D("50000"),
                    paid=D(paid),
                    patient_responsibility=D(patient),
                    drg=payer_drg or None,
                    adjudicated_at=dt.date(2025, 12, 1),
                    denial_type="partial_denial",
                    is_denial=True,
                    denied_amount=D(denied),
                )
            )
        session.flush()

    stay("C1", alpha, "871", [("872", "9000.00", "1233.00")], denied="20000")
    stay("C2", alpha, "871", [("871", "19425.00", "0"), ("872", "1.00", "0")])
    stay("C4", alpha, "65", [("066", "6500.00", "344.00")])
    stay("C8", alpha, "871", [("872", "5116.50", "0")])
    stay("C5", beta, "291", [("293", "0", "0")], denied="500")
    stay("C6", beta, "872", [("871", "19425.00", "0")])
    stay("C7", beta, "999", [("871", "19425.00", "0")])
    stay("P1", beta, None, [("", "80.00", "0")], kind="837P")


def test_downgrades_by_payer_and_drg_with_the_dollar_difference(session: Session) -> None:
    _build(session)
    report = drg_downgrades(session)
    assert report.drg_claims == 7
    assert [(c.control_number, c.direction) for c in report.changes] == [
        ("C1", "down"), ("C4", "down"), ("C8", "down"), ("C5", "down"), ("C6", "up"),
        ("C7", "unknown"),
    ]  # fmt: skip
    by_claim = {c.control_number: c for c in report.changes}
    assert by_claim["C1"].difference == D("9192.00")
    assert by_claim["C1"].denied == D("20000")
    assert by_claim["C4"].difference == D("3259.00")
    assert by_claim["C4"].billed_drg == "065"
    assert by_claim["C8"].difference == D("4596.00")
    assert by_claim["C5"].difference is None
    assert report.total_difference == D("17047.00")
    groups = [g.to_dict() for g in report.groups]
    assert [(g["payer"], g["billed_drg"]) for g in groups] == [
        ("ALPHA HEALTH", "871"), ("ALPHA HEALTH", "065"), ("BETA CARE", "291"),
    ]  # fmt: skip
    alpha = groups[0]
    assert alpha["drg_claims"] == 3
    assert alpha["downgrades"] == 2
    assert alpha["downgrade_rate"] == D("0.666667")
    assert alpha["paid_as"] == "872 (2)"
    assert alpha["weight_lost"] == D("1.8384")
    assert alpha["difference"] == D("13788.00")
    beta = groups[2]
    assert (beta["downgrades"], beta["difference"], beta["unpriced"]) == (1, D(0), 1)
    summary = report.to_dict()
    assert (summary["downgrades"], summary["upgrades"], summary["unknown_weight"]) == (4, 1, 1)
    payers = [p.to_dict() for p in report.payers]
    assert [(p["payer"], p["drg_claims"], p["downgrades"], p["difference"]) for p in payers] == [
        ("ALPHA HEALTH", 4, 3, D("17047.00")), ("BETA CARE", 3, 1, D(0)),
    ]  # fmt: skip
    assert payers[0]["paid_as"] == "871>872 (2), 065>066 (1)"
    assert payers[0]["downgrade_rate"] == D("0.75")


def test_payer_filter_and_an_empty_database(session: Session) -> None:
    assert drg_downgrades(session).to_dict()["downgrades"] == 0
    _build(session)
    beta = drg_downgrades(session, filters=Filters(payer="beta"))
    assert beta.drg_claims == 3
    assert [c.control_number for c in beta.downgrades] == ["C5"]


def test_drg_numbers_are_normalized() -> None:
    assert normalize_drg(" 65") == "065"
    assert normalize_drg("") is None
    assert normalize_drg(None) is None


def test_cli_lists_the_groups_and_the_claims(engine: Engine, tmp_path: Path) -> None:
    from denialscope.cli import report as report_cli
    from denialscope.db.engine import session_factory

    with session_factory(engine)() as session:
        _build(session)
        session.commit()
    app = typer.Typer()
    report_cli.register(app)

    @app.callback()
    def _root() -> None:
        """Keeps `report` a named group."""

    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    out = runner.invoke(app, ["report", "drg-downgrades", "--format", "csv", "--database", url])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].startswith("payer,billed_drg,drg_claims,downgrades,downgrade_rate,paid_as")
    assert lines[1].startswith("ALPHA HEALTH,871,3,2,")
    listed = runner.invoke(
        app, ["report", "drg-downgrades", "--claims", "--format", "csv", "--database", url]
    )
    assert listed.exit_code == 0, listed.output
    assert [line.split(",")[1] for line in listed.output.splitlines()[1:]] == [
        "C1", "C4", "C8", "C5",
    ]  # fmt: skip
    by_payer = runner.invoke(
        app, ["report", "drg-downgrades", "--by", "payer", "--format", "csv", "--database", url]
    )
    assert by_payer.exit_code == 0, by_payer.output
    assert by_payer.output.splitlines()[1].startswith("ALPHA HEALTH,(all),4,3,")
    table = runner.invoke(app, ["report", "drg-downgrades", "--database", url])
    assert table.exit_code == 0, table.output
    assert "4 downgrade(s) of 7 DRG-paid stays; estimated difference $17,047.00" in table.output
