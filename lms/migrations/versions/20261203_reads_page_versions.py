"""page versions: per-learner and content versions kept by triggers, for the signed-in page cache

Revision ID: b251a002e7c2
Revises: 7b3e9d41c2a8
Create Date: 2026-12-03 15:00:00
"""

from alembic import op
import sqlalchemy as sa

from lms.pageversions import create_triggers, drop_triggers


revision = "b251a002e7c2"
down_revision = "7b3e9d41c2a8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_page_versions",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_page_versions")),
    )
    conn = op.get_bind()
    if not conn.execute(sa.text("SELECT 1 FROM lms_change_counters WHERE name = 'content'")).first():
        conn.execute(sa.text("INSERT INTO lms_change_counters (name, value) VALUES ('content', 0)"))
    create_triggers(conn)


def downgrade():
    drop_triggers(op.get_bind())
    op.drop_table("lms_page_versions")
