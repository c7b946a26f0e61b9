"""accounts (sec1): server-side sessions, a label on each API token

Revision ID: 7a3c5e9d2b41
Revises: c0ea7e2a1b90
Create Date: 2026-12-03 12:00:00

Adds a table and a column with a default: no existing row is changed or lost. Existing
cookie sessions carry no server-side id and so end at the upgrade (everyone signs in again once).
"""

from alembic import op
import sqlalchemy as sa

import lms.db


revision = "7a3c5e9d2b41"
down_revision = "c0ea7e2a1b90"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"], name=op.f("fk_lms_user_sessions_user_id_lms_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_user_sessions")),
        sa.UniqueConstraint("sid_hash", name=op.f("uq_lms_user_sessions_sid_hash")),
    )
    with op.batch_alter_table("lms_user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_user_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("lms_api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label", sa.String(length=120), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("lms_api_tokens", schema=None) as batch_op:
        batch_op.drop_column("label")
    with op.batch_alter_table("lms_user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_user_sessions_user_id"))
    op.drop_table("lms_user_sessions")
