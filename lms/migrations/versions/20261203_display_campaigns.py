"""campaigns: a window of dates, units and audiences, for the public campaign page and its board

Revision ID: 0ed73901231c
Revises: 76203452b60e
Create Date: 2026-12-03 15:10:00
"""

from alembic import op
import sqlalchemy as sa

from lms.db import UTCDateTime


revision = "0ed73901231c"
down_revision = "76203452b60e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("audiences", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_lms_campaigns_window_ordered")),
        sa.ForeignKeyConstraint(["created_by"], ["lms_users.id"], name=op.f("fk_lms_campaigns_created_by_lms_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_campaigns")),
        sa.UniqueConstraint("slug", name=op.f("uq_lms_campaigns_slug")),
    )
    op.create_table(
        "lms_campaign_units",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["lms_campaigns.id"],
                                name=op.f("fk_lms_campaign_units_campaign_id_lms_campaigns"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["lms_units.id"], name=op.f("fk_lms_campaign_units_unit_id_lms_units")),
        sa.PrimaryKeyConstraint("campaign_id", "unit_id", name=op.f("pk_lms_campaign_units")),
    )


def downgrade():
    op.drop_table("lms_campaign_units")
    op.drop_table("lms_campaigns")
