"""A long piece of work (a job) and the file it made, kept in the database so that every app
server shows its progress and serves its file, whichever server or worker ran it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import UTCDateTime, db, now_utc

STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")


class Job(db.Model):
    __tablename__ = "lms_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        # the worker's sweep looks for running jobs whose heartbeat stopped
        Index("ix_lms_jobs_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the registered kind (lms.jobs.registry), e.g. "class_certificates"
    kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    #: what the kind's function is given (ids, options), JSON
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: a key of the kind's (or lms.jobs.registry's) error messages, translated when shown
    error_key: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the name the download gets, its type and size; the bytes are in lms_job_files
    result_name: Mapped[str | None] = mapped_column(String(160))
    result_type: Mapped[str | None] = mapped_column(String(100))
    result_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: written every few seconds while a worker runs the job: a stale one means the worker died
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class JobFile(db.Model):
    """The file a job made: in the database, so any app server can send it (no shared folder)."""

    __tablename__ = "lms_job_files"

    job_id: Mapped[int] = mapped_column(ForeignKey("lms_jobs.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
