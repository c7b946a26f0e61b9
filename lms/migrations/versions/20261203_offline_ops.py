"""offline ops: answers, lessons done and submits a phone queued without a signal, by their id

Revision ID: 5a7c0ff11e01
Revises: 0ed73901231c
Create Date: 2026-12-03 17:30:00
"""

from alembic import op
import sqlalchemy as sa

from lms.db import UTCDateTime


revision = "5a7c0ff11e01"
down_revision = "0ed73901231c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_offline_ops",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("op_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["lms_attempts.id"],
                                name=op.f("fk_lms_offline_ops_attempt_id_lms_attempts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"],
                                name=op.f("fk_lms_offline_ops_user_id_lms_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "op_id", name=op.f("pk_lms_offline_ops")),
    )
    op.create_index(op.f("ix_lms_offline_ops_attempt_id"), "lms_offline_ops", ["attempt_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_lms_offline_ops_attempt_id"), table_name="lms_offline_ops")
    op.drop_table("lms_offline_ops")
