"""jobs: the record of long work done off the request (class certificate PDFs...) and its file

Revision ID: 4024b1bf8fc8
Revises: 5e8a1c3f9b27
Create Date: 2026-12-03 14:20:00
"""

from alembic import op
import sqlalchemy as sa
import lms.db


revision = "4024b1bf8fc8"
down_revision = "5e8a1c3f9b27"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("error_key", sa.String(length=40), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result_name", sa.String(length=160), nullable=True),
        sa.Column("result_type", sa.String(length=100), nullable=True),
        sa.Column("result_size", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f("ck_lms_jobs_status_known")),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name=op.f("ck_lms_jobs_progress_percent")),
        sa.ForeignKeyConstraint(["owner_id"], ["lms_users.id"], name=op.f("fk_lms_jobs_owner_id_lms_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_jobs")),
    )
    op.create_index(op.f("ix_lms_jobs_owner_id"), "lms_jobs", ["owner_id"])
    op.create_index("ix_lms_jobs_status_heartbeat", "lms_jobs", ["status", "heartbeat_at"])
    op.create_table(
        "lms_job_files",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["lms_jobs.id"], name=op.f("fk_lms_job_files_job_id_lms_jobs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_lms_job_files")),
    )


def downgrade():
    op.drop_table("lms_job_files")
    op.drop_index("ix_lms_jobs_status_heartbeat", table_name="lms_jobs")
    op.drop_index(op.f("ix_lms_jobs_owner_id"), table_name="lms_jobs")
    op.drop_table("lms_jobs")
