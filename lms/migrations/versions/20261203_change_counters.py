"""change counters: every server learns of a certificate revocation through the database

Revision ID: 7c1d2e3f4a5b
Revises: 7a3c5e9d2b41
Create Date: 2026-12-03 12:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "7c1d2e3f4a5b"
down_revision = "7a3c5e9d2b41"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "lms_change_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lms_change_counters")),
    )
    op.bulk_insert(table, [{"name": "certificates", "value": 0}])


def downgrade():
    op.drop_table("lms_change_counters")
