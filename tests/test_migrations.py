"""Migrations from empty to head, and the models match the migrated schema (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.db import db
from lms.schema import upgrade


def _diff(app):  # noqa: ANN001, ANN202
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _only_lms, "compare_type": True, "version_table": "lms_alembic_version"}
        )
        return compare_metadata(context, db.metadata)


def _only_lms(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    return not (type_ == "table" and name and not name.startswith("lms_"))


def test_models_match_migrated_schema(app) -> None:  # noqa: ANN001
    assert _diff(app) == []


def test_init_is_safe_to_run_again(app, runner) -> None:  # noqa: ANN001
    first = runner.invoke(args=["lms", "init"])
    second = runner.invoke(args=["lms", "init"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    with app.app_context():
        upgrade()
        assert "lms_users" in db.inspect(db.engine).get_table_names()
