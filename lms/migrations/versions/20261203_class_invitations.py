"""classes: invitations for existing accounts a roster names (the person agrees to join)

Revision ID: 7b3e9d41c2a8
Revises: 7c1d2e3f4a5b
Create Date: 2026-12-03 12:30:00
"""

from alembic import op
import sqlalchemy as sa
import lms.db


revision = "7b3e9d41c2a8"
down_revision = "7c1d2e3f4a5b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_class_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["lms_classes.id"],
                                name=op.f("fk_lms_class_invitations_class_id_lms_classes"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"],
                                name=op.f("fk_lms_class_invitations_user_id_lms_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by_id"], ["lms_users.id"],
                                name=op.f("fk_lms_class_invitations_invited_by_id_lms_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_class_invitations")),
    )
    op.create_index(op.f("ix_lms_class_invitations_class_id"), "lms_class_invitations", ["class_id"])
    op.create_index(op.f("ix_lms_class_invitations_user_id"), "lms_class_invitations", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_lms_class_invitations_user_id"), table_name="lms_class_invitations")
    op.drop_index(op.f("ix_lms_class_invitations_class_id"), table_name="lms_class_invitations")
    op.drop_table("lms_class_invitations")
