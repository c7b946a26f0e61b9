"""signing keys in the database, private halves sealed: every server signs with the same keys

Revision ID: 76203452b60e
Revises: 4024b1bf8fc8
Create Date: 2026-12-03 14:20:00

The keys an instance folder holds from before are carried into this table by the application
(`lms init`, or the first certificate issued): that needs the key-encryption key, which a
migration does not have.
"""

from alembic import op
import sqlalchemy as sa

import lms.db


revision = "76203452b60e"
down_revision = "4024b1bf8fc8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_signing_keys",
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_private", sa.LargeBinary(), nullable=True),
        sa.Column("kek_id", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'retired')", name=op.f("ck_lms_signing_keys_status_known")),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_lms_signing_keys")),
    )
    op.create_index(
        "uq_lms_signing_keys_one_active", "lms_signing_keys", ["status"], unique=True,
        sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"),
    )
    counters = sa.table("lms_change_counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(counters, [{"name": "signing_keys", "value": 0}])


def downgrade():
    op.execute("DELETE FROM lms_change_counters WHERE name = 'signing_keys'")
    op.drop_index("uq_lms_signing_keys_one_active", table_name="lms_signing_keys")
    op.drop_table("lms_signing_keys")
