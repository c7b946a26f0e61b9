"""outreach: the activities a unit records (kind, dates, audience reached, note), for the periodic report

Revision ID: 5b1e0c7a9d42
Revises: a7b5d2c1e9f3
Create Date: 2026-12-03 17:20:00
"""

from alembic import op
import sqlalchemy as sa

from lms.db import UTCDateTime


revision = "5b1e0c7a9d42"
down_revision = "a7b5d2c1e9f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_outreach_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('meeting', 'talk', 'broadcast', 'post', 'visual', 'community', 'day_1010')",
                           name=op.f("ck_lms_outreach_activities_kind_known")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_lms_outreach_activities_dates_ordered")),
        sa.CheckConstraint("reached >= 0", name=op.f("ck_lms_outreach_activities_reached_not_negative")),
        sa.ForeignKeyConstraint(["created_by"], ["lms_users.id"],
                                name=op.f("fk_lms_outreach_activities_created_by_lms_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["unit_id"], ["lms_units.id"],
                                name=op.f("fk_lms_outreach_activities_unit_id_lms_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_outreach_activities")),
    )
    op.create_index("ix_lms_outreach_activities_unit_start", "lms_outreach_activities", ["unit_id", "starts_on"])


def downgrade():
    op.drop_index("ix_lms_outreach_activities_unit_start", table_name="lms_outreach_activities")
    op.drop_table("lms_outreach_activities")
