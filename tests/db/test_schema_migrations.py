"""The hand-written migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim, ClaimLine, ClaimVersion
from denialscope.db.base import load_models
from denialscope.db.engine import make_engine
from denialscope.db.migrate import (
    current_revision,
    downgrade,
    head_revision,
    schema_differences,
    upgrade,
)
from denialscope.orgs.models import Payer
from denialscope.sources.models import SourceFile

MODEL_TABLES = set(load_models().tables)


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_upgrade_to_head_creates_every_model_table(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert _tables(empty_engine) == MODEL_TABLES | {"alembic_version"}


def test_migrated_schema_matches_the_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert schema_differences(empty_engine) == []


def test_schema_comparison_notices_a_missing_index(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_claims_drg"))
    differences = schema_differences(empty_engine)
    assert [d[0] for d in differences] == ["add_index"]
    assert differences[0][1].name == "ix_claims_drg"


def test_constraint_and_index_names_follow_the_naming_convention(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    metadata = load_models()
    with empty_engine.connect() as connection:
        inspector = inspect(connection)
        for table in metadata.sorted_tables:
            reflected_fks = {fk["name"] for fk in inspector.get_foreign_keys(table.name)}
            expected_fks = {
                f"fk_{table.name}_{fk.parent.name}_{fk.column.table.name}"
                for fk in table.foreign_keys
            }
            assert reflected_fks == expected_fks, table.name
            reflected_indexes = {
                ix["name"]
                for ix in inspector.get_indexes(table.name)
                if not ix.get("duplicates_constraint")  # PostgreSQL lists a UNIQUE's index
            }
            assert reflected_indexes == {ix.name for ix in table.indexes}, table.name
            for unique in inspector.get_unique_constraints(table.name):
                assert unique["name"] == f"uq_{table.name}_{'_'.join(unique['column_names'])}"


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine)
    assert current_revision(empty_engine) is None
    assert _tables(empty_engine) == {"alembic_version"}
    upgrade(empty_engine)
    assert _tables(empty_engine) == MODEL_TABLES | {"alembic_version"}


def test_deleting_a_claim_cascades_to_its_children_and_nulls_references(
    session: Session,
) -> None:
    source = SourceFile(sha256="a" * 64, name="claims.837")
    payer = Payer(payer_key="P1", name="Test payer")
    claim = Claim(
        claim_key="PCN1|1234567893",
        control_number="PCN1",
        payer=payer,
        source_file=source,
        total_charge=Decimal("100.00"),
    )
    claim.lines.append(ClaimLine(line_no=1, procedure="99213", charge=Decimal("100.00")))
    claim.versions.append(ClaimVersion(version_no=1, submitted_at=dt.date(2024, 1, 2)))
    session.add(claim)
    session.commit()

    session.delete(source)  # SET NULL: the claim outlives the file it came from
    session.commit()
    assert session.scalar(select(Claim.source_file_id)) is None

    session.execute(delete(Claim))  # CASCADE, done by the database itself
    session.commit()
    assert session.scalars(select(ClaimLine)).all() == []
    assert session.scalars(select(ClaimVersion)).all() == []
    assert session.scalar(select(Payer.name)) == "Test payer"


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(ClaimLine(claim_id=999_999, line_no=1))
    with pytest.raises(IntegrityError):
        session.flush()


def test_unique_keys_are_enforced(session: Session) -> None:
    session.add_all([Payer(payer_key="SAME"), Payer(payer_key="SAME")])
    with pytest.raises(IntegrityError):
        session.flush()
