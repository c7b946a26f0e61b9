"""Migrations from empty to head, and the models match the migrated schema (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.db import db
from lms.schema import upgrade


def _diff(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _only_lms, "compare_type": True, "version_table": "lms_alembic_version"}
        )
        return compare_metadata(context, db.metadata)


def _only_lms(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name and not name.startswith("lms_"))


def test_models_match_migrated_schema(app) -> None:
    assert _diff(app) == []


def test_init_is_safe_to_run_again(app, runner) -> None:
    first = runner.invoke(args=["lms", "init"])
    second = runner.invoke(args=["lms", "init"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    with app.app_context():
        upgrade()
        assert "lms_users" in db.inspect(db.engine).get_table_names()


def test_upgrade_keeps_learners_data_and_downgrade_works(tmp_path, worker_id) -> None:
    """Data written at the first revision survives every later migration; down and up again works."""
    import sqlalchemy as sa

    from lms import create_app
    from lms.schema import downgrade
    from tests.conftest import DB_KIND, _worker_db_url, base_config

    url = (_worker_db_url(f"{worker_id}_mig") if DB_KIND == "postgres"
           else f"sqlite:///{tmp_path}/mig.sqlite3")
    app = create_app(base_config(tmp_path / "inst", url))
    with app.app_context():
        upgrade("0551204757f1")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO lms_users (username, password_hash, must_change_password, full_name, locale, created_at)"
                " VALUES ('0912345678', 'x', false, 'Nguyễn Văn An', 'vi', CURRENT_TIMESTAMP)"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT full_name FROM lms_users")).scalar() == "Nguyễn Văn An"
        downgrade("0551204757f1")
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM lms_users")).scalar() == 1
        db.engine.dispose()
