"""coverage: covered-persons table with its triggers, default targets (Plan 370-KH/TU), baseline source

Revision ID: c0ea7e2a1b90
Revises: 5dfb656e1804
Create Date: 2026-11-27 15:00:00
"""

from alembic import op
import sqlalchemy as sa

import lms.db
from lms.coverage.triggers import create_triggers, drop_triggers, rebuild


revision = "c0ea7e2a1b90"
down_revision = "5dfb656e1804"
branch_labels = None
depends_on = None

PLAN_370 = "Kế hoạch 370-KH/TU"
# frozen copy of the plan's figures (lms.coverage.targets.DEFAULT_TARGETS may change later)
DEFAULTS = [
    ("officials", 2025, 80), ("students", 2025, 100), ("citizens", 2025, 70), ("workers", 2025, 80),
    ("vneid", 2025, 70),
    ("officials", 2026, 100), ("students", 2026, 100), ("citizens", 2026, 100), ("workers", 2026, 100),
    ("vneid", 2026, 100),
]


def upgrade():
    with op.batch_alter_table("lms_baselines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("lms_targets", schema=None) as batch_op:
        batch_op.create_index(
            "uq_lms_targets_default", ["indicator", "year"], unique=True,
            sqlite_where=sa.text("unit_id IS NULL"), postgresql_where=sa.text("unit_id IS NULL"),
        )

    op.create_table(
        "lms_covered_people",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("covered_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["lms_units.id"], name=op.f("fk_lms_covered_people_unit_id_lms_units")),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"], name=op.f("fk_lms_covered_people_user_id_lms_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_covered_people")),
    )
    op.create_index("ix_lms_covered_people_unit", "lms_covered_people", ["unit_id", "audience", "covered_on"])

    targets = sa.table(
        "lms_targets", sa.column("unit_id", sa.Integer), sa.column("indicator", sa.String),
        sa.column("year", sa.Integer), sa.column("kind", sa.String), sa.column("value", sa.Float),
        sa.column("source", sa.String),
    )
    conn = op.get_bind()
    existing = set(conn.execute(sa.text("SELECT indicator, year FROM lms_targets WHERE unit_id IS NULL")).all())
    op.bulk_insert(targets, [
        {"unit_id": None, "indicator": indicator, "year": year, "kind": "percent", "value": float(value),
         "source": PLAN_370}
        for indicator, year, value in DEFAULTS if (indicator, year) not in existing
    ])

    rebuild(conn)
    create_triggers(conn)


def downgrade():
    conn = op.get_bind()
    drop_triggers(conn)
    op.drop_index("ix_lms_covered_people_unit", table_name="lms_covered_people")
    op.drop_table("lms_covered_people")
    conn.execute(sa.text("DELETE FROM lms_targets WHERE unit_id IS NULL AND source = :source"), {"source": PLAN_370})
    with op.batch_alter_table("lms_targets", schema=None) as batch_op:
        batch_op.drop_index("uq_lms_targets_default", sqlite_where=sa.text("unit_id IS NULL"),
                            postgresql_where=sa.text("unit_id IS NULL"))
    with op.batch_alter_table("lms_baselines", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("source")
