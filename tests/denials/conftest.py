"""Fixtures for the denials tests (every database test runs on SQLite and PostgreSQL).

db          Db on a fresh migrated database: ingest paths with a given configuration, sessions
remits      the small scenario below written as three 835 files (no 837: stub claims)
demo        the demo health system (300 claims, seed 3), generated once per test session
data_dir    a private data directory (nothing reads or writes ./data)
defaults    the shipped classification defaults only

The scenario, by CLP01: PCN-A denied with CO-16 and no remark, then paid on a second remit;
PCN-B a line denied CO-16 + M51 (line remark); PCN-C a CO-151 on a line paid as G0463 but
billed as 99215 (SVC06) and a CO-50 with claim remark N706; PCN-D paid (CO-45, PR-2);
PCN-DUP under two billing NPIs (two claims with one control number).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from denialscope.demo import DemoResult, generate_demo
from factories.x12text import OTHER_NPI, Cas, Clp, Svc, x12_835

FIRST_REMIT = dt.date(2024, 3, 1)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return generate_demo(tmp_path_factory.mktemp("demo"), claims=300, seed=3)


def scenario() -> list[tuple[str, str]]:
    """(file name, 835 text) of the scenario described in the module docstring."""
    first = [
        Clp("PCN-A", "4", D(100), D(0), "PAY-A", adjustments=[Cas("CO", "16", D(100))]),
        Clp(
            "PCN-B",
            "1",
            D(200),
            D(100),
            "PAY-B",
            services=[
                Svc("99213", D(100), D(100)),
                Svc("80053", D(100), D(0), adjustments=[Cas("CO", "16", D(100))], remarks=["M51"]),
            ],
        ),
        Clp(
            "PCN-C",
            "1",
            D(300),
            D(150),
            "PAY-C",
            remarks=["N706"],
            services=[
                Svc(
                    "G0463", D(200), D(150), original="99215", adjustments=[Cas("CO", "151", D(50))]
                ),
                Svc("36415", D(100), D(0), adjustments=[Cas("CO", "50", D(100))]),
            ],
        ),
        Clp(
            "PCN-D",
            "1",
            D(100),
            D(80),
            "PAY-D",
            patient_responsibility=D(10),
            services=[
                Svc(
                    "99212",
                    D(100),
                    D(80),
                    adjustments=[Cas("CO", "45", D(10)), Cas("PR", "2", D(10))],
                ),
            ],
        ),
        Clp("PCN-DUP", "4", D(50), D(0), "PAY-DUP1", adjustments=[Cas("CO", "16", D(50))]),
    ]
    other = [Clp("PCN-DUP", "1", D(50), D(50), "PAY-DUP2")]
    later = [Clp("PCN-A", "1", D(100), D(90), "PAY-A2", adjustments=[Cas("CO", "45", D(10))])]
    return [
        ("first.835", x12_835(first, paid_on=FIRST_REMIT, control=1)),
        ("other.835", x12_835(other, paid_on=FIRST_REMIT, payee_npi=OTHER_NPI, control=2)),
        ("later.835", x12_835(later, paid_on=FIRST_REMIT + dt.timedelta(days=30), control=3)),
    ]


@pytest.fixture
def remits(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "remits"
    folder.mkdir()
    paths = []
    for name, text in scenario():
        path = folder / name
        path.write_text(text, encoding="ascii")
        paths.append(path)
    return paths


OVERRIDE_16 = """\
# CO-16 without a more specific remark becomes a claim data error for this organization.
carc_defaults:
  "16": [claim_data_error, Claim data error (our payers)]
"""


@pytest.fixture
def override_16(tmp_path: Path) -> Path:
    path = tmp_path / "override-16.yaml"
    path.write_text(OVERRIDE_16, encoding="utf-8")
    return path
