"""classes: organisation kind, enrollment source, roster uploads, one-time password sheets

Revision ID: 5dfb656e1804
Revises: 0551204757f1
Create Date: 2026-11-27 12:00:00
"""

from alembic import op
import sqlalchemy as sa
import lms.db


revision = "5dfb656e1804"
down_revision = "0551204757f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_classes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_kind", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_lms_classes_organisation_kind_known"),
            "organisation_kind IS NULL OR organisation_kind IN ('school', 'agency', 'enterprise')",
        )

    with op.batch_alter_table("lms_enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=8), server_default="roster", nullable=False))
        batch_op.add_column(sa.Column("created_account", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(op.f("ck_lms_enrollments_source_known"), "source IN ('roster', 'join')")

    op.create_table(
        "lms_roster_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("imported_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["lms_classes.id"],
                                name=op.f("fk_lms_roster_uploads_class_id_lms_classes"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["lms_users.id"],
                                name=op.f("fk_lms_roster_uploads_uploaded_by_id_lms_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_roster_uploads")),
    )
    with op.batch_alter_table("lms_roster_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_roster_uploads_class_id"), ["class_id"], unique=False)

    op.create_table(
        "lms_password_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["lms_classes.id"],
                                name=op.f("fk_lms_password_sheets_class_id_lms_classes"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["lms_users.id"],
                                name=op.f("fk_lms_password_sheets_created_by_id_lms_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_password_sheets")),
    )
    with op.batch_alter_table("lms_password_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_password_sheets_class_id"), ["class_id"], unique=False)


def downgrade():
    with op.batch_alter_table("lms_password_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_password_sheets_class_id"))
    op.drop_table("lms_password_sheets")
    with op.batch_alter_table("lms_roster_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_roster_uploads_class_id"))
    op.drop_table("lms_roster_uploads")
    with op.batch_alter_table("lms_enrollments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lms_enrollments_source_known"), type_="check")
        batch_op.drop_column("created_account")
        batch_op.drop_column("source")
    with op.batch_alter_table("lms_classes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lms_classes_organisation_kind_known"), type_="check")
        batch_op.drop_column("organisation_kind")
