"""households: a household, its members (one household per person) and its invitations ("Gia đình số")

Revision ID: 5b1e0c7d9a24
Revises: 5b1e0c7a9d42
Create Date: 2026-12-03 17:30:00
"""

from alembic import op
import sqlalchemy as sa

from lms.db import UTCDateTime


revision = "5b1e0c7d9a24"
down_revision = "5b1e0c7a9d42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("join_code", sa.String(length=16), nullable=True),
        sa.Column("join_code_expires_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_households")),
        sa.UniqueConstraint("join_code", name=op.f("uq_lms_households_join_code")),
    )
    op.create_table(
        "lms_household_members",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"],
                                name=op.f("fk_lms_household_members_user_id_lms_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["household_id"], ["lms_households.id"],
                                name=op.f("fk_lms_household_members_household_id_lms_households"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_household_members")),
    )
    op.create_index(op.f("ix_lms_household_members_household_id"), "lms_household_members", ["household_id"])
    op.create_table(
        "lms_household_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("invitee_login", sa.String(length=64), nullable=False),
        sa.Column("invitee_id", sa.Integer(), nullable=True),
        sa.Column("inviter_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("declined_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["household_id"], ["lms_households.id"],
                                name=op.f("fk_lms_household_invitations_household_id_lms_households"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invitee_id"], ["lms_users.id"],
                                name=op.f("fk_lms_household_invitations_invitee_id_lms_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["inviter_id"], ["lms_users.id"],
                                name=op.f("fk_lms_household_invitations_inviter_id_lms_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_household_invitations")),
        sa.UniqueConstraint("household_id", "invitee_login",
                            name=op.f("uq_lms_household_invitations_household_id_invitee_login")),
    )
    op.create_index(op.f("ix_lms_household_invitations_household_id"), "lms_household_invitations", ["household_id"])
    op.create_index(op.f("ix_lms_household_invitations_invitee_id"), "lms_household_invitations", ["invitee_id"])
    op.create_index(op.f("ix_lms_household_invitations_invitee_login"), "lms_household_invitations",
                    ["invitee_login"])


def downgrade():
    op.drop_table("lms_household_invitations")
    op.drop_table("lms_household_members")
    op.drop_table("lms_households")
