"""The job record's life: created queued, claimed by one runner (attempt n), progress and a
heartbeat while it runs, then done (with its file) or failed (with an error key).

Every change after creation is one conditional UPDATE on its own short transaction (the job's
own work runs in the session and commits when it likes; the bookkeeping must not commit it):
a runner only claims a queued job and only finishes the attempt it claimed, so a job that was
given up on and requeued while its old worker was merely slow is still done once.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import Engine, delete, func, insert, select, update

from lms.db import db, now_utc
from lms.jobs.models import STATUSES, Job, JobFile
from lms.jobs.registry import JobResult

_JOBS = Job.__table__
_FILES = JobFile.__table__


def _fernet() -> Fernet:
    """Files are kept encrypted (they carry names, and password sheets carry passwords), under a
    key derived from SECRET_KEY, which every server and worker of a site shares."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"lms-job-file\x00" + secret).digest()))


def create_job(kind: str, owner_id: int, params: dict) -> Job:
    """A queued job (committed, so a worker on another machine can find it)."""
    job = Job(kind=kind, owner_id=owner_id, params=dict(params), status="queued", progress=0, attempts=0)
    db.session.add(job)
    db.session.commit()
    return job


@dataclass(frozen=True)
class Claim:
    job_id: int
    kind: str
    owner_id: int
    params: dict
    attempt: int


def claim(engine: Engine, job_id: int) -> Claim | None:
    """Take a queued job to run it; None when it is not queued (another runner has it, or it ended)."""
    now = now_utc()
    with engine.begin() as conn:
        taken = conn.execute(
            update(_JOBS).where(_JOBS.c.id == job_id, _JOBS.c.status == "queued")
            .values(status="running", attempts=_JOBS.c.attempts + 1, progress=0, started_at=now,
                    heartbeat_at=now)
        ).rowcount
        if not taken:
            return None
        row = conn.execute(select(_JOBS.c.kind, _JOBS.c.owner_id, _JOBS.c.params, _JOBS.c.attempts)
                           .where(_JOBS.c.id == job_id)).one()
    return Claim(job_id, row.kind, row.owner_id, dict(row.params or {}), row.attempts)


def _mine(claim_: Claim):
    return (_JOBS.c.id == claim_.job_id, _JOBS.c.status == "running", _JOBS.c.attempts == claim_.attempt)


def beat(engine: Engine, claim_: Claim, percent: int | None = None) -> bool:
    """The runner is alive (and has made ``percent``); False when the attempt is no longer its own."""
    values: dict = {"heartbeat_at": now_utc()}
    if percent is not None:
        values["progress"] = max(0, min(100, int(percent)))
    with engine.begin() as conn:
        return bool(conn.execute(update(_JOBS).where(*_mine(claim_)).values(**values)).rowcount)


def finish(engine: Engine, claim_: Claim, result: JobResult | None) -> bool:
    """Keep the file (if the job made one) and mark the job done, in one transaction."""
    described = {} if result is None else {
        "result_name": result.filename, "result_type": result.mimetype, "result_size": len(result.content)}
    with engine.begin() as conn:
        done = conn.execute(
            update(_JOBS).where(*_mine(claim_)).values(
                status="done", progress=100, finished_at=now_utc(), heartbeat_at=now_utc(), error_key=None,
                **described)
        ).rowcount
        if done and result is not None:
            conn.execute(delete(_FILES).where(_FILES.c.job_id == claim_.job_id))
            conn.execute(insert(_FILES).values(job_id=claim_.job_id, content=_fernet().encrypt(result.content)))
    return bool(done)


def fail(engine: Engine, claim_: Claim, key: str) -> bool:
    with engine.begin() as conn:
        return bool(conn.execute(update(_JOBS).where(*_mine(claim_)).values(
            status="failed", error_key=key, finished_at=now_utc())).rowcount)


def recover_abandoned(engine: Engine, *, stale_seconds: float, max_attempts: int,
                      job_id: int | None = None, now: datetime | None = None) -> list[int]:
    """Running jobs whose heartbeat stopped more than ``stale_seconds`` ago (their worker died):
    queued again while they have attempts left, failed ("worker_lost") after. Returns the ids
    queued again, which the caller submits. Each change is conditional on the heartbeat read, so
    two servers sweeping at once requeue a job once."""
    cutoff = (now or now_utc()) - timedelta(seconds=stale_seconds)
    query = select(_JOBS.c.id, _JOBS.c.attempts, _JOBS.c.heartbeat_at).where(
        _JOBS.c.status == "running", _JOBS.c.heartbeat_at < cutoff)
    if job_id is not None:
        query = query.where(_JOBS.c.id == job_id)
    requeued: list[int] = []
    with engine.begin() as conn:
        for row in conn.execute(query).all():
            same = (_JOBS.c.id == row.id, _JOBS.c.status == "running", _JOBS.c.heartbeat_at == row.heartbeat_at)
            if row.attempts < max_attempts:
                if conn.execute(update(_JOBS).where(*same).values(status="queued", progress=0)).rowcount:
                    requeued.append(row.id)
            else:
                conn.execute(update(_JOBS).where(*same).values(status="failed", error_key="worker_lost",
                                                               finished_at=now_utc()))
    return requeued


def waiting_since(engine: Engine, seconds: float) -> list[int]:
    """Queued jobs recorded (or last given up on) more than ``seconds`` ago, oldest first."""
    cutoff = now_utc() - timedelta(seconds=seconds)
    started = func.coalesce(_JOBS.c.heartbeat_at, _JOBS.c.created_at)
    with engine.connect() as conn:
        return list(conn.scalars(select(_JOBS.c.id).where(_JOBS.c.status == "queued", started < cutoff)
                                 .order_by(_JOBS.c.id)))


def purge_finished(engine: Engine, keep_days: float) -> int:
    """Forget jobs (and their files, which name learners) finished more than ``keep_days`` ago."""
    cutoff = now_utc() - timedelta(days=keep_days)
    with engine.begin() as conn:
        old = select(_JOBS.c.id).where(_JOBS.c.finished_at < cutoff)
        conn.execute(delete(_FILES).where(_FILES.c.job_id.in_(old)))
        return conn.execute(delete(_JOBS).where(_JOBS.c.finished_at < cutoff)).rowcount


def queue_stats(engine: Engine) -> dict[str, int]:
    """Jobs per status (queued, running, done, failed) among those kept: for monitoring (queue
    depth = queued + running; failures = failed)."""
    with engine.connect() as conn:
        found = dict(conn.execute(select(_JOBS.c.status, func.count()).group_by(_JOBS.c.status)).all())
    return {status: int(found.get(status, 0)) for status in STATUSES}


def forget_jobs(kind: str, key: str, value: int) -> int:
    """Delete the jobs of ``kind`` whose parameter ``key`` is ``value``, with their files (a deleted
    password sheet's PDF must go with it). The caller commits."""
    ids = select(Job.id).where(Job.kind == kind, Job.params[key].as_integer() == value)
    found = list(db.session.scalars(ids))
    if found:
        db.session.execute(delete(_FILES).where(_FILES.c.job_id.in_(found)))
        db.session.execute(delete(_JOBS).where(_JOBS.c.id.in_(found)))
    return len(found)


def file_content(job_id: int) -> bytes | None:
    stored = db.session.scalar(select(_FILES.c.content).where(_FILES.c.job_id == job_id))
    return None if stored is None else _fernet().decrypt(stored)
