"""The coverage migration: triggers at head, the seeded targets, a clean downgrade, and the
SQLite batch-mode caution of lms/coverage/triggers.py."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select

from lms.coverage.measure import Scope, counts, live_counts
from lms.coverage.models import Target
from lms.coverage.targets import DEFAULT_TARGETS, PLAN_370
from lms.coverage.triggers import TRIGGER_NAMES, installed_triggers, triggers_suspended
from lms.db import db
from lms.schema import alembic_config, upgrade
from tests.coverage_helpers import add_certificate, build_population

REVISION = "c0ea7e2a1b90"


def test_triggers_are_installed_at_head(app) -> None:
    with app.app_context(), db.engine.connect() as conn:
        assert installed_triggers(conn) == set(TRIGGER_NAMES)


def test_downgrade_and_upgrade_seed_plan_370(app, units) -> None:
    build_population(app)
    with app.app_context():
        try:
            command.downgrade(alembic_config(), f"{REVISION}-1")
            tables = sa.inspect(db.engine).get_table_names()
            assert "lms_covered_people" not in tables
            with db.engine.connect() as conn:
                assert installed_triggers(conn) == set()
        finally:
            upgrade()
        with db.engine.connect() as conn:
            assert installed_triggers(conn) == set(TRIGGER_NAMES)
        seeded = {(t.indicator, t.year): t.value for t in db.session.scalars(
            select(Target).where(Target.unit_id.is_(None), Target.source == PLAN_370))}
        assert seeded == {key: float(value) for key, value in DEFAULT_TARGETS.items()}
        # the upgrade filled the table from the certificates already there
        day = date(2026, 12, 31)
        assert counts(Scope(None), day) == live_counts(Scope(None), day) != {}


def test_default_targets_are_unique_per_indicator_and_year(app) -> None:
    with app.app_context():
        db.session.add(Target(unit_id=None, indicator="citizens", year=2031, kind="percent", value=50))
        db.session.add(Target(unit_id=None, indicator="citizens", year=2031, kind="percent", value=60))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_altering_users_keeps_the_triggers(app, units) -> None:
    ids = build_population(app)
    with app.app_context(), db.engine.connect() as conn:
        op = Operations(MigrationContext.configure(conn))
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # as for any copy of a referenced table
            # a copy-and-rename of lms_users fails while the triggers name it ...
            with pytest.raises(sa.exc.OperationalError, match="lms_coverage_"), conn.begin_nested():
                with op.batch_alter_table("lms_users", recreate="always") as batch:
                    batch.add_column(sa.Column("nickname", sa.String(20)))
            # ... and passes inside triggers_suspended, which puts them back
            with triggers_suspended(conn), op.batch_alter_table("lms_users", recreate="always") as batch:
                batch.add_column(sa.Column("nickname", sa.String(20)))
        else:
            # PostgreSQL alters in place: the triggers stay as they are
            with op.batch_alter_table("lms_users") as batch:
                batch.add_column(sa.Column("nickname", sa.String(20)))
        assert installed_triggers(conn) == set(TRIGGER_NAMES)
        # back to the models' schema for the next tests (SQLite copies the table to drop a column)
        with triggers_suspended(conn), op.batch_alter_table("lms_users") as batch:
            batch.drop_column("nickname")
        assert installed_triggers(conn) == set(TRIGGER_NAMES)
        conn.commit()
    with app.app_context():
        add_certificate(ids["a6"], "workers", date(2026, 3, 1))
        db.session.commit()
        assert counts(Scope(None), date(2026, 12, 31)) == live_counts(Scope(None), date(2026, 12, 31))
