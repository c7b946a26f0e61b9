"""accounts (recovery): a recovery code per account, single-use e-mailed links (reset, confirm an address)

Revision ID: 3a0312c295f4
Revises: b251a002e7c2
Create Date: 2026-12-03 14:10:00

Adds nullable columns and a table: no existing row is changed or lost. Existing accounts have
no recovery code until they make one from their page (or choose a new password), and their
e-mail addresses (typed by a teacher's roster, say) get no reset link until the owner confirms one.
"""

from alembic import op
import sqlalchemy as sa

import lms.db


revision = "3a0312c295f4"
down_revision = "b251a002e7c2"
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN: a batch copy of lms_users would trip SQLite over the coverage triggers
    op.add_column("lms_users", sa.Column("recovery_code_hash", sa.String(length=64), nullable=True))
    op.add_column("lms_users", sa.Column("email_verified_at", lms.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "lms_password_reset_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), server_default="reset", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"],
                                name=op.f("fk_lms_password_reset_links_user_id_lms_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_password_reset_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lms_password_reset_links_token_hash")),
    )
    with op.batch_alter_table("lms_password_reset_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_password_reset_links_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("lms_password_reset_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_password_reset_links_user_id"))
    op.drop_table("lms_password_reset_links")
    op.drop_column("lms_users", "email_verified_at")
    op.drop_column("lms_users", "recovery_code_hash")
